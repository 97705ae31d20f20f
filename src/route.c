/* route.c: the kernel's route to a destination and the host's IPv6, asked through rtnetlink. */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "addr.h"
#include "route.h"

/* A dump is a few datagrams; a host with a full routing table may need many more. */
#define ROUTE_MAX_DATAGRAMS 4096

struct route_req {
	struct nlmsghdr nh;
	union {
		struct rtmsg rt;
		struct ifaddrmsg ifa;
	} u;
	char attrs[64];
};

/* Appends one attribute to the request; the buffer is large enough for the two it ever has. */
static void
add_attr(struct route_req *req, unsigned short type, const void *data, size_t len)
{
	struct rtattr *rta = (struct rtattr *)((char *)req + NLMSG_ALIGN(req->nh.nlmsg_len));

	rta->rta_type = type;
	rta->rta_len = (unsigned short)RTA_LENGTH(len);
	memcpy(RTA_DATA(rta), data, len);
	req->nh.nlmsg_len = NLMSG_ALIGN(req->nh.nlmsg_len) + RTA_ALIGN(rta->rta_len);
}

/* The destination's attributes: the address, and for a link-local IPv6 one its interface. */
static int
add_destination(struct route_req *req, const struct sockaddr *dst)
{
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)dst;
	uint32_t oif;

	if (dst == NULL)
		return -1;
	if (dst->sa_family == AF_INET) {
		req->u.rt.rtm_dst_len = 32;
		add_attr(req, RTA_DST, &((const struct sockaddr_in *)dst)->sin_addr, 4);
		return 0;
	}
	if (dst->sa_family != AF_INET6)
		return -1;
	req->u.rt.rtm_dst_len = 128;
	add_attr(req, RTA_DST, &sin6->sin6_addr, 16);
	if ((oif = sin6->sin6_scope_id) != 0)
		add_attr(req, RTA_OIF, &oif, sizeof(oif));
	return 0;
}

size_t
route_request(enum route_query q, int family, const struct sockaddr *dst, uint32_t seq, void *buf)
{
	struct route_req req;

	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_seq = seq;
	req.nh.nlmsg_flags = NLM_F_REQUEST;
	if (q == ROUTE_QUERY_ADDRS) {
		req.nh.nlmsg_type = RTM_GETADDR;
		req.nh.nlmsg_flags |= NLM_F_DUMP;
		req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifaddrmsg));
		req.u.ifa.ifa_family = (unsigned char)family;
	} else {
		req.nh.nlmsg_type = RTM_GETROUTE;
		req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct rtmsg));
		req.u.rt.rtm_family = (unsigned char)family;
		if (q == ROUTE_QUERY_DEFAULTS)
			req.nh.nlmsg_flags |= NLM_F_DUMP;
		else if (add_destination(&req, dst) == -1)
			return 0;
	}
	memcpy(buf, &req, req.nh.nlmsg_len);
	return req.nh.nlmsg_len;
}

/* An address attribute of the reply's family into a sockaddr; anything else is left out. */
static void
attr_address(const struct rtattr *rta, int family, struct sockaddr_storage *ss)
{
	size_t len = RTA_PAYLOAD(rta);

	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET && len == 4) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;
		sin->sin_family = AF_INET;
		memcpy(&sin->sin_addr, RTA_DATA(rta), 4);
	} else if (family == AF_INET6 && len == 16) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
		sin6->sin6_family = AF_INET6;
		memcpy(&sin6->sin6_addr, RTA_DATA(rta), 16);
	}
}

static int
unusable_type(int type)
{
	return type == RTN_UNREACHABLE || type == RTN_BLACKHOLE || type == RTN_PROHIBIT ||
	       type == RTN_THROW;
}

/* The answer to ROUTE_QUERY_GET: its type, interface, source and gateway. */
static void
parse_route(const struct rtmsg *rtm, size_t len, struct route_reply *r)
{
	const struct rtattr *rta = RTM_RTA(rtm);
	int rlen = (int)(len - NLMSG_ALIGN(sizeof(*rtm)));

	r->info.type = rtm->rtm_type;
	r->info.no_route = unusable_type(rtm->rtm_type);
	for (; RTA_OK(rta, rlen); rta = RTA_NEXT(rta, rlen)) {
		if (rta->rta_type == RTA_OIF && RTA_PAYLOAD(rta) == sizeof(uint32_t))
			memcpy(&r->oif, RTA_DATA(rta), sizeof(uint32_t));
		else if (rta->rta_type == RTA_PREFSRC)
			attr_address(rta, rtm->rtm_family, &r->info.source);
		else if (rta->rta_type == RTA_GATEWAY)
			attr_address(rta, rtm->rtm_family, &r->info.gateway);
	}
}

