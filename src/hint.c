/* hint.c: the hint: lines of SPEC 3, for failures whose usual cause is known. */
#include "config.h"

#include <errno.h>
#include <stdio.h>

#include "cmd.h"
#include "hint.h"
#include "report.h"

int
report_bind_failure(const struct endpoint *ep, const struct sock_failure *f, int socktype)
{
	const char *proto = addr_proto_name(socktype);

	if (f->eai != 0) {
		report_eai(f->eai, f->err, "%s port %s", ep->host ? ep->host : "*", ep->port);
		return f->eai == EAI_SERVICE ? EXIT_USAGE : EXIT_RESOLVE;
	}
	report_errno(f->err, "%s to %s port %u (%s)", f->call, f->addr, f->port, proto);
	switch (f->err) {
	case EADDRINUSE:
		hint_port_in_use(f->port, socktype);
		break;
	case EACCES:
		if (f->port < 1024)
			report_hint("ports below 1024 need root or CAP_NET_BIND_SERVICE "
				    "(or a lower net.ipv4.ip_unprivileged_port_start); use a port of 1024 or more");
		break;
	case EADDRNOTAVAIL:
		report_hint("%s is not an address of this machine ('ip addr' lists them)", f->addr);
		break;
	default:
		hint_for_errno(f->err, 0);
	}
	return exit_status_for_errno(f->err);
}

void
hint_port_in_use(uint16_t port, int socktype)
{
	report_hint("another %s socket holds port %u; 'sockt state %s%u' shows which and for how "
		    "long; use --reuseaddr if it is only in TIME_WAIT",
	    addr_proto_name(socktype), port, socktype == SOCK_DGRAM ? "-u " : "", port);
}

void
hint_for_errno(int err, int family)
{
	switch (err) {
	case ENETUNREACH:
		if (family == AF_INET6)
			report_hint("no route to that IPv6 network: this machine may have no global IPv6 "
				    "address or default route ('ip -6 addr', 'ip -6 route'); try -4");
		else
			report_hint("no route to that network ('ip route' shows the routes)");
		break;
	case EHOSTUNREACH:
		report_hint("the host did not answer on its link, or a router said it is unreachable");
		break;
	case EADDRNOTAVAIL:
		report_hint("the source address is not on this machine, or no local port was free");
		break;
	case EMFILE:
	case ENFILE:
		report_hint("out of file descriptors: raise 'ulimit -n' or lower --max-conns/--parallel");
		break;
	case EPERM:
	case EACCES:
		if (family == -1)
			report_hint("raw sockets need root or CAP_NET_RAW ('setcap cap_net_raw+ep sockt'), or "
				    "net.ipv4.ping_group_range to include your group for ping sockets");
		break;
	}
}
