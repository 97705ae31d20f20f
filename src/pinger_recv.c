/* pinger_recv.c: raw-ping's replies and ICMP errors read, matched to their requests, counted. */
#include "config.h"

#include <sys/socket.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/ip_icmp.h>
#include <string.h>
#include <time.h>

#include "addr.h"
#include "clock.h"
#include "errqueue.h"
#include "pinger_private.h"

static int
quoted_destination_is(const struct icmp_packet *pk, const struct ping_host *h)
{
	if (h->family == AF_INET)
		return memcmp(&pk->original_dst.v4,
			   &((const struct sockaddr_in *)&h->addr)->sin_addr,
			   sizeof(struct in_addr)) == 0;
	return memcmp(&pk->original_dst.v6, &((const struct sockaddr_in6 *)&h->addr)->sin6_addr,
		   sizeof(struct in6_addr)) == 0;
}

static int
ignored(struct pinger *p, struct ping_host *h, const struct sockaddr *from, socklen_t fromlen,
    const char *why)
{
	struct ping_event ev = { .type = PING_EVENT_IGNORED,
		.host = h,
		.from = from,
		.fromlen = fromlen,
		.why = why };

	return pinger_emit(p, &ev);
}

/* What was received when: the kernel's stamp, else now; both against the send time. */
static long long
round_trip(const struct ping_sent *e, const struct timespec *stamp)
{
	struct timespec now;
	long long rtt, elapsed = clock_now_usec() - e->mono;

	if (stamp == NULL) {
		clock_gettime(CLOCK_REALTIME, &now);
		stamp = &now;
	}
	rtt = ((long long)(stamp->tv_sec - e->real.tv_sec) * 1000000000LL +
		  (stamp->tv_nsec - e->real.tv_nsec)) /
	      1000;
	/* The wall clock was set meanwhile: the monotonic clock is the better guess. */
	if (rtt < 0 || rtt > elapsed + 1000)
		rtt = elapsed;
	return rtt;
}

static void
count_pipe(struct ping_host *h, const struct ping_sent *e)
{
	long long inflight = h->stats.transmitted - e->index + 1;

	if (inflight > h->stats.pipe && inflight <= INT_MAX)
		h->stats.pipe = (int)inflight;
}

struct received {
	const struct icmp_packet *pk;
	const struct sockaddr *from;
	socklen_t fromlen;
	const struct timespec *stamp;
	int ttl;
};

static int
handle_reply(struct pinger *p, struct ping_host *h, const struct received *r)
{
	const struct icmp_packet *pk = r->pk;
	struct ping_sent *e = pinger_sent_record(h, pk->seq);
	struct ping_event ev = { .type = PING_EVENT_REPLY,
		.host = h,
		.seq = pk->seq,
		.from = r->from,
		.fromlen = r->fromlen,
		.bytes = pk->length,
		.ttl = r->ttl,
		.data = pk->data,
		.datalen = pk->datalen };

	if (e == NULL)
		return ignored(p, h, r->from, r->fromlen,
		    "reply to a request no longer remembered");
	ev.rtt = round_trip(e, r->stamp);
	ev.different_address = !addr_same_host(r->from, (struct sockaddr *)&h->addr);
	ev.truncated = pk->datalen < p->opt.datalen;
	ev.sent = &e->real;
	if (!pk->checksum_ok) {
		ev.corrupted = 1;
		h->stats.corrupted++;
		return pinger_emit(p, &ev);
	}
	/* As iputils counts it: a reply after the timeout is a reply, marked late, not lost. */
	if (e->state == SENT_LOST) {
		ev.late = 1;
		h->stats.lost--;
		h->stats.late++;
	}
	ping_stats_add_rtt(&h->stats, ev.rtt);
	if ((ev.dup = icmp_seen_test_and_set(&h->seen, pk->seq)))
		h->stats.duplicates++;
	else {
		h->stats.received++;
		e->state = SENT_ANSWERED;
	}
	count_pipe(h, e);
	if (icmp_check_payload(pk->data, pk->datalen, p->opt.datalen, &e->real, &ev.damage) > 0)
		h->stats.damaged++;
	return pinger_emit(p, &ev);
}

