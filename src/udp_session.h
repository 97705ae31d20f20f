/*
 * udp_session.h: udp-recv --session, two-way UDP as nc -u -l: locked onto the first sender (or
 * --peer), stdin lines go to it as datagrams and its datagrams are written to stdout.
 */
#ifndef SOCKT_UDP_SESSION_H
#define SOCKT_UDP_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "cmd.h"
#include "payload.h"
#include "sock.h"

struct access_list;

struct udp_session_options {
	int64_t timeout; /* -w: the session ends after D without a datagram from the peer; -1 */
	long long count; /* -c: it ends after N datagrams from the peer; 0 for no limit */
	size_t buffer; /* --buffer */
	enum payload_format format;
	const char *peer; /* --peer HOST:PORT or "HOST PORT"; NULL: the first sender */
	/* --allow, --deny: a refused sender is dropped and counted there, and never locked onto */
	struct access_list *access;
};

/* --peer's word checked as a HOST PORT operand would be: a usage error (status 2) if it is not. */
void udp_session_check_peer(const struct command *, const char *arg);

/*
 * Runs the session on the bound sockets (sockt-udp-recv(1), Sessions) to its end: stdin's end,
 * -c, -w, an ICMP error about a datagram sent, or stdout gone. Returns the exit status.
 */
int udp_session_run(const struct bound *, const struct udp_session_options *);

#endif
