/* pinger.c: the event loop that pings several hosts at once: sockets, sending, matching, stats. */
#include "config.h"

#include <sys/socket.h>
#include <sys/types.h>
#include <errno.h>
#include <limits.h>
#include <linux/errqueue.h>
#include <net/if.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "clock.h"
#include "pinger.h"

enum { SENT_FREE, SENT_PENDING, SENT_ANSWERED, SENT_FAILED, SENT_LOST };

/* A drain takes at most this many packets before the loop looks at the clock again. */
#define DRAIN_MAX 256

/* From <linux/icmp.h>, whose struct icmphdr clashes with the C library's. */
#define RAW_ICMP_FILTER 1
struct raw_icmp_filter {
	uint32_t data; /* a bit set for each ICMP type to drop */
};

static int
family_index(int family)
{
	return family == AF_INET6;
}

static size_t
ring_size(const struct pinger_options *o)
{
	int64_t need = o->timeout / (o->interval > 0 ? o->interval : 1) + 2;
	size_t size = 16;

	/* Sequence numbers have 16 bits: more in flight cannot be told apart anyway. */
	while (size < 65536 && (int64_t)size < need)
		size <<= 1;
	return size;
}

int
pinger_init(struct pinger *p, const struct pinger_options *o, size_t nhosts)
{
	size_t ring = ring_size(o);

	memset(p, 0, sizeof(*p));
	p->opt = *o;
	p->raw_fd[0] = p->raw_fd[1] = -1;
	p->nhosts = p->hostcap = nhosts;
	p->idbase = (uint16_t)arc4random_uniform(65536);
	p->packetlen = ICMP_HEADER_LEN + o->datalen;
	/* A reply with an IPv4 header and options, or an error quoting up to 1280 bytes. */
	p->rbuflen = o->datalen + ICMP_HEADER_LEN + 60 + 1500;
	if ((p->hosts = calloc(nhosts, sizeof(*p->hosts))) == NULL ||
	    (p->packet = malloc(p->packetlen)) == NULL || (p->rbuf = malloc(p->rbuflen)) == NULL) {
		pinger_free(p);
		return -1;
	}
	for (size_t i = 0; i < nhosts; i++) {
		p->hosts[i].fd = -1;
		p->hosts[i].ringmask = ring - 1;
		p->hosts[i].oldest = 1;
		if ((p->hosts[i].ring = calloc(ring, sizeof(struct ping_sent))) == NULL) {
			pinger_free(p);
			return -1;
		}
	}
	return 0;
}

void
pinger_free(struct pinger *p)
{
	for (size_t i = 0; p->hosts != NULL && i < p->hostcap; i++) {
		if (p->hosts[i].dgram && p->hosts[i].fd != -1)
			close(p->hosts[i].fd);
		free(p->hosts[i].ring);
	}
	for (int i = 0; i < 2; i++)
		if (p->raw_fd[i] != -1)
			close(p->raw_fd[i]);
	free(p->hosts);
	free(p->packet);
	free(p->rbuf);
	memset(p, 0, sizeof(*p));
	p->raw_fd[0] = p->raw_fd[1] = -1;
}

static int
fail(struct pinger_failure *f, const char *call, int family)
{
	f->call = call;
	f->err = errno;
	f->family = family;
	return -1;
}

static int
set_int(int fd, int level, int name, int value)
{
	return setsockopt(fd, level, name, &value, sizeof(value));
}

/* Only the messages a pinger reads wake it: not other hosts' echo requests, redirects... */
static int
set_filter(int fd, int family, struct pinger_failure *f)
{
	if (family == AF_INET) {
		struct raw_icmp_filter filt;

		filt.data = ~(1u << ICMP_ECHOREPLY | 1u << ICMP_UNREACH | 1u << ICMP_TIMXCEED |
			      1u << ICMP_PARAMPROB);
		if (setsockopt(fd, SOL_RAW, RAW_ICMP_FILTER, &filt, sizeof(filt)) == -1)
			return fail(f, "setsockopt ICMP_FILTER", family);
		return 0;
	}
	struct icmp6_filter filt6;
	ICMP6_FILTER_SETBLOCKALL(&filt6);
	ICMP6_FILTER_SETPASS(ICMP6_ECHO_REPLY, &filt6);
	ICMP6_FILTER_SETPASS(ICMP6_DST_UNREACH, &filt6);
	ICMP6_FILTER_SETPASS(ICMP6_PACKET_TOO_BIG, &filt6);
	ICMP6_FILTER_SETPASS(ICMP6_TIME_EXCEEDED, &filt6);
	ICMP6_FILTER_SETPASS(ICMP6_PARAM_PROB, &filt6);
	if (setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &filt6, sizeof(filt6)) == -1)
		return fail(f, "setsockopt ICMP6_FILTER", family);
	return 0;
}