static int
handle_error(struct pinger *p, struct ping_host *h, const struct received *r)
{
	const struct icmp_packet *pk = r->pk;
	struct ping_sent *e = pinger_sent_record(h, pk->seq);
	struct ping_event ev = { .type = PING_EVENT_ERROR,
		.host = h,
		.seq = pk->seq,
		.from = r->from,
		.fromlen = r->fromlen,
		.icmp_type = pk->type,
		.icmp_code = pk->code,
		.info = pk->info };

	if (e == NULL || e->state == SENT_LOST)
		return ignored(p, h, r->from, r->fromlen, "error after the timeout (counted lost)");
	h->stats.errors++;
	if (e->state == SENT_PENDING)
		e->state = SENT_FAILED;
	count_pipe(h, e);
	return pinger_emit(p, &ev);
}

static struct ping_host *
host_by_id(struct pinger *p, int family, uint16_t id)
{
	size_t i = (uint16_t)(id - p->idbase);

	if (i >= p->nhosts || p->hosts[i].family != family || p->hosts[i].dgram)
		return NULL;
	return &p->hosts[i];
}

static int
dispatch(struct pinger *p, struct ping_host *dgram_host, const struct received *r)
{
	const struct icmp_packet *pk = r->pk;
	struct ping_host *h;

	if (pk->kind == ICMP_KIND_OTHER)
		return ignored(p, dgram_host, r->from, r->fromlen, pk->why);
	/* A ping socket only gets its own identifier's packets: the kernel matched them. */
	h = dgram_host != NULL ? dgram_host : host_by_id(p, pk->family, pk->id);
	if (h == NULL)
		return ignored(p, NULL, r->from, r->fromlen, "another program's identifier");
	if (pk->kind == ICMP_KIND_REPLY)
		return handle_reply(p, h, r);
	if (!quoted_destination_is(pk, h))
		return ignored(p, h, r->from, r->fromlen, "error about another destination");
	return handle_error(p, h, r);
}

union control {
	char buf[CMSG_SPACE(sizeof(struct timespec)) + 2 * CMSG_SPACE(sizeof(int)) + 128];
	struct cmsghdr align;
};

/* The kernel's receive time and the TTL or hop limit a socket without IP headers gives. */
static void
read_control(struct msghdr *msg, struct timespec *stamp, int *have_stamp, int *ttl)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c != NULL; c = CMSG_NXTHDR(msg, c)) {
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS &&
		    c->cmsg_len >= CMSG_LEN(sizeof(*stamp))) {
			memcpy(stamp, CMSG_DATA(c), sizeof(*stamp));
			*have_stamp = 1;
		} else if (((c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TTL) ||
			       (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_HOPLIMIT)) &&
			   c->cmsg_len >= CMSG_LEN(sizeof(int)))
			memcpy(ttl, CMSG_DATA(c), sizeof(*ttl));
	}
}

/* A ping socket's request as an error queue entry quotes it, and the error as a packet. */
static int
packet_of_entry(const struct ping_host *h, const struct errqueue_entry *e, const uint8_t *quoted,
    struct icmp_packet *pk)
{
	memset(pk, 0, sizeof(*pk));
	pk->family = h->family;
	/* Local errors (EMSGSIZE...) were sendto's, and reported there. */
	if (!e->from_icmp ||
	    icmp_parse_quoted_request(quoted, e->quoted, h->family, &pk->id, &pk->seq) == -1 ||
	    !addr_same_host((const struct sockaddr *)&e->dest, (const struct sockaddr *)&h->addr))
		return -1;
	pk->kind = icmp_error_kind(h->family, e->type);
	pk->type = e->type;
	pk->code = e->code;
	/* The kernel gives a parameter problem's pointer alone, the packet has it on top. */
	pk->info = h->family == AF_INET && e->type == ICMP_PARAMPROB ? e->info << 24 : e->info;
	return pk->kind == ICMP_KIND_OTHER ? -1 : 0;
}

