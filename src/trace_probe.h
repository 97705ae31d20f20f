/* trace_probe.h: one probe's socket opened with its TTL, the probe sent, and its answer read. */
#ifndef SOCKT_TRACE_PROBE_H
#define SOCKT_TRACE_PROBE_H

#include <stdint.h>

#include "trace.h"

/* The headers a probe of each kind carries, for the sizes of --mtu. */
size_t trace_probe_header_len(const struct trace *);
/*
 * Opens p's socket (UDP, TCP, ping socket) or uses the raw one, sets the
 * TTL and sends. A refused send is p's answer (TRACE_SEND_FAILED, or
 * TRACE_TOO_BIG); returns -1 with *f only when the machine fails (no
 * descriptors, no memory).
 */
int trace_probe_send(struct trace *, struct trace_probe *, struct trace_failure *f);
/* Reads what p's socket says; returns 1 when p has its answer, 0 when not yet. */
int trace_probe_read(struct trace *, struct trace_probe *, short revents);
/* Reads every packet the raw socket holds; answered probes are passed to done(). */
void trace_raw_read(struct trace *, void (*done)(struct trace *, struct trace_probe *));
/*
 * ICMP: opens the raw socket, or where that is refused checks that ping
 * sockets may be used instead (raw_fd stays -1). Returns 0, or -1 with *f.
 */
int trace_raw_open(struct trace *, struct trace_failure *f);
/* Whether ping sockets can be opened here (ICMP when raw sockets are refused): 0 or -1. */
int trace_ping_socket_check(int family);
/* The MTU of the route to dest, the first size of --mtu; 0 if unknown. */
uint32_t trace_route_mtu(const struct sockaddr *dest, socklen_t destlen);

#endif
