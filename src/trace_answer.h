/*
 * trace_answer.h: what an ICMP message or a socket error means for a trace
 * probe, and traceroute's marks; pure, no I/O (the fuzzer calls these).
 */
#ifndef SOCKT_TRACE_ANSWER_H
#define SOCKT_TRACE_ANSWER_H

#include <sys/socket.h>

#include "dgram.h"
#include "icmp.h"
#include "trace.h"

/*
 * Fills the answer of p from an error-queue entry (or a pending socket
 * error) about it: time exceeded, unreachable, too big, a TCP reset.
 */
void trace_answer_from_error(struct trace_probe *p, enum trace_kind, const struct errqueue_entry *,
    const struct sockaddr *dest);
/*
 * Fills the answer of p from an ICMP packet a raw socket received from
 * `from`, already matched to p: an echo reply or an error about the request.
 */
void trace_answer_from_icmp(struct trace_probe *p, const struct icmp_packet *,
    const struct sockaddr *from, const struct sockaddr *dest);
/* "!H", "!N", "!P", "!A", "!X"...: traceroute's mark for an unreachable code; "!" if unknown. */
const char *trace_mark(int icmp6, int type, int code);

#endif
