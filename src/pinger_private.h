/* pinger_private.h: what pinger.c, pinger_socket.c and pinger_recv.c share, and nothing else. */
#ifndef SOCKT_PINGER_PRIVATE_H
#define SOCKT_PINGER_PRIVATE_H

#include <poll.h>

#include "pinger.h"

/* A send record's state. */
enum { SENT_FREE, SENT_PENDING, SENT_ANSWERED, SENT_FAILED, SENT_LOST };

/* A drain takes at most this many packets before the loop looks at the clock again. */
#define DRAIN_MAX 256

/*
 * The receive buffer holds the largest packet a socket can deliver: an
 * IPv4 datagram (header included) or an ICMPv6 message, 65535 bytes. A
 * reply is never cut to the size of the request.
 */
#define PINGER_RECV_MAX 65536

/* How long after its timeout a reply is still matched to its request, counted, shown late. */
#define PINGER_LATE_WINDOW 10000000

/* 0 for IPv4, 1 for IPv6: the index of raw_fd and raw_refused. */
int pinger_family_index(int family);
/* Hands an event to the caller's handler; -1 once the handler has ended the run. */
int pinger_emit(struct pinger *, struct ping_event *);
/* The send record of a host's seq, or NULL when it is no longer kept. */
struct ping_sent *pinger_sent_record(struct ping_host *, uint16_t seq);
/* Marks a request lost and says so. */
int pinger_lose(struct pinger *, struct ping_host *, struct ping_sent *);
/* Reads what the ready sockets hold (pinger_recv.c). */
int pinger_receive(struct pinger *, struct pollfd *, size_t n);

#endif