/* A route of a dump: whether it is a usable default route of the main table. */
static int
default_route(const struct rtmsg *rtm, size_t len)
{
	const struct rtattr *rta = RTM_RTA(rtm);
	int rlen = (int)(len - NLMSG_ALIGN(sizeof(*rtm)));
	uint32_t table = rtm->rtm_table;

	for (; RTA_OK(rta, rlen); rta = RTA_NEXT(rta, rlen))
		if (rta->rta_type == RTA_TABLE && RTA_PAYLOAD(rta) == sizeof(uint32_t))
			memcpy(&table, RTA_DATA(rta), sizeof(uint32_t));
	return rtm->rtm_dst_len == 0 && rtm->rtm_type == RTN_UNICAST && table == RT_TABLE_MAIN;
}

/* One message of the reply: 1 when the answer is complete, 0 for more, -1 malformed. */
static int
parse_message(const struct nlmsghdr *nh, struct route_reply *r)
{
	size_t plen = nh->nlmsg_len - NLMSG_HDRLEN;

	if (nh->nlmsg_type == NLMSG_DONE)
		return 1;
	if (nh->nlmsg_type == NLMSG_ERROR) {
		const struct nlmsgerr *e = NLMSG_DATA(nh);
		if (plen < sizeof(*e))
			return -1;
		r->info.err = e->error < 0 && e->error > -4096 ? -e->error : EPROTO;
		r->info.no_route = r->info.err == ENETUNREACH || r->info.err == EHOSTUNREACH ||
				   r->info.err == EACCES || r->info.err == EINVAL;
		return 1;
	}
	if (r->query == ROUTE_QUERY_ADDRS && nh->nlmsg_type == RTM_NEWADDR) {
		const struct ifaddrmsg *ifa = NLMSG_DATA(nh);
		if (plen < sizeof(*ifa))
			return -1;
		r->found |= ifa->ifa_family == r->family && ifa->ifa_scope == RT_SCOPE_UNIVERSE;
	} else if (r->query != ROUTE_QUERY_ADDRS && nh->nlmsg_type == RTM_NEWROUTE) {
		const struct rtmsg *rtm = NLMSG_DATA(nh);
		if (plen < sizeof(*rtm))
			return -1;
		if (r->query == ROUTE_QUERY_DEFAULTS) {
			r->found |= rtm->rtm_family == r->family && default_route(rtm, plen);
			return 0;
		}
		parse_route(rtm, plen, r);
		return 1;
	}
	return 0;
}

int
route_parse(const void *buf, size_t len, uint32_t seq, struct route_reply *r)
{
	const unsigned char *p = buf;
	const struct nlmsghdr *nh;
	size_t step;
	int rc;

	/* By hand, not NLMSG_NEXT: its length arithmetic wraps on a short last message. */
	while (len >= sizeof(*nh)) {
		nh = (const struct nlmsghdr *)(const void *)p;
		if (nh->nlmsg_len < sizeof(*nh) || nh->nlmsg_len > len) {
			errno = EPROTO;
			return -1;
		}
		/* Another sequence number answers an earlier question. */
		if (nh->nlmsg_seq == seq && (rc = parse_message(nh, r)) != 0) {
			if (rc == -1)
				errno = EPROTO;
			return rc;
		}
		if ((step = NLMSG_ALIGN(nh->nlmsg_len)) >= len)
			break;
		p += step;
		len -= step;
	}
	return 0;
}

/* A NETLINK_ROUTE socket that gives up after a second: the kernel answers at once or never. */
static int
route_socket(void)
{
	struct timeval tv = { .tv_sec = 1 };
	int fd;

	if ((fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE)) == -1)
		return -1;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Sends the query and reads its answer into r; 0, or -1 with errno. */