/* The ICMP errors a ping socket was sent (IP_RECVERR), as errors about its requests. */
static int
drain_errors(struct pinger *p, struct ping_host *h)
{
	for (int k = 0; k < DRAIN_MAX; k++) {
		struct errqueue_entry e;
		struct icmp_packet pk;
		uint8_t quoted[576];
		int r = errqueue_read(h->fd, &e, quoted, sizeof(quoted));

		if (r <= 0)
			return r;
		if (packet_of_entry(h, &e, quoted, &pk) == -1)
			continue;
		struct received got = { &pk, (struct sockaddr *)&e.offender, sizeof(e.offender),
			e.have_stamp ? &e.stamp : NULL, -1 };
		if (handle_error(p, h, &got) == -1)
			return -1;
	}
	return 0;
}

/* A packet larger than the buffer (which holds any IP packet): said, never taken apart cut. */
static int
cut(struct pinger *p, struct ping_host *h, const struct msghdr *msg, size_t n)
{
	struct ping_event ev = { .type = PING_EVENT_IGNORED,
		.host = h,
		.from = msg->msg_name,
		.fromlen = msg->msg_namelen,
		.bytes = n,
		.truncated = 1,
		.why = "larger than the receive buffer (MSG_TRUNC): not read" };

	return pinger_emit(p, &ev);
}

/*
 * Reads what a socket holds. IPv4 raw sockets give the IP header; ICMPv6
 * and ping sockets start at the ICMP header, with the TTL aside.
 */
static int
drain(struct pinger *p, int fd, int family, struct ping_host *dgram_host)
{
	for (int k = 0; k < DRAIN_MAX; k++) {
		struct sockaddr_storage from;
		union control control;
		struct iovec iov = { p->rbuf, p->rbuflen };
		struct msghdr msg = { .msg_name = &from,
			.msg_namelen = sizeof(from),
			.msg_iov = &iov,
			.msg_iovlen = 1,
			.msg_control = control.buf,
			.msg_controllen = sizeof(control.buf) };
		struct timespec stamp;
		struct icmp_packet pk;
		int have_stamp = 0, ttl = -1;
		ssize_t n;

		if ((n = recvmsg(fd, &msg, MSG_DONTWAIT)) == -1) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			if (errno == EINTR)
				continue;
			/* A ping socket's pending error: the details are in its error queue. */
			if (dgram_host != NULL)
				return drain_errors(p, dgram_host);
			return 0;
		}
		if (msg.msg_flags & MSG_TRUNC) {
			if (cut(p, dgram_host, &msg, (size_t)n) == -1)
				return -1;
			continue;
		}
		read_control(&msg, &stamp, &have_stamp, &ttl);
		icmp_parse(p->rbuf, (size_t)n, family, family == AF_INET && dgram_host == NULL,
		    &pk);
		struct received r = { &pk, (struct sockaddr *)&from, msg.msg_namelen,
			have_stamp ? &stamp : NULL, pk.ttl != -1 ? pk.ttl : ttl };
		if (dispatch(p, dgram_host, &r) == -1)
			return -1;
	}
	return 0;
}

static struct ping_host *
dgram_host_of(struct pinger *p, int fd)
{
	for (size_t i = 0; i < p->nhosts; i++)
		if (p->hosts[i].dgram && p->hosts[i].fd == fd)
			return &p->hosts[i];
	return NULL;
}

int
pinger_receive(struct pinger *p, struct pollfd *pfd, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct ping_host *h;
		int family;
		if (pfd[i].revents == 0)
			continue;
		h = pfd[i].fd == p->raw_fd[0] || pfd[i].fd == p->raw_fd[1]
			? NULL
			: dgram_host_of(p, pfd[i].fd);
		family = h != NULL ? h->family : pfd[i].fd == p->raw_fd[1] ? AF_INET6 : AF_INET;
		if (h != NULL && (pfd[i].revents & POLLERR) && drain_errors(p, h) == -1)
			return -1;
		if ((pfd[i].revents & POLLIN) && drain(p, pfd[i].fd, family, h) == -1)
			return -1;
	}
	return 0;
}
