/*
 * tcping.h: connect -z -c, the TCP twin of raw-ping: one port of every address of a host
 * probed N times, every D, by the scan engine (one round of connects at a time), one line
 * per probe and ping's statistics per address at the end or on SIGINT.
 */
#ifndef SOCKT_TCPING_H
#define SOCKT_TCPING_H

#include <stddef.h>
#include <stdint.h>

#include "scan.h"
#include "source.h"

struct tcping_options {
	long long count; /* -c: rounds */
	int64_t interval_usec; /* -i: from the start of one round to the next */
	int64_t timeout_usec; /* -w: per probe */
	int linger0; /* close an open probe with RST (the default); 0: --linger fin */
	const struct source *src; /* -s/-p */
};

/*
 * Probes port on each of the n addresses (host is the name given, for the
 * summaries and --json), writes each probe and then each address's
 * statistics. Returns the exit status (sockt-connect(1), Probing a port).
 */
int tcping_run(const struct tcping_options *, const char *host, const struct scan_target *,
    size_t n, const struct scan_ports *port);

#endif
