/* eyeballs.h: connecting to every address of a name, raced as RFC 8305 (Happy Eyeballs v2) says. */
#ifndef SOCKT_EYEBALLS_H
#define SOCKT_EYEBALLS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <netdb.h>

#include "errqueue.h"
#include "source.h"

enum eyeballs_state {
	EYEBALLS_STARTED, /* connect(2) issued, in progress */
	EYEBALLS_CONNECTED, /* this attempt won */
	EYEBALLS_FAILED, /* err says why (ECONNREFUSED, ETIMEDOUT for the timeout, ...) */
	EYEBALLS_ABANDONED, /* closed because another attempt won first */
};

struct eyeballs_attempt {
	struct sockaddr_storage addr;
	socklen_t addrlen;
	enum eyeballs_state state;
	int err;
	int64_t started_usec, ended_usec;
	int in_bind; /* err came from binding -s/-p, not from connect */
	struct errqueue_entry icmp; /* the ICMP error that failed it; icmp.from_icmp 0 if none */
};

struct eyeballs_options {
	int64_t timeout_usec; /* for the whole set-up; -1 for none */
	int64_t attempt_delay_usec; /* RFC 8305 Connection Attempt Delay: 250 ms */
	const char *source_host; /* -s, or NULL */
	const char *source_port; /* -p, or NULL */
	/* Called as each attempt starts and ends (for -v); may be NULL. */
	void (*on_event)(const struct eyeballs_attempt *, void *ctx);
	void *ctx;
	/* -s/-p already resolved (source_resolve), used instead of the two strings; may be NULL. */
	const struct source *source;
};

struct eyeballs_result {
	struct eyeballs_attempt *attempts; /* one per address tried, in start order */
	size_t n;
	int winner; /* index into attempts, or -1 */
	int timed_out; /* the whole set-up hit timeout_usec */
	int source_err; /* binding -s/-p failed: errno, 0 otherwise */
	int source_eai; /* resolving -s failed: EAI_ code, 0 otherwise */
	size_t skipped; /* addresses of a family that -s has no address of */
};

/*
 * Connects to the addresses of res, interleaving families as RFC 8305
 * section 4 orders them, starting the next attempt attempt_delay after the
 * last unless one has already failed. Returns the winning socket (blocking,
 * close-on-exec) or -1; the result records every attempt either way and
 * must be released with eyeballs_result_free.
 */
int eyeballs_connect(const struct addrinfo *res, const struct eyeballs_options *,
    struct eyeballs_result *);
void eyeballs_result_free(struct eyeballs_result *);

#endif
