/*
 * trace_probe.c: one probe, one socket (as tracepath does): the TTL is the
 * socket's own, and the error queue of that socket can only be about that
 * probe, so nothing needs matching. ICMP over a raw socket is the exception:
 * one socket for all, answers matched by the echo sequence number.
 */
#include "config.h"

#include <sys/socket.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "addr.h"
#include "clock.h"
#include "dgram.h"
#include "icmp.h"
#include "sock.h"
#include "trace_answer.h"
#include "trace_probe.h"
#include "tunables.h"

#define UDP_HEADER_LEN 8
#define TCP_HEADER_LEN 20

static size_t
ip_header_len(int family)
{
	return family == AF_INET6 ? 40 : 20;
}

size_t
trace_probe_header_len(const struct trace *t)
{
	size_t l4 = t->opt.kind == TRACE_TCP	? TCP_HEADER_LEN
		    : t->opt.kind == TRACE_ICMP ? ICMP_HEADER_LEN
						: UDP_HEADER_LEN;
	return ip_header_len(t->family) + l4;
}

static size_t
payload_len(const struct trace *t, const struct trace_probe *p)
{
	size_t h = trace_probe_header_len(t);

	return p->size > h ? p->size - h : 0;
}

static int
set_int(int fd, int level, int name, int value)
{
	return setsockopt(fd, level, name, &value, sizeof(value));
}

/* Each probe's TTL, set as every socket's tunables are. */
static int
set_hop_limit(int fd, int family, int ttl)
{
	struct tunables t = { .ttl = ttl };
	enum tunable failed;

	return tunables_apply(fd, family, &t, &failed);
}

/* --mtu: DF set and the kernel's path MTU cache ignored, so every hop's limit shows. */
static int
set_probe_mtu_discovery(int fd, int family)
{
	if (family == AF_INET6)
		return set_int(fd, IPPROTO_IPV6, IPV6_MTU_DISCOVER, IPV6_PMTUDISC_PROBE);
	return set_int(fd, IPPROTO_IP, IP_MTU_DISCOVER, IP_PMTUDISC_PROBE);
}

static int
socket_failed(struct trace_failure *f, const char *call, int fd)
{
	f->call = call;
	f->err = errno;
	if (fd != -1)
		close(fd);
	return -1;
}

/* A socket of the probe's kind with its TTL and error queue; -1 with *f. */
static int
open_probe_socket(const struct trace *t, const struct trace_probe *p, struct trace_failure *f)
{
	int type = t->opt.kind == TRACE_TCP ? SOCK_STREAM : SOCK_DGRAM, proto = 0, fd;

	if (t->opt.kind == TRACE_ICMP)
		proto = t->family == AF_INET6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP;
	if ((fd = socket(t->family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, proto)) == -1)
		return socket_failed(f, t->opt.kind == TRACE_ICMP ? "ping socket" : "socket", -1);
	if (set_hop_limit(fd, t->family, p->ttl) == -1)
		return socket_failed(f,
		    t->family == AF_INET6 ? "setsockopt IPV6_UNICAST_HOPS" : "setsockopt IP_TTL",
		    fd);
	if (errqueue_enable(fd, t->family) == -1)
		return socket_failed(f,
		    t->family == AF_INET6 ? "setsockopt IPV6_RECVERR" : "setsockopt IP_RECVERR",
		    fd);
	if (t->opt.mtu && set_probe_mtu_discovery(fd, t->family) == -1)
		return socket_failed(f, "setsockopt IP_MTU_DISCOVER", fd);
	/* A TCP probe closes with a reset: no FIN exchange or TIME_WAIT for a probe. */
	if (t->opt.kind == TRACE_TCP && sock_linger_zero(fd) == -1)
		return socket_failed(f, "setsockopt SO_LINGER", fd);
	return fd;
}

static void
probe_dest(const struct trace *t, const struct trace_probe *p, struct sockaddr_storage *to)
{
	uint16_t port = t->opt.port;

	memcpy(to, &t->dest, t->destlen);
	if (t->opt.kind == TRACE_ICMP)
		port = 0;
	else if (port == 0)
		port = (uint16_t)(TRACE_UDP_BASE_PORT + p->seq - 1);
	addr_set_port((struct sockaddr *)to, port);
}

