/*
 * errqueue.h: the socket error queue (IP_RECVERR, IPV6_RECVERR): what an
 * ICMP error or a local failure said about a packet this socket sent.
 * One reader for udp-send, raw-ping's ping sockets and trace.
 */
#ifndef SOCKT_ERRQUEUE_H
#define SOCKT_ERRQUEUE_H

#include <sys/socket.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* One entry: struct sock_extended_err's fields, the offender and the packet's destination. */
struct errqueue_entry {
	int err; /* ee_errno: the errno it stands for */
	int origin; /* ee_origin: SO_EE_ORIGIN_LOCAL, _ICMP, _ICMP6... */
	int from_icmp; /* an ICMP or ICMPv6 message said so */
	int icmp6; /* ICMPv6 rather than ICMP */
	uint8_t type, code; /* ee_type, ee_code: the ICMP message's */
	uint32_t info; /* ee_info: the MTU for "fragmentation needed"/"packet too big" */
	uint32_t data; /* ee_data */
	struct sockaddr_storage offender; /* who sent the ICMP message; ss_family 0 if unknown */
	struct sockaddr_storage dest; /* where the packet that caused it was going */
	size_t quoted; /* bytes of that packet copied into the caller's buffer */
	int have_stamp; /* SO_TIMESTAMPNS was on: when the error arrived */
	struct timespec stamp;
	int ttl; /* IP_RECVTTL/IPV6_RECVHOPLIMIT of the error, -1 if not given */
};

/* Asks for the error queue on a socket of the family (IP_RECVERR or IPV6_RECVERR). */
int errqueue_enable(int fd, int family);

/*
 * Reads one entry without waiting. The packet it is about (from its
 * transport header on: the ICMP header for ping sockets, the UDP payload
 * for UDP) goes to buf, up to len bytes (buf may be NULL). Returns 1, 0
 * when the queue is empty, or -1 with errno.
 */
int errqueue_read(int fd, struct errqueue_entry *, void *buf, size_t len);

#endif
