/* attempts.c: the error and -v lines of connection attempts, in one wording for connect and send.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "addr.h"
#include "attempts.h"
#include "cmd.h"
#include "hint.h"
#include "parse.h"
#include "report.h"
#include "route.h"

void
attempts_report_connect(int err, const char *host, const char *port)
{
	report_errno(err, "connect to %s port %s (tcp)", host, port);
}

void
attempts_report_connect_to(int err, const struct sockaddr *sa)
{
	char addr[ADDR_STRLEN], port[8];

	snprintf(port, sizeof(port), "%u", addr_port(sa));
	attempts_report_connect(err, addr_format(sa, addr, sizeof(addr)), port);
}

void
attempts_report_source_error(int err, const struct source *src, int family, int in_bind)
{
	const struct sockaddr *from = src != NULL ? source_addr(src, family) : NULL;
	enum tunable which = source_failed_tunable(in_bind);
	char addr[ADDR_STRLEN];

	if (which != TUNABLE_NONE && src != NULL)
		report_tunable_failure(&src->tun, which, err);
	else if (from != NULL)
		report_errno(err, "bind to %s port %u (tcp)", addr_format(from, addr, sizeof(addr)),
		    addr_port(from));
	else
		report_errno(err, "socket (%s)", addr_family_name(family));
}

void
attempts_report_error(const struct eyeballs_attempt *a, const struct source *src)
{
	const struct sockaddr *sa = (const struct sockaddr *)&a->addr;

	if (a->in_bind)
		attempts_report_source_error(a->err, src, sa->sa_family, a->in_bind);
	else
		attempts_report_connect_to(a->err, sa);
}

void
attempts_report_route(const struct sockaddr *sa)
{
	struct route_info ri;
	char addr[ADDR_STRLEN], r[256];

	if (globals.verbose < 2 || globals.quiet)
		return;
	addr_format(sa, addr, sizeof(addr));
	if (route_get(sa, &ri) == -1) {
		report_verbose(2, "route to %s: not known (rtnetlink: %s)", addr, strerror(errno));
		return;
	}
	route_format(&ri, r, sizeof(r));
	report_verbose(2, "route to %s: %s", addr, r);
}

/* -v: each attempt as it starts and ends; failures as full error lines, so none is lost. */
void
attempts_on_event(const struct eyeballs_attempt *a, void *ctx)
{
	const struct sockaddr *sa = (const struct sockaddr *)&a->addr;
	double ms = (double)(a->ended_usec - a->started_usec) / 1000;
	char addr[ADDR_STRLEN];

	if (globals.verbose < 1 || globals.quiet)
		return;
	addr_format(sa, addr, sizeof(addr));
	if (a->state == EYEBALLS_STARTED) {
		report_verbose(1, "trying %s port %u (tcp)", addr, addr_port(sa));
		attempts_report_route(sa);
	} else if (a->state == EYEBALLS_CONNECTED)
		report_verbose(1, "connected to %s port %u (tcp) in %.3f ms", addr, addr_port(sa),
		    ms);
	else if (a->state == EYEBALLS_FAILED) {
		attempts_report_error(a, ctx);
		report_verbose(1, "%s port %u (tcp): failed after %.3f ms", addr, addr_port(sa),
		    ms);
	} else
		report_verbose(1,
		    "abandoned %s port %u (tcp) after %.3f ms: another address "
		    "connected first",
		    addr, addr_port(sa), ms);
}

int
attempts_report_all_failed(const struct eyeballs_result *r, const struct source *src,
    int64_t timeout_usec)
{
	int status = EXIT_LOCAL, seen;
	char d[32];

	for (size_t i = 0; i < r->n; i++) {
		const struct eyeballs_attempt *a = &r->attempts[i];

		if (globals.verbose < 1 || globals.quiet)
			attempts_report_error(a, src);
		if (exit_status_for_errno(a->err) == EXIT_NETWORK)
			status = EXIT_NETWORK;
		seen = 0;
		for (size_t k = 0; k < i; k++)
			seen |= r->attempts[k].err == a->err;
		if (seen)
			continue;
		if (a->err == ETIMEDOUT && r->timed_out) {
			duration_format(timeout_usec, d, sizeof(d));
			report_hint("no answer within %s (-w): the host may be down, or a firewall "
				    "drops "
				    "the packets",
			    d);
			hint_trace((const struct sockaddr *)&a->addr, SOCK_STREAM);
			/* A soft ICMP error (the SYN retried on) is in the queue all the same. */
			if (a->icmp.from_icmp)
				hint_offender((const struct sockaddr *)&a->addr, &a->icmp);
			hint_route((const struct sockaddr *)&a->addr);
		} else if (source_failed_tunable(a->in_bind) != TUNABLE_NONE)
			continue; /* the tunable's line said its hint */
		else if (a->in_bind && a->err == EADDRINUSE && src != NULL)
			hint_port_in_use(addr_port(source_addr(src, a->addr.ss_family)),
			    SOCK_STREAM);
		else if (a->in_bind)
			hint_for_errno(a->err, a->addr.ss_family);
		else if (a->err == ECONNREFUSED && !a->icmp.from_icmp)
			hint_refused_by_host((const struct sockaddr *)&a->addr);
		else
			hint_unreachable(a->err, (const struct sockaddr *)&a->addr, &a->icmp);
	}
	return status;
}
