/*
 * unixsock_dgram.h: udp-send and udp-recv on SOCK_DGRAM Unix sockets (-U, --dgram): the
 * datagrams go as UDP's do, to or from a PATH or @NAME (sockt(1), UNIX SOCKETS).
 */
#ifndef SOCKT_UNIXSOCK_DGRAM_H
#define SOCKT_UNIXSOCK_DGRAM_H

#include <stddef.h>
#include <stdint.h>

#include "payload.h"
#include "unixsock.h"

struct unix_recv_options {
	long long count; /* 0: no limit */
	int64_t timeout; /* -1: none */
	int echo;
	enum payload_format format;
	size_t buffer;
};

/* udp-recv -U: binds a (a stale file removed), writes each datagram; returns the exit status. */
int unix_dgram_recv(struct unix_addr *, const struct unix_recv_options *);

struct unix_send_options {
	long long count; /* each datagram this many times */
	int64_t interval, reply; /* -1: none */
	enum payload_format format; /* of the answers */
	int whole, escapes;
};

/*
 * udp-send -U: from an autobound abstract address (so that answers can
 * come back), connected to a, the MESSAGE words (argc > 0) or stdin's
 * lines (or all of it, whole); returns the exit status.
 */
int unix_dgram_send(const struct unix_addr *, const struct unix_send_options *, int argc,
    char **argv);

#endif
