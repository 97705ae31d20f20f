/* hub.h: the accepting side of listen: one connection awaited, or many served at once (-k). */
#ifndef SOCKT_HUB_H
#define SOCKT_HUB_H

#include <stdint.h>
#include <sys/socket.h>

#include "relay.h"
#include "sock.h"

/* One accepted connection, as the callbacks see it. */
struct hub_peer {
	int fd;
	struct sockaddr_storage addr;
	socklen_t addrlen;
	struct relay_stats stats; /* bytes each way, times, who closed first, a failure */
};

struct hub_options {
	int max_conns; /* open at once; more wait in the listen backlog */
	size_t max_queue; /* stdin a connection may be behind by; a slower one is closed */
	int64_t accept_timeout_usec; /* give up when no connection came this long; -1 never */
	/* Each connection's relay: --echo, --linger 0, -i, --max-time, --recv-only ... */
	struct relay_options relay;
	int in_fd, out_fd;
	/* Called after each accept and each close; for -v. May be NULL. */
	void (*on_accept)(const struct hub_peer *, void *ctx);
	void (*on_close)(const struct hub_peer *, void *ctx);
	/* An accept that failed without ending the hub (EMFILE ...). May be NULL. */
	void (*on_accept_error)(int err, void *ctx);
	/* Whether to serve a peer (--allow, --deny); a refused one is closed with RST. May be NULL.
	 */
	int (*admit)(const struct sockaddr_storage *, void *ctx);
	void *ctx;
};

struct hub_result {
	int timed_out; /* no connection within accept_timeout_usec */
	int output_closed; /* stdout's reader went away: a quiet end */
	int err; /* a failure that ended the hub, 0 if none */
	const char *failed_op;
	enum relay_failure failure;
};

/*
 * Waits up to timeout_usec (-1: forever) for a connection on any of the
 * bound sockets and accepts it (close-on-exec). Returns the socket, or -1
 * with errno (ETIMEDOUT when none came).
 */
int hub_accept(const struct bound *, int64_t timeout_usec, struct sockaddr_storage *, socklen_t *);

/*
 * Serves connections concurrently (listen -k), each through its own relay:
 * what stdin gives goes to every connection (each may fall behind by
 * max_queue bytes), what each sends goes to stdout a whole read at a time;
 * or, with relay.echo, each one's bytes go back to it. Returns only on a
 * failure or a closed stdout: 0 or -1 (result says why).
 */
int hub_run(struct bound *, const struct hub_options *, struct hub_result *);

#endif
