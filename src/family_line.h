/* family_line.h: connect -z -v on a dual-stack name: one line per family, side by side (is IPv6
 * working to this host, and is it slower?). */
#ifndef SOCKT_FAMILY_LINE_H
#define SOCKT_FAMILY_LINE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "scan.h"

struct family_tally {
	int family;
	size_t addresses;
	struct sockaddr_storage first; /* the family's first address, whose route is said */
	size_t count[SCAN_ERROR + 1];
	int64_t best_rtt_usec; /* the quickest answer, open or closed; -1: none */
};

struct family_lines {
	struct family_tally f[2]; /* IPv6, IPv4 */
};

/* Counts the targets' addresses per family. */
void family_lines_init(struct family_lines *, const struct scan_target *, size_t n);
/* One port's result on target t. */
void family_lines_add(struct family_lines *, const struct scan_target *t,
    const struct scan_result *);
/*
 * The route the kernel picks for an address, as "via SOURCE dev IFACE", or
 * "no route (strerror)": a UDP connect(2) asks for the route and sends
 * nothing. Later the gateway joins it here.
 */
void family_route(const struct sockaddr *dst, socklen_t len, char *buf, size_t buflen);
/* The -v lines, one per family, when both families were scanned. */
void family_lines_say(const struct family_lines *);

#endif
