/* scan.h: the engine of connect -z: many non-blocking connects at once, to every address of a
 * host, results in address then port order. No output. */
#ifndef SOCKT_SCAN_H
#define SOCKT_SCAN_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "json.h"
#include "source.h"

/* A set of ports, kept as a bitmap so they come out sorted, each once. */
struct scan_ports {
	uint8_t bits[65536 / 8];
	size_t count;
};

enum scan_state {
	SCAN_OPEN, /* the connection was accepted */
	SCAN_CLOSED, /* refused (RST) */
	SCAN_FILTERED, /* no answer before the timeout, or an ICMP error */
	SCAN_ERROR, /* a local failure (no descriptors, no local port...) */
};

/* One address to scan; its port is ignored. */
struct scan_target {
	struct sockaddr_storage addr;
	socklen_t len;
};

struct scan_result {
	size_t target; /* index into the targets given to scan_run */
	uint16_t port;
	enum scan_state state;
	int err; /* 0 when open; ETIMEDOUT when no answer came */
	int64_t rtt_usec; /* from connect to the answer; -1 when none came */
};

/* What a scan found, counted by the engine. */
struct scan_stats {
	size_t count[SCAN_ERROR + 1]; /* ports in each state */
	int first_error; /* the errno of the first SCAN_ERROR port, 0 if none */
	uint16_t first_error_port;
	size_t first_error_target;
};

struct scan_options {
	int parallel; /* connects in flight at once */
	int64_t timeout_usec; /* per port, from its connect */
	const struct source *src; /* -s/-p, or NULL */
	int linger0; /* close open ports with RST */
	/* Called once per address and port, in that order, as soon as it and every one before it
	 * are known. */
	void (*on_result)(const struct scan_result *, void *ctx);
	void *ctx;
};

void scan_ports_init(struct scan_ports *);
void scan_ports_add(struct scan_ports *, uint16_t lo, uint16_t hi);
int scan_ports_has(const struct scan_ports *, uint16_t);
/* Adds "80", "20-25" or "http"; -1 (EINVAL, ERANGE) for anything else. */
int scan_ports_parse(const char *, struct scan_ports *);

/* What an errno from connect means for a port. Pure. */
enum scan_state scan_classify(int err);
const char *scan_state_name(enum scan_state);

/*
 * Puts the addresses into the order the scan reports them, whatever order the
 * resolver gave: IPv6 before IPv4, each family in numeric order (zones
 * last), and drops duplicates. Returns how many are left. Pure.
 */
size_t scan_targets_sort(struct scan_target *, size_t n);
int scan_target_compare(const struct scan_target *, const struct scan_target *);

/* "127.0.0.1 port 22 (tcp) open 0.31 ms" and the like (sockt-connect(1), Port scan). Pure. */
void scan_result_format(const struct scan_result *, const char *address, int64_t timeout_usec,
    char *buf, size_t len);
/* The --json object of one port, into j (begun and ended here). Pure. */
void scan_result_json(struct json *j, const char *host, const char *address,
    const struct scan_result *);

/* The same fields without the braces, for an object with more (connect -z --tls). */
void scan_result_json_fields(struct json *j, const char *host, const char *address,
    const struct scan_result *);
/* How many connects can be in flight under RLIMIT_NOFILE (raised if allowed). */
int scan_fit_parallel(int want);

/*
 * Scans every port of the set on each of the n addresses, all at once up to
 * opt->parallel connects in flight, counting the results in *stats.
 * Returns 0 once every port has had its result, or -1 with errno when a
 * local failure (memory, poll) stopped the scan.
 */
int scan_run(const struct scan_target *, size_t n, const struct scan_ports *,
    const struct scan_options *, struct scan_stats *);

#endif