/* What every socket gets: kernel receive timestamps, the tunables, the source. */
static int
configure(struct pinger *p, int fd, int family, int dgram, struct pinger_failure *f)
{
	const struct pinger_options *o = &p->opt;

	if (set_int(fd, SOL_SOCKET, SO_TIMESTAMPNS, 1) == -1)
		return fail(f, "setsockopt SO_TIMESTAMPNS", family);
	if (family == AF_INET6 && set_int(fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, 1) == -1)
		return fail(f, "setsockopt IPV6_RECVHOPLIMIT", family);
	/* Ping sockets give neither the IP header nor ICMP errors but through these. */
	if (dgram && family == AF_INET &&
	    (set_int(fd, IPPROTO_IP, IP_RECVTTL, 1) == -1 ||
		set_int(fd, IPPROTO_IP, IP_RECVERR, 1) == -1))
		return fail(f, "setsockopt IP_RECVERR", family);
	if (dgram && family == AF_INET6 && set_int(fd, IPPROTO_IPV6, IPV6_RECVERR, 1) == -1)
		return fail(f, "setsockopt IPV6_RECVERR", family);
	if (!dgram && set_filter(fd, family, f) == -1)
		return -1;
	if (tunables_apply(fd, family, &o->tun, &f->tunable) == -1)
		return fail(f, "setsockopt", family);
	if (o->source != NULL && o->source->sa_family == family &&
	    bind(fd, o->source, o->sourcelen) == -1)
		return fail(f, "bind", family);
	return 0;
}

/* A ping socket's identifier is its local "port": bound, it is known before the first send. */
static int
open_dgram(struct pinger *p, struct ping_host *h, struct pinger_failure *f)
{
	int proto = h->family == AF_INET6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP;
	struct sockaddr_storage ss = { .ss_family = (sa_family_t)h->family };
	socklen_t len =
	    h->family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);

	if ((h->fd = socket(h->family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, proto)) == -1) {
		fail(f, "ping socket", h->family);
		f->raw_err = p->raw_refused[family_index(h->family)];
		return -1;
	}
	h->dgram = 1;
	if (configure(p, h->fd, h->family, 1, f) == -1)
		return -1;
	if (p->opt.source == NULL && bind(h->fd, (struct sockaddr *)&ss, len) == -1)
		return fail(f, "bind", h->family);
	if (getsockname(h->fd, (struct sockaddr *)&ss, &len) == -1)
		return fail(f, "getsockname", h->family);
	if (h->family == AF_INET6)
		h->id = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	else
		h->id = ntohs(((struct sockaddr_in *)&ss)->sin_port);
	return 0;
}

static int
open_raw(struct pinger *p, int family, struct pinger_failure *f)
{
	int proto = family == AF_INET6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP, fd;

	if ((fd = socket(family, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, proto)) == -1) {
		if (errno == EPERM || errno == EACCES) {
			p->raw_refused[family_index(family)] = errno;
			return 0;
		}
		return fail(f, "raw socket", family);
	}
	p->raw_fd[family_index(family)] = fd;
	return configure(p, fd, family, 0, f);
}

int
pinger_open(struct pinger *p, struct pinger_failure *f)
{
	static const int families[] = { AF_INET, AF_INET6 };

	memset(f, 0, sizeof(*f));
	for (size_t k = 0; k < 2; k++) {
		int used = 0;
		for (size_t i = 0; i < p->nhosts; i++)
			used |= p->hosts[i].family == families[k];
		if (used && open_raw(p, families[k], f) == -1)
			return -1;
	}
	for (size_t i = 0; i < p->nhosts; i++) {
		struct ping_host *h = &p->hosts[i];
		int raw = p->raw_fd[family_index(h->family)];
		if (raw != -1) {
			h->fd = raw;
			/* One raw socket sees every reply: each host has its own identifier. */
			h->id = (uint16_t)(p->idbase + i);
		} else if (open_dgram(p, h, f) == -1)
			return -1;
	}
	return 0;
}

