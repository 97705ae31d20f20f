/* hint.h: the hint: lines that explain a failure whose cause is known (sockt(1), DIAGNOSTICS). */
#ifndef SOCKT_HINT_H
#define SOCKT_HINT_H

#include "sock.h"
#include "tunables.h"

/*
 * Reports a failed sock_bind_local (the error line and its hints) and
 * returns the exit status: EADDRINUSE names what holds the port, EACCES
 * the privileged-port rule, a resolver failure its EAI_ code.
 */
int report_bind_failure(const struct endpoint *, const struct sock_failure *, int socktype);
/* "hint: ..." for EADDRINUSE on a port: what holds it (the state issue fills this in from
 * sock_diag). */
void hint_port_in_use(uint16_t port, int socktype);
/* The same after a bind of listen or udp-recv; reuse_off: that bind had no SO_REUSEADDR. */
void hint_port_taken(uint16_t port, int socktype, int reuse_off);
/*
 * A tunable the system refused: "bind to interface eth9 (SO_BINDTODEVICE):
 * No such device [ENODEV...]", its hint, and the exit status (4: local).
 */
int report_tunable_failure(const struct tunables *, enum tunable, int err);
/*
 * After a timeout or silence: the sockt trace line that shows where on the
 * path the answers stop, to the same address (and port, for SOCK_STREAM and
 * SOCK_DGRAM; SOCK_RAW traces with ICMP echo).
 */
void hint_trace(const struct sockaddr *, int socktype);
/* The ways to get a raw socket, with a setcap command that names this binary's real path. */
void hint_raw_socket_permission(void);
/*
 * After udp-recv bound with SO_REUSEADDR: a notice when other UDP sockets
 * share its port, since unicast datagrams then reach only one of them.
 */
void hint_port_shared(const struct bound *);
/* A hint for an errno from connect/sendto/socket where the cause is known. */
void hint_for_errno(int err, int family);

struct errqueue_entry;
/*
 * hint_route.c: the hints for a failure to reach dst (connect, send, ping):
 * who sent the ICMP error (e, from the socket's error queue; may be NULL),
 * the kernel's route to dst for ENETUNREACH, EHOSTUNREACH, EADDRNOTAVAIL,
 * ETIMEDOUT and ICMP errors (with the host's IPv6 when there is none), the
 * port census for EADDRNOTAVAIL, else hint_for_errno's words.
 */
void hint_unreachable(int err, const struct sockaddr *dst, const struct errqueue_entry *e);
/*
 * "hint: the route to DST: via GW dev IF src SRC" and 1, or "no route to DST"
 * (or to a dead end: unreachable, prohibit, blackhole) and 2; 0 if unknown.
 */
int hint_route(const struct sockaddr *dst);
/* "hint: host unreachable, reported by router 10.9.0.1" (or by the host itself). */
void hint_offender(const struct sockaddr *dst, const struct errqueue_entry *e);
/* After a RST answered a connect: the host itself said no, no router on the way. */
void hint_refused_by_host(const struct sockaddr *dst);
/*
 * hint_exhaust.c: after EADDRNOTAVAIL from a connect to dst, when sockets to
 * dst hold local ports: the port range, their states, the first TIME_WAIT to
 * free, tcp_tw_reuse and the ways out. 1 if it said so, 0 if it found none.
 */
int hint_ports_exhausted(const struct sockaddr *dst);

#endif
