/*
 * dgram.h: UDP mechanisms for udp-send and udp-recv: batches of datagrams
 * (sendmmsg/recvmmsg), their errors, broadcast and multicast groups.
 */
#ifndef SOCKT_DGRAM_H
#define SOCKT_DGRAM_H

#include <sys/socket.h>
#include <stddef.h>
#include <stdint.h>

#include "errqueue.h"
#include "sock.h"
#include "tunables.h"

/* The largest UDP payload: 65535 minus the IPv4 (20) and UDP (8) headers; IPv6 counts no header. */
#define DGRAM_MAX_IPV4 65507
#define DGRAM_MAX_IPV6 65527
/* A receive buffer that holds any datagram. */
#define DGRAM_BUFFER_DEFAULT 65536
/* Datagrams per sendmmsg/recvmmsg call. */
#define DGRAM_BATCH 64

/* The payload limit of a family (DGRAM_MAX_IPV4 or DGRAM_MAX_IPV6). */
size_t dgram_limit(int family);

/*
 * A batch of datagrams. For sending, slots point at the caller's bytes
 * (size 0, no buffer); for receiving, each slot owns `size` bytes.
 */
struct dgram_batch {
	unsigned cap, n;
	size_t size;
	struct mmsghdr *msg;
	struct iovec *iov;
	struct sockaddr_storage *addr;
	unsigned char *buf;
};

int dgram_batch_init(struct dgram_batch *, unsigned cap, size_t size);
void dgram_batch_free(struct dgram_batch *);

/*
 * Queues a datagram for sending (the bytes are not copied and must stay
 * until dgram_send); to may be NULL on a connected socket. Returns whether
 * the batch is now full.
 */
int dgram_batch_add(struct dgram_batch *, const void *, size_t, const struct sockaddr *to,
    socklen_t tolen);
/*
 * Sends the queued datagrams in order and empties the batch. Returns 0, or
 * -1 with errno; *sent counts those that went out before the failure and
 * *failed_len is the size of the one refused.
 */
int dgram_send(int fd, struct dgram_batch *, uint64_t *sent, size_t *failed_len);

/*
 * Receives up to max datagrams without waiting (recvmmsg): returns how
 * many (0 when none is queued), or -1 with errno.
 */
int dgram_recv(int fd, struct dgram_batch *, unsigned max);
const unsigned char *dgram_data(const struct dgram_batch *, unsigned i);
size_t dgram_kept(const struct dgram_batch *, unsigned i); /* bytes in the buffer */
size_t dgram_size(const struct dgram_batch *, unsigned i); /* bytes the datagram had */
const struct sockaddr *dgram_from(const struct dgram_batch *, unsigned i);
socklen_t dgram_fromlen(const struct dgram_batch *, unsigned i);
/* Writes the kept bytes of datagrams first..first+n-1 to fd, in order, whole (writev). */
int dgram_write_payloads(int fd, const struct dgram_batch *, unsigned first, unsigned n);

/*
 * Reads one entry of the error queue without waiting (errqueue_read), or
 * else the socket's pending SO_ERROR (then only err is set): 1, 0 when
 * there is no error, -1 with errno.
 */
int dgram_error_read(int fd, struct errqueue_entry *);
/*
 * udp-recv's -w ran out with got datagrams in: an error line and status 1 when none came or
 * fewer than count (-c, 0 for no limit) asked for; otherwise a -v line and status 0.
 */
int dgram_timed_out(int64_t timeout_usec, uint64_t got, long long count);

/* The options of a sending socket (udp-send). */
struct dgram_options {
	int broadcast; /* SO_BROADCAST */
	struct tunables tun; /* TTL, TOS, interface */
	int connect; /* connect(2), so that ICMP errors come back as errno */
	const struct sockaddr *source; /* bind here first, or NULL */
	socklen_t sourcelen;
};

/*
 * A UDP socket to `to` with the options set, errors queued and (if asked)
 * connected. Returns the descriptor, or -1 with *f saying which call (or
 * which tunable) failed.
 */
int dgram_open(const struct sockaddr *to, socklen_t tolen, const struct dgram_options *,
    struct sock_failure *f);
/* Grows the receive buffer towards bytes (the kernel caps it at net.core.rmem_max). */
void dgram_grow_rcvbuf(int fd, int bytes);

/* Whether the address is an IPv4 or IPv6 multicast group. */
int dgram_is_multicast(const struct sockaddr *);
/* Joins group on the interface ifindex (0: the one the routing table picks). */
int dgram_join(int fd, const struct sockaddr *group, socklen_t grouplen, unsigned ifindex);
/* The address as it is printed (IPv4-mapped as IPv4) into buf; returns its port. */
uint16_t dgram_address(const struct sockaddr *, char *buf, size_t len);
/* udp-recv's error line and hint for a datagram of size bytes cut to a buffer of buffer bytes. */
void dgram_report_truncated(const struct sockaddr *from, size_t size, size_t buffer);

#endif