/* A handler returning -1 ends the run (its output is gone): that is no failure of the loop. */
static int
emit(struct pinger *p, struct ping_event *ev)
{
	if (p->stopped || p->on_event(ev, p->arg) == -1) {
		p->stopped = 1;
		return -1;
	}
	return 0;
}

static struct ping_sent *
sent_record(struct ping_host *h, uint16_t seq)
{
	struct ping_sent *e = &h->ring[seq & h->ringmask];

	if (e->state == SENT_FREE || (uint16_t)e->index != seq)
		return NULL;
	return e;
}

static int
lose(struct pinger *p, struct ping_host *h, struct ping_sent *e)
{
	struct ping_event ev = { .type = PING_EVENT_LOSS, .host = h, .seq = (uint16_t)e->index };

	e->state = SENT_LOST;
	h->stats.lost++;
	return emit(p, &ev);
}

static int
send_one(struct pinger *p, struct ping_host *h, int64_t now)
{
	long long index = h->stats.transmitted + 1;
	struct ping_sent *e = &h->ring[index & (long long)h->ringmask];
	uint16_t seq = (uint16_t)index;
	struct ping_event ev = { .type = PING_EVENT_SEND_ERROR, .host = h, .seq = seq };
	size_t len;

	/* Only when the loop fell far behind: the oldest record must make room. */
	if (e->state == SENT_PENDING && lose(p, h, e) == -1)
		return -1;
	clock_gettime(CLOCK_REALTIME, &e->real);
	e->mono = now;
	e->index = index;
	e->state = SENT_PENDING;
	icmp_seen_clear(&h->seen, seq);
	len = icmp_build_echo(p->packet, p->packetlen, h->family, h->id, seq, &e->real,
	    p->opt.datalen);
	h->stats.transmitted = index;
	if (index == 1)
		h->stats.first_send = now;
	h->stats.last_send = now;
	if (sendto(h->fd, p->packet, len, 0, (struct sockaddr *)&h->addr, h->addrlen) == -1) {
		ev.err = errno;
		e->state = SENT_FAILED;
		h->stats.errors++;
		return emit(p, &ev);
	}
	return 0;
}

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

	return emit(p, &ev);
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
count_rtt(struct ping_stats *s, long long rtt)
{
	if (s->received + s->duplicates == 0 || rtt < s->tmin)
		s->tmin = rtt;
	if (rtt > s->tmax)
		s->tmax = rtt;
	s->tsum += rtt;
	s->tsum2 += rtt * rtt;
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
	struct ping_sent *e = sent_record(h, pk->seq);
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
	if (e->state == SENT_LOST)
		return ignored(p, h, r->from, r->fromlen, "reply after the timeout (counted lost)");
	ev.rtt = round_trip(e, r->stamp);
	ev.different_address = !addr_same_host(r->from, (struct sockaddr *)&h->addr);
	ev.truncated = pk->datalen < p->opt.datalen;
	ev.sent = &e->real;
	if (!pk->checksum_ok) {
		ev.corrupted = 1;
		h->stats.corrupted++;
		return emit(p, &ev);
	}
	count_rtt(&h->stats, ev.rtt);
	if ((ev.dup = icmp_seen_test_and_set(&h->seen, pk->seq)))
		h->stats.duplicates++;
	else {
		h->stats.received++;
		e->state = SENT_ANSWERED;
	}
	count_pipe(h, e);
	if (icmp_check_payload(pk->data, pk->datalen, p->opt.datalen, &e->real, &ev.damage) > 0)
		h->stats.damaged++;
	return emit(p, &ev);
}

