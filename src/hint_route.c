/*
 * hint_route.c: why a destination could not be reached: the kernel's route to it (rtnetlink),
 * the IPv6 this host lacks, and who sent the ICMP error that refused it.
 */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <errno.h>
#include <string.h>

#include "addr.h"
#include "errqueue.h"
#include "hint.h"
#include "icmp.h"
#include "report.h"
#include "route.h"

void
hint_offender(const struct sockaddr *dst, const struct errqueue_entry *e)
{
	const struct sockaddr *off = (const struct sockaddr *)&e->offender;
	char a[ADDR_STRLEN];
	const char *what;

	if (!e->from_icmp || off->sa_family == 0)
		return;
	what = icmp_error_brief(e->icmp6 ? AF_INET6 : AF_INET, e->type, e->code);
	addr_format(off, a, sizeof(a));
	if (addr_same_host(off, dst))
		report_hint("%s, reported by the host %s itself", what, a);
	else
		report_hint("%s, reported by router %s", what, a);
}

void
hint_refused_by_host(const struct sockaddr *dst)
{
	char a[ADDR_STRLEN];

	report_hint("refused by the host %s itself (a TCP RST, no ICMP error): nothing listens on "
		    "port %u there, or a firewall answers in its name",
	    addr_format(dst, a, sizeof(a)), addr_port(dst));
}

/* IPv6 without a way out: the usual reason is that the host has only link-local addresses. */
static void
hint_ipv6_reach(void)
{
	struct route_ipv6 v6;

	if (route_ipv6_state(&v6) == -1 || v6.default_route)
		return;
	if (!v6.global_address)
		report_hint("no IPv6 default route: this host has only link-local IPv6; try -4");
	else
		report_hint("no IPv6 default route ('ip -6 route' shows the routes); try -4");
}

int
hint_route(const struct sockaddr *dst)
{
	struct route_info ri;
	char a[ADDR_STRLEN], r[256];

	if (route_get(dst, &ri) == -1)
		return 0;
	addr_format(dst, a, sizeof(a));
	route_format(&ri, r, sizeof(r));
	if (!ri.no_route && ri.err == 0) {
		report_hint("the route to %s: %s", a, r);
		return 1;
	}
	/* An unreachable, prohibit or blackhole route was put there on purpose: say which. */
	if (ri.no_route && strcmp(r, "no route") != 0)
		report_hint("%s leads to %s ('ip route get %s' shows it)", a, r, a);
	else if (ri.no_route)
		report_hint("no route to %s ('ip%s route' shows the routes)", a,
		    dst->sa_family == AF_INET6 ? " -6" : "");
	else
		report_hint("the route to %s is unknown: %s", a, r);
	if (dst->sa_family == AF_INET6)
		hint_ipv6_reach();
	return ri.no_route ? 2 : 1;
}

/* The errors the route explains: the destination could not be reached, or never answered. */
static int
route_explains(int err)
{
	return err == ENETUNREACH || err == EHOSTUNREACH || err == ETIMEDOUT ||
	       err == EADDRNOTAVAIL;
}

void
hint_unreachable(int err, const struct sockaddr *dst, const struct errqueue_entry *e)
{
	int from_icmp = e != NULL && e->from_icmp, known;

	if (from_icmp)
		hint_offender(dst, e);
	if (err == EADDRNOTAVAIL && hint_ports_exhausted(dst))
		return;
	/* The route (and the offender) say more than the generic words, unless a usable route
	 * leaves EHOSTUNREACH to the link (no neighbour answered). */
	if ((from_icmp || route_explains(err)) &&
	    ((known = hint_route(dst)) == 2 || (known == 1 && (from_icmp || err == ENETUNREACH))))
		return;
	if (err != ETIMEDOUT)
		hint_for_errno(err, dst->sa_family);
}