/* What a refused send or connect means: EMSGSIZE names this machine's MTU. */
static void
send_refused(struct trace *t, struct trace_probe *p, int err)
{
	if (err == EMSGSIZE && t->opt.mtu) {
		uint32_t mtu = trace_route_mtu((struct sockaddr *)&t->dest, t->destlen);
		if (mtu != 0 && mtu < p->size) {
			p->answer = TRACE_TOO_BIG;
			p->mtu = mtu;
			return;
		}
	}
	p->answer = TRACE_SEND_FAILED;
	p->err = err;
}

static void
answered_by_dest(const struct trace *t, struct trace_probe *p, enum trace_answer a)
{
	p->answer = a;
	memcpy(&p->from, &t->dest, t->destlen);
}

static size_t
build_payload(struct trace *t, struct trace_probe *p)
{
	size_t len = payload_len(t, p);
	struct timespec now;

	if (len > t->buflen)
		len = t->buflen;
	if (t->opt.kind != TRACE_ICMP) {
		/* Not zeros: a link that compresses would make sizes lie (as traceroute). */
		for (size_t i = 0; i < len; i++)
			t->buf[i] = (uint8_t)(0x40 + i % 64);
		return len;
	}
	clock_gettime(CLOCK_REALTIME, &now);
	return icmp_build_echo(t->buf, t->buflen, t->family, t->echo_id, p->seq, &now, len);
}

static int
send_raw(struct trace *t, struct trace_probe *p)
{
	size_t len = build_payload(t, p);

	if (set_hop_limit(t->raw_fd, t->family, p->ttl) == -1)
		return -1;
	p->sent_at = clock_now_usec();
	return sendto(t->raw_fd, t->buf, len, 0, (struct sockaddr *)&t->dest, t->destlen) == -1 ? -1
												: 0;
}

int
trace_probe_send(struct trace *t, struct trace_probe *p, struct trace_failure *f)
{
	struct sockaddr_storage to;
	size_t len;

	p->fd = -1;
	if (t->raw_fd != -1) {
		if (send_raw(t, p) == -1)
			send_refused(t, p, errno);
		return 0;
	}
	if ((p->fd = open_probe_socket(t, p, f)) == -1)
		return -1;
	probe_dest(t, p, &to);
	/* The time starts as the packet leaves: the SYN with connect, a datagram with send. */
	p->sent_at = clock_now_usec();
	if (connect(p->fd, (struct sockaddr *)&to, t->destlen) == -1 && errno != EINPROGRESS) {
		/* A TCP port of this machine answers at once; anything else is a local refusal. */
		if (errno == ECONNREFUSED && t->opt.kind == TRACE_TCP)
			answered_by_dest(t, p, TRACE_PORT_CLOSED);
		else
			send_refused(t, p, errno);
		return 0;
	}
	if (t->opt.kind == TRACE_TCP)
		return 0;
	len = build_payload(t, p);
	p->sent_at = clock_now_usec();
	if (send(p->fd, t->buf, len, 0) == -1)
		send_refused(t, p, errno);
	return 0;
}

/* A connected TCP probe, or data on a UDP or ping socket: the destination answered. */
static int
read_reply(struct trace *t, struct trace_probe *p)
{
	ssize_t n;
	struct icmp_packet pkt;

	if (t->opt.kind == TRACE_TCP) {
		p->answer = TRACE_PORT_OPEN;
	} else {
		if ((n = recv(p->fd, t->buf, t->buflen, MSG_DONTWAIT)) == -1)
			return 0;
		if (t->opt.kind == TRACE_ICMP &&
		    (icmp_parse(t->buf, (size_t)n, t->family, 0, &pkt) != 0 ||
			pkt.kind != ICMP_KIND_REPLY || pkt.seq != p->seq))
			return 0;
		p->answer = t->opt.kind == TRACE_ICMP ? TRACE_ECHO_REPLY : TRACE_PORT_OPEN;
	}
	answered_by_dest(t, p, p->answer);
	return 1;
}

int
trace_probe_read(struct trace *t, struct trace_probe *p, short revents)
{
	struct errqueue_entry e;
	int r;

	/* The error queue first: an ICMP message explains a pending socket error. */
	if ((r = dgram_error_read(p->fd, &e)) == 1) {
		trace_answer_from_error(p, t->opt.kind, &e, (struct sockaddr *)&t->dest);
		return 1;
	}
	if (r == -1) {
		p->answer = TRACE_SEND_FAILED;
		p->err = errno;
		return 1;
	}
	if (revents & (POLLIN | POLLOUT))
		return read_reply(t, p);
	return 0;
}

static struct trace_probe *
probe_of_seq(struct trace *t, uint16_t seq)
{
	if (seq == 0 || seq > t->nprobe)
		return NULL;
	return &t->probe[seq - 1];
}

