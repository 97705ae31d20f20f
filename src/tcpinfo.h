/* tcpinfo.h: what the kernel measured on a TCP connection (TCP_INFO), read just before close. */
#ifndef SOCKT_TCPINFO_H
#define SOCKT_TCPINFO_H

#include <stddef.h>
#include <stdint.h>

#include "json.h"

/* The fields each kernel version adds; a flag is set only when the kernel filled that field. */
enum {
	TCPINFO_RTT = 1 << 0, /* rtt_usec, rttvar_usec, retrans, lost, pmtu, cwnd (Linux 2.6.x) */
	TCPINFO_BYTES = 1 << 1, /* bytes_acked, bytes_received (Linux 4.1) */
	TCPINFO_DELIVERY = 1 << 2, /* delivery_rate (Linux 4.9) */
};

struct tcpinfo {
	unsigned have; /* TCPINFO_* bits; 0: nothing was read (not TCP, or the call failed) */
	uint32_t rtt_usec, rttvar_usec; /* smoothed RTT and its mean deviation */
	uint32_t retrans; /* segments retransmitted over the connection's life */
	uint32_t lost; /* segments the kernel thinks lost now */
	uint32_t pmtu, cwnd; /* path MTU (bytes), congestion window (segments) */
	uint64_t delivery_rate; /* bytes a second, the latest sample */
	uint64_t bytes_acked, bytes_received;
};

/*
 * The first len bytes of the kernel's struct tcp_info (as long as the kernel
 * made it): only the fields that lie whole inside len are taken. Pure.
 */
void tcpinfo_parse(const void *buf, size_t len, struct tcpinfo *);
/* Reads TCP_INFO from fd into *ti; on any failure ti->have is 0 (nothing to say). */
void tcpinfo_read(int fd, struct tcpinfo *);
/*
 * "rtt 80.312/2.104 ms, retrans 3, lost 0, pmtu 1500, cwnd 10, delivery 12.3 Mbit/s,
 * acked 1048576 B, received 120 B", with only the fields the kernel filled. Pure.
 */
void tcpinfo_format(const struct tcpinfo *, char *buf, size_t len);
/* The same as a "tcp_info" object member of j (nothing when ti->have is 0). Pure. */
void tcpinfo_json(struct json *j, const struct tcpinfo *);

#endif
