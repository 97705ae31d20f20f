/*
 * cmd_connect.h: what the two halves of sockt-connect(1) share: the relay and the command
 * (cmd_connect.c) and the scan and probes of -z (cmd_connect_scan.c). Private to them.
 */
#ifndef SOCKT_CMD_CONNECT_H
#define SOCKT_CMD_CONNECT_H

#include <netdb.h>
#include <stdint.h>

#include "addr.h"
#include "child.h"
#include "cmd.h"
#include "phases.h"
#include "proxy.h"
#include "relay.h"
#include "source.h"
#include "tls.h"
#include "tunables.h"

struct connect_options {
	const char *source, *source_port;
	int64_t timeout_usec, idle_usec;
	int linger0, linger_set, scan, parallel;
	long long count; /* -z -c: probes (tcping.c) */
	int unix_type; /* -U: SOCK_STREAM or (--seqpacket) SOCK_SEQPACKET; 0 without -U */
	struct relay_options relay;
	const char *relay_only; /* the first relay-only option given, refused with -z */
	const char *dump_path; /* --dump */
	struct tunables tun;
	struct child_prog exec; /* --exec, --sh-exec */
	struct proxy proxy;
	struct tls_options tls;
};

/* HOST's addresses and the -s/-p source: EXIT_OK, or the status once reported. */
int connect_resolve(const struct connect_options *, const struct endpoint *, const char *port,
    struct addrinfo **, struct source *, struct phases *);

/* -s has no address of the family of HOST's: the error line and hint; status 4. */
int connect_source_mismatch(const struct connect_options *, const struct endpoint *);

/* -z: the ports in argv scanned on every address of ep (or probed, -c); the exit status. */
int connect_run_scan(const struct command *, const struct connect_options *,
    const struct endpoint *, int argc, char **argv);

#endif