static int
ask(int family, const struct sockaddr *dst, struct route_reply *r)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	uint32_t seq = (uint32_t)getpid() ^ (uint32_t)r->query;
	/* Aligned as netlink messages are; 32 KiB holds the largest datagram of a dump. */
	uint32_t req[ROUTE_REQUEST_MAX / 4], buf[8192];
	size_t len;
	ssize_t n;
	int fd, rc = 0, saved;

	if ((len = route_request(r->query, family, dst, seq, req)) == 0) {
		errno = EAFNOSUPPORT;
		return -1;
	}
	if ((fd = route_socket()) == -1)
		return -1;
	if (sendto(fd, req, len, 0, (struct sockaddr *)&kernel, sizeof(kernel)) == -1)
		rc = -1;
	for (int i = 0; rc == 0 && i < ROUTE_MAX_DATAGRAMS; i++) {
		if ((n = recv(fd, buf, sizeof(buf), 0)) <= 0) {
			rc = -1;
			errno = n == 0 ? EPROTO : errno;
		} else if ((rc = route_parse(buf, (size_t)n, seq, r)) == 1) {
			rc = 0;
			break;
		}
	}
	saved = errno;
	close(fd);
	errno = saved;
	return rc;
}

int
route_get(const struct sockaddr *dst, struct route_info *out)
{
	struct route_reply r;
	unsigned int oif;

	memset(&r, 0, sizeof(r));
	r.query = ROUTE_QUERY_GET;
	r.family = dst->sa_family;
	if (ask(dst->sa_family, dst, &r) == -1)
		return -1;
	*out = r.info;
	oif = r.oif;
	if (out->err == 0 && oif != 0 && if_indextoname(oif, out->ifname) == NULL)
		snprintf(out->ifname, sizeof(out->ifname), "if%u", oif);
	return 0;
}

int
route_ipv6_state(struct route_ipv6 *out)
{
	struct route_reply r;

	memset(&r, 0, sizeof(r));
	r.query = ROUTE_QUERY_ADDRS;
	r.family = AF_INET6;
	if (ask(AF_INET6, NULL, &r) == -1)
		return -1;
	out->global_address = r.found;
	memset(&r, 0, sizeof(r));
	r.query = ROUTE_QUERY_DEFAULTS;
	r.family = AF_INET6;
	if (ask(AF_INET6, NULL, &r) == -1)
		return -1;
	out->default_route = r.found;
	return 0;
}

/* The words for a route that leads nowhere. */
static const char *
dead_end(const struct route_info *ri)
{
	if (ri->err == EHOSTUNREACH || ri->type == RTN_UNREACHABLE)
		return "an unreachable route";
	if (ri->err == EACCES || ri->type == RTN_PROHIBIT)
		return "a prohibit route";
	if (ri->err == EINVAL || ri->type == RTN_BLACKHOLE)
		return "a blackhole route";
	if (ri->type == RTN_THROW)
		return "a throw route";
	return "no route";
}

/* Appends " WORD ADDRESS" (without the space at the start of buf) when the address is set. */
static void
append_address(char *buf, size_t size, const char *word, const struct sockaddr_storage *ss)
{
	char a[ADDR_STRLEN];

	if (ss->ss_family == 0)
		return;
	if (buf[0] != '\0')
		strlcat(buf, " ", size);
	strlcat(buf, word, size);
	strlcat(buf, addr_format((const struct sockaddr *)ss, a, sizeof(a)), size);
}

size_t
route_format(const struct route_info *ri, char *buf, size_t size)
{
	if (size == 0)
		return 0;
	buf[0] = '\0';
	if (ri->no_route)
		strlcpy(buf, dead_end(ri), size);
	else if (ri->err != 0)
		snprintf(buf, size, "unknown (%s)", strerror(ri->err));
	else {
		if (ri->type == RTN_LOCAL)
			strlcpy(buf, "local", size);
		append_address(buf, size, "via ", &ri->gateway);
		if (ri->ifname[0] != '\0') {
			if (buf[0] != '\0')
				strlcat(buf, " ", size);
			strlcat(buf, "dev ", size);
			strlcat(buf, ri->ifname, size);
		}
		append_address(buf, size, "src ", &ri->source);
	}
	return strlen(buf);
}
