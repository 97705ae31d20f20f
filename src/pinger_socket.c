/* pinger_socket.c: raw-ping's sockets opened and configured: raw ones, or else ping sockets. */
#include "config.h"

#include <sys/socket.h>
#include <errno.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/ip_icmp.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "errqueue.h"
#include "pinger_private.h"

/* From <linux/icmp.h>, whose struct icmphdr clashes with the C library's. */
#define RAW_ICMP_FILTER 1
struct raw_icmp_filter {
	uint32_t data; /* a bit set for each ICMP type to drop */
};

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
	if (dgram && family == AF_INET && set_int(fd, IPPROTO_IP, IP_RECVTTL, 1) == -1)
		return fail(f, "setsockopt IP_RECVTTL", family);
	if (dgram && errqueue_enable(fd, family) == -1)
		return fail(f,
		    family == AF_INET6 ? "setsockopt IPV6_RECVERR" : "setsockopt IP_RECVERR",
		    family);
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
		f->raw_err = p->raw_refused[pinger_family_index(h->family)];
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
			p->raw_refused[pinger_family_index(family)] = errno;
			return 0;
		}
		return fail(f, "raw socket", family);
	}
	p->raw_fd[pinger_family_index(family)] = fd;
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
		int raw = p->raw_fd[pinger_family_index(h->family)];
		if (raw != -1) {
			h->fd = raw;
			/* One raw socket sees every reply: each host has its own identifier. */
			h->id = (uint16_t)(p->idbase + i);
		} else if (open_dgram(p, h, f) == -1)
			return -1;
	}
	return 0;
}

/* As iputils finds it for its header: connecting a UDP socket sends nothing. */
int
pinger_source_of(const struct pinger *p, const struct ping_host *h, struct sockaddr_storage *ss)
{
	struct sockaddr_storage to;
	socklen_t len = sizeof(*ss);
	enum tunable failed;
	int fd, r = -1;

	if ((fd = socket(h->family, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	memcpy(&to, &h->addr, h->addrlen);
	addr_set_port((struct sockaddr *)&to, 1025);
	if (tunables_apply(fd, h->family, &p->opt.tun, &failed) == 0 &&
	    connect(fd, (struct sockaddr *)&to, h->addrlen) == 0 &&
	    getsockname(fd, (struct sockaddr *)ss, &len) == 0)
		r = 0;
	close(fd);
	return r;
}