/* A packet from the raw socket: an answer to one of our pending requests, or nothing. */
static struct trace_probe *
match_raw(struct trace *t, const struct icmp_packet *pkt, const struct sockaddr *from)
{
	struct trace_probe *p;

	if (pkt->kind == ICMP_KIND_OTHER || pkt->id != t->echo_id)
		return NULL;
	if ((p = probe_of_seq(t, pkt->seq)) == NULL || p->answer != TRACE_PENDING ||
	    p->sent_at == 0)
		return NULL;
	if (pkt->kind == ICMP_KIND_REPLY)
		return addr_same_host(from, (struct sockaddr *)&t->dest) ? p : NULL;
	if (pkt->has_original_dst) {
		const void *want = t->family == AF_INET6
				       ? (const void *)&((struct sockaddr_in6 *)&t->dest)->sin6_addr
				       : (const void *)&((struct sockaddr_in *)&t->dest)->sin_addr;
		if (memcmp(&pkt->original_dst, want, t->family == AF_INET6 ? 16 : 4) != 0)
			return NULL;
	}
	return p;
}

void
trace_raw_read(struct trace *t, void (*done)(struct trace *, struct trace_probe *))
{
	struct sockaddr_storage from;
	socklen_t fromlen;
	struct icmp_packet pkt;
	struct trace_probe *p;
	ssize_t n;

	/* Bounded: a flood of other ICMP traffic must not hold the loop here. */
	for (int i = 0; i < 64; i++) {
		fromlen = sizeof(from);
		n = recvfrom(t->raw_fd, t->buf, t->buflen, MSG_DONTWAIT, (struct sockaddr *)&from,
		    &fromlen);
		if (n == -1)
			return;
		icmp_parse(t->buf, (size_t)n, t->family, t->family == AF_INET, &pkt);
		if ((p = match_raw(t, &pkt, (struct sockaddr *)&from)) == NULL)
			continue;
		trace_answer_from_icmp(p, &pkt, (struct sockaddr *)&from,
		    (struct sockaddr *)&t->dest);
		done(t, p);
	}
}

int
trace_raw_open(struct trace *t, struct trace_failure *f)
{
	int proto = t->family == AF_INET6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP;

	if ((t->raw_fd = socket(t->family, SOCK_RAW | SOCK_CLOEXEC, proto)) != -1) {
		if (t->opt.mtu && set_probe_mtu_discovery(t->raw_fd, t->family) == -1) {
			socket_failed(f, "setsockopt IP_MTU_DISCOVER", t->raw_fd);
			t->raw_fd = -1;
			return -1;
		}
		return 0;
	}
	if (errno != EPERM && errno != EACCES)
		return socket_failed(f, "raw socket", -1);
	/* Refused: ping sockets instead, as raw-ping does, if this user may open them. */
	f->raw_err = errno;
	if (trace_ping_socket_check(t->family) == -1)
		return socket_failed(f, "ping socket", -1);
	return 0;
}

int
trace_ping_socket_check(int family)
{
	int fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC,
	    family == AF_INET6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP);

	if (fd == -1)
		return -1;
	close(fd);
	return 0;
}

/*
 * The MTU of the link the route to dest leaves by. A datagram too large for
 * it, sent with IP_PMTUDISC_PROBE, is refused on this machine with the
 * link's MTU in the error queue, and never leaves; IP_MTU would give the
 * path MTU the kernel remembers from earlier, not the one to find out.
 */
uint32_t
trace_route_mtu(const struct sockaddr *dest, socklen_t destlen)
{
	int fd, family = dest->sa_family;
	uint32_t mtu = 0;
	struct sockaddr_storage to;
	struct errqueue_entry e;
	static uint8_t big[DGRAM_MAX_IPV4];

	if ((fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		return 0;
	memcpy(&to, dest, destlen);
	addr_set_port((struct sockaddr *)&to, TRACE_UDP_BASE_PORT);
	if (errqueue_enable(fd, family) == 0 && set_probe_mtu_discovery(fd, family) == 0 &&
	    connect(fd, (struct sockaddr *)&to, destlen) == 0) {
		if (send(fd, big, sizeof(big), 0) != -1)
			mtu = 65535; /* a link that carries the largest datagram */
		else if (errno == EMSGSIZE && dgram_error_read(fd, &e) == 1 && e.info != 0)
			mtu = e.info;
	}
	close(fd);
	return mtu;
}
