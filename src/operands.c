/* operands.c: the HOST and PORT operands (and -s hosts) of every command, checked alike. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "addr.h"
#include "opts.h"
#include "parse.h"
#include "report.h"

void
opt_check_host(const struct command *cmd, const char *host)
{
	int family;

	if (host == NULL)
		return;
	family = addr_literal_family(host);
	if (globals.numeric && family == AF_UNSPEC)
		opt_usage_error(cmd,
		    "-n takes address literals only, and '%s' is a name: leave -n out to look it "
		    "up",
		    host);
	if (globals.family != AF_UNSPEC && family != AF_UNSPEC && family != globals.family)
		opt_usage_error(cmd, "%s asks for %s only, and '%s' is an %s address",
		    globals.family == AF_INET ? "-4" : "-6",
		    globals.family == AF_INET ? "IPv4" : "IPv6", host,
		    family == AF_INET ? "IPv4" : "IPv6");
}

void
opt_local_endpoint(const struct command *cmd, int argc, char **argv, const char *proto,
    struct endpoint *ep)
{
	const char *why;
	int used;

	if ((used = endpoint_parse_local(argc, argv, ep, &why)) == -1)
		opt_usage_error(cmd, "%s", why);
	if (used < argc)
		opt_usage_error(cmd, "unexpected argument '%s'", argv[used]);
	opt_check_host(cmd, ep->host);
	opt_port_operand(cmd, ep->port, proto, 0);
}

/*
 * "::1:5000 hi" is the IPv6 address ::0.1.80.0 and the port "hi": when
 * the port is bad and the host ends in ":DIGITS", the port was meant to be
 * glued on. Says how an IPv6 address and a port are written.
 */
static void
advise_glued_port(const struct command *cmd, const struct endpoint *ep, const char *proto)
{
	const char *last = strrchr(ep->host, ':');
	uint16_t lo, hi;

	/* A range passes too: a scan's first word may be one. */
	if (last == NULL || last == strchr(ep->host, ':') || !parse_is_decimal(last + 1) ||
	    parse_port_range(ep->port, proto, &lo, &hi) == 0)
		return;
	report_error("invalid port '%s': must be 0-65535 or a service name", ep->port);
	report_hint("'%s' was read as the host; an IPv6 address with a port is written "
		    "[ADDRESS]:PORT or ADDRESS PORT, as in [%.*s]:%s",
	    ep->host, (int)(last - ep->host), ep->host, last + 1);
	fprintf(stderr, "Try 'sockt %s --help'.\n", cmd->name);
	exit(EXIT_USAGE);
}

int
opt_remote_endpoint(const struct command *cmd, int argc, char **argv, const char *proto,
    int check_port, struct endpoint *ep)
{
	const char *why;
	int used;

	if ((used = endpoint_parse_remote(argc, argv, ep, &why)) == -1)
		opt_usage_error(cmd, "%s", why);
	if (!(check_port & OPT_REMOTE_ELSEWHERE))
		opt_check_host(cmd, ep->host);
	if (used == 2)
		advise_glued_port(cmd, ep, proto);
	if (check_port & 1)
		opt_port_operand(cmd, ep->port, proto, 0);
	return used;
}
