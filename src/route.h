/*
 * route.h: what the kernel would do with a packet to a destination (rtnetlink RTM_GETROUTE, as
 * 'ip route get' asks), and whether this host has global IPv6 at all. Only questions to the
 * kernel: nothing is sent on the network.
 */
#ifndef SOCKT_ROUTE_H
#define SOCKT_ROUTE_H

#include <net/if.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* The kernel's answer for one destination. */
struct route_info {
	int err; /* 0: a route answered; else the lookup's errno (ENETUNREACH: no route) */
	int no_route; /* no route, or one of type unreachable, blackhole or prohibit */
	int type; /* RTN_UNICAST, RTN_LOCAL, RTN_UNREACHABLE ...; 0 when err */
	char ifname[IF_NAMESIZE]; /* the outgoing interface, "" if none or unknown */
	struct sockaddr_storage source; /* the source address it would use; family 0 if none */
	struct sockaddr_storage gateway; /* the next hop; family 0 when on the link */
};

/*
 * Asks the kernel how it routes dst (AF_INET or AF_INET6; the port is
 * ignored). Returns 0 with out filled (out->err says whether there is a
 * route), or -1 with errno when rtnetlink could not be asked.
 */
int route_get(const struct sockaddr *dst, struct route_info *out);

/*
 * "via 10.9.0.1 dev eth0 src 10.9.0.2", "dev eth0 src ::1", or "no route"
 * (with the type: "unreachable route", "blackhole route", "prohibit route").
 * Returns the length.
 */
size_t route_format(const struct route_info *, char *, size_t);

/* The IPv6 this host has: any global (not link-local, not loopback) address, a default route. */
struct route_ipv6 {
	int global_address;
	int default_route;
};
/* Fills it from two rtnetlink dumps; 0, or -1 with errno. */
int route_ipv6_state(struct route_ipv6 *);

/* What a netlink reply is parsed for. */
enum route_query {
	ROUTE_QUERY_GET, /* one RTM_NEWROUTE: the route to a destination */
	ROUTE_QUERY_DEFAULTS, /* a route dump: is there a default route? */
	ROUTE_QUERY_ADDRS, /* an address dump: is there a global IPv6 address? */
};

struct route_reply {
	enum route_query query;
	int family;
	struct route_info info; /* ROUTE_QUERY_GET; info.ifname is left to route_get */
	unsigned int oif; /* RTA_OIF */
	int found; /* a default route, or a global address */
};

/*
 * Pure: the request for a query into buf (ROUTE_REQUEST_MAX bytes); dst is
 * for ROUTE_QUERY_GET only. Returns its length, 0 if dst is of no known family.
 */
#define ROUTE_REQUEST_MAX 128
size_t route_request(enum route_query, int family, const struct sockaddr *dst, uint32_t seq,
    void *buf);
/*
 * Pure: parses one datagram of the kernel's reply (4-byte aligned, as
 * netlink messages are). Returns 1 when the
 * answer is complete (the route, an error for the route, NLMSG_DONE), 0
 * when more is to come, -1 with errno EPROTO for a malformed reply. A
 * kernel error for ROUTE_QUERY_GET goes into r->info.err, not errno.
 */
int route_parse(const void *, size_t, uint32_t seq, struct route_reply *r);

#endif