static int
handle_error(struct pinger *p, struct ping_host *h, const struct received *r)
{
	const struct icmp_packet *pk = r->pk;
	struct ping_sent *e = sent_record(h, pk->seq);
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
	return emit(p, &ev);
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

/* The ICMP errors a ping socket was sent (IP_RECVERR), as errors about its requests. */
static int
drain_errors(struct pinger *p, struct ping_host *h)
{
	for (int k = 0; k < DRAIN_MAX; k++) {
		struct sockaddr_storage target;
		union control control;
		uint8_t quoted[576];
		struct iovec iov = { quoted, sizeof(quoted) };
		struct msghdr msg = { .msg_name = &target,
			.msg_namelen = sizeof(target),
			.msg_iov = &iov,
			.msg_iovlen = 1,
			.msg_control = control.buf,
			.msg_controllen = sizeof(control.buf) };
		struct sock_extended_err *ee = NULL;
		struct icmp_packet pk = { .family = h->family };
		ssize_t n;

		if ((n = recvmsg(h->fd, &msg, MSG_ERRQUEUE | MSG_DONTWAIT)) == -1)
			return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? 0 : -1;
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c != NULL; c = CMSG_NXTHDR(&msg, c))
			if ((c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_RECVERR) ||
			    (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_RECVERR))
				ee = (struct sock_extended_err *)(void *)CMSG_DATA(c);
		/* Local errors (EMSGSIZE...) were sendto's, and reported there. */
		if (ee == NULL ||
		    (ee->ee_origin != SO_EE_ORIGIN_ICMP && ee->ee_origin != SO_EE_ORIGIN_ICMP6))
			continue;
		if (icmp_parse_quoted_request(quoted, (size_t)n, h->family, &pk.id, &pk.seq) ==
			-1 ||
		    !addr_same_host((struct sockaddr *)&target, (struct sockaddr *)&h->addr))
			continue;
		pk.kind = icmp_error_kind(h->family, ee->ee_type);
		pk.type = ee->ee_type;
		pk.code = ee->ee_code;
		/* The kernel gives a parameter problem's pointer alone, the packet has it on top.
		 */
		pk.info = h->family == AF_INET && ee->ee_type == ICMP_PARAMPROB ? ee->ee_info << 24
										: ee->ee_info;
		struct received r = { &pk, SO_EE_OFFENDER(ee), sizeof(struct sockaddr_in6), NULL,
			-1 };
		if (pk.kind != ICMP_KIND_OTHER && handle_error(p, h, &r) == -1)
			return -1;
	}
	return 0;
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

static int
sending_done(const struct pinger *p, const struct ping_host *h)
{
	return p->opt.count > 0 && h->stats.transmitted >= p->opt.count;
}

static int
host_done(const struct pinger *p, const struct ping_host *h)
{
	return sending_done(p, h) && h->oldest > h->stats.transmitted;
}

/* Requests unanswered for the timeout are lost, in the order they were sent. */
static int
expire(struct pinger *p, struct ping_host *h, int64_t now, int64_t *wake)
{
	while (h->oldest <= h->stats.transmitted) {
		struct ping_sent *e = &h->ring[h->oldest & (long long)h->ringmask];
		if (e->index == h->oldest && e->state == SENT_PENDING) {
			if (e->mono + p->opt.timeout > now) {
				if (e->mono + p->opt.timeout < *wake)
					*wake = e->mono + p->opt.timeout;
				return 0;
			}
			if (lose(p, h, e) == -1)
				return -1;
		}
		h->oldest++;
	}
	return 0;
}

/* Sends what is due, expires what is late; *wake becomes the next time anything is due. */
static int
tick(struct pinger *p, int64_t now, int64_t *wake, int *all_done)
{
	*all_done = 1;
	for (size_t i = 0; i < p->nhosts; i++) {
		struct ping_host *h = &p->hosts[i];
		if (!sending_done(p, h) && h->next_send <= now) {
			if (send_one(p, h, now) == -1)
				return -1;
			/* Keep the cadence; after a stall, start again from now rather than burst.
			 */
			h->next_send += p->opt.interval;
			if (h->next_send <= now)
				h->next_send = now + p->opt.interval;
		}
		if (!sending_done(p, h) && h->next_send < *wake)
			*wake = h->next_send;
		if (expire(p, h, now, wake) == -1)
			return -1;
		if (!host_done(p, h))
			*all_done = 0;
	}
	return 0;
}

static struct pollfd *
poll_set(struct pinger *p, size_t *n)
{
	struct pollfd *pfd = calloc(p->nhosts + 2, sizeof(*pfd));

	*n = 0;
	if (pfd == NULL)
		return NULL;
	for (int i = 0; i < 2; i++)
		if (p->raw_fd[i] != -1)
			pfd[(*n)++] = (struct pollfd){ .fd = p->raw_fd[i], .events = POLLIN };
	for (size_t i = 0; i < p->nhosts; i++)
		if (p->hosts[i].dgram)
			pfd[(*n)++] = (struct pollfd){ .fd = p->hosts[i].fd, .events = POLLIN };
	return pfd;
}

static struct ping_host *
dgram_host_of(struct pinger *p, int fd)
{
	for (size_t i = 0; i < p->nhosts; i++)
		if (p->hosts[i].dgram && p->hosts[i].fd == fd)
			return &p->hosts[i];
	return NULL;
}

static int
receive(struct pinger *p, struct pollfd *pfd, size_t n)
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

static int
wait_for(struct pollfd *pfd, size_t n, int64_t usec, const sigset_t *waitmask)
{
	struct timespec ts = { (time_t)(usec / 1000000), (long)(usec % 1000000) * 1000 };

	/* A signal leaves revents as they were: nothing must look ready then. */
	for (size_t i = 0; i < n; i++)
		pfd[i].revents = 0;
	if (ppoll(pfd, n, &ts, waitmask) == -1 && errno != EINTR)
		return -1;
	return 0;
}

static int
finish(struct pinger *p)
{
	for (size_t i = 0; i < p->nhosts; i++) {
		struct ping_host *h = &p->hosts[i];
		for (; h->oldest <= h->stats.transmitted; h->oldest++) {
			struct ping_sent *e = &h->ring[h->oldest & (long long)h->ringmask];
			if (e->index == h->oldest && e->state == SENT_PENDING &&
			    lose(p, h, e) == -1)
				return -1;
		}
	}
	return 0;
}

int
pinger_run(struct pinger *p, volatile sig_atomic_t *stop, const sigset_t *waitmask)
{
	int64_t now = clock_now_usec(),
		end = p->opt.deadline > 0 ? now + p->opt.deadline : INT64_MAX;
	struct pollfd *pfd;
	size_t npfd;
	int all_done, status = 0, err;

	if ((pfd = poll_set(p, &npfd)) == NULL)
		return -1;
	p->start = now;
	for (size_t i = 0; i < p->nhosts; i++)
		p->hosts[i].next_send = now;
	while (!*stop) {
		int64_t wake = end;
		now = clock_now_usec();
		if (now >= end)
			break;
		if (tick(p, now, &wake, &all_done) == -1 || all_done)
			break;
		if (wait_for(pfd, npfd, wake > now ? wake - now : 0, waitmask) == -1 ||
		    receive(p, pfd, npfd) == -1) {
			status = -1;
			break;
		}
	}
	err = errno;
	free(pfd);
	if (p->stopped)
		return 0;
	finish(p);
	errno = err;
	return status;
}

static long long
llsqrt(long long a)
{
	long long prev = LLONG_MAX, x = a;

	if (x > 0)
		while (x < prev) {
			prev = x;
			x = (x + a / x) / 2;
		}
	return x;
}

/* The same integer steps as iputils, so that the same samples give the same figures. */
void
ping_stats_rtt(const struct ping_stats *s, long long *min, long long *avg, long long *max,
    long long *mdev)
{
	long long total = s->received + s->duplicates, var;

	*min = *avg = *max = *mdev = 0;
	if (total <= 0)
		return;
	*min = s->tmin;
	*max = s->tmax;
	*avg = s->tsum / total;
	if (s->tsum < INT_MAX)
		var = (s->tsum2 - s->tsum * s->tsum / total) / total;
	else
		var = s->tsum2 / total - *avg * *avg;
	*mdev = llsqrt(var);
}

void
ping_format_rtt(long long t, char *buf, size_t len)
{
	if (t >= 100000 - 50)
		snprintf(buf, len, "%lld", (t + 500) / 1000);
	else if (t >= 10000 - 5)
		snprintf(buf, len, "%lld.%01lld", (t + 50) / 1000, ((t + 50) % 1000) / 100);
	else if (t >= 1000)
		snprintf(buf, len, "%lld.%02lld", (t + 5) / 1000, ((t + 5) % 1000) / 10);
	else
		snprintf(buf, len, "%lld.%03lld", t / 1000, t % 1000);
}
