/* cmd_raw_ping.c: ICMP and ICMPv6 echo over raw sockets (or ping sockets), ping's output. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "cmd.h"
#include "hint.h"
#include "icmp.h"
#include "interrupt.h"
#include "opts.h"
#include "parse.h"
#include "ping_output.h"
#include "pinger.h"
#include "privdrop.h"
#include "report.h"

static const struct opt options[] = {
	{ "count", 'c', required_argument, "N",
	    "stop after N requests per host (default: no end)" },
	{ "interval", 'i', required_argument, "D", "time between a host's requests (default 1 s)" },
	{ "timeout", 'W', required_argument, "D", "how long to wait for each reply (default 2 s)" },
	{ "deadline", 'w', required_argument, "D", "end the whole run after D (default: none)" },
	{ "size", 's', required_argument, "N", "payload bytes (default 56)" },
	{ "ttl", 't', required_argument, "N", "TTL / hop limit, 1-255 (default: the system's)" },
	{ "tos", OPT_TUNABLE_TOS, required_argument, "N", TUNABLES_HELP_TOS },
	{ "source", 'I', required_argument, "ADDR",
	    "source address, or the interface to use (SO_BINDTODEVICE)" },
	{ NULL, 0, 0, NULL, NULL },
};

/* iputils refuses shorter intervals to users other than root: that would be flooding. */
#define MIN_USER_INTERVAL 2000

struct ping_cmd {
	struct pinger_options o;
	struct sockaddr_storage source;
	const char *source_arg;
	const char *size_arg;
	char size_option[64]; /* -s or --size, as typed */
};

/* -I: an address literal to bind to, or else the name of an interface. */
static void
source_option(const struct command *cmd, struct ping_cmd *c, const char *arg)
{
	struct addrinfo hints = { .ai_flags = AI_NUMERICHOST, .ai_socktype = SOCK_RAW }, *res;

	c->source_arg = arg;
	if (getaddrinfo(arg, NULL, &hints, &res) == 0) {
		memcpy(&c->source, res->ai_addr, res->ai_addrlen);
		c->o.source = (struct sockaddr *)&c->source;
		c->o.sourcelen = res->ai_addrlen;
		freeaddrinfo(res);
	} else if (if_nametoindex(arg) != 0)
		c->o.tun.device = arg;
	else
		opt_usage_error(cmd,
		    "invalid source '%s': neither an address nor an interface of "
		    "this machine",
		    arg);
}

static void
parse_options(const struct command *cmd, struct ping_cmd *c, struct opt_parser *p)
{
	int ch;

	while ((ch = opt_next(p)) != -1) {
		switch (ch) {
		case 'c': c->o.count = opt_count(p); break;
		case 'i': c->o.interval = opt_duration(p); break;
		case 'W': c->o.timeout = opt_duration(p); break;
		case 'w': c->o.deadline = opt_duration(p); break;
		case 't': c->o.tun.ttl = opt_ttl(p); break;
		case 's':
			c->size_arg = p->arg;
			strlcpy(c->size_option, p->name, sizeof(c->size_option));
			c->o.datalen = (size_t)opt_size(p, 0, ICMP_MAX_PAYLOAD_V6);
			break;
		case 'I': source_option(cmd, c, p->arg); break;
		default: tunables_option(&c->o.tun, p, ch); break;
		}
	}
	/* Checked against -4/-6 as the user gave them, before -I narrows the family. */
	for (int i = p->optind; i < p->argc; i++)
		opt_check_host(cmd, p->argv[i]);
	if (c->o.source != NULL) {
		opt_check_host(cmd, c->source_arg);
		for (int i = p->optind; i < p->argc; i++)
			if (addr_is_literal(p->argv[i]) &&
			    addr_literal_family(p->argv[i]) != c->source.ss_family)
				opt_usage_error(cmd,
				    "the source '%s' (-I) and '%s' are not of one family: give a "
				    "source of the host's family",
				    c->source_arg, p->argv[i]);
		/* The hosts are then resolved in the source's family. */
		globals.family = c->source.ss_family;
	}
	if (getuid() != 0 && c->o.interval < MIN_USER_INTERVAL)
		opt_usage_error(cmd,
		    "invalid interval: below 2 ms is flooding, which only root may do");
}

/* Every HOST resolved; those that fail are reported and left out. Returns how many remain. */
/*
 * A ping goes to one address of a name, as iputils ping's does: a reply
 * from one says nothing of the others. -v names the one chosen and how
 * many were left.
 */
static void
say_other_addresses(const char *name, const struct addrinfo *res)
{
	char text[ADDR_STRLEN];
	size_t others = 0;

	for (const struct addrinfo *ai = res->ai_next; ai != NULL; ai = ai->ai_next)
		others += !addr_same_host(ai->ai_addr, res->ai_addr);
	if (others > 0)
		report_verbose(1,
		    "%s has %zu more address%s; pinging %s, the first (choose with -4/-6 or an "
		    "address)",
		    name, others, others == 1 ? "" : "es",
		    addr_format(res->ai_addr, text, sizeof(text)));
}

static size_t
resolve_hosts(struct pinger *p, char **names, size_t n, struct ping_output *out, int *status)
{
	size_t kept = 0;

	for (size_t i = 0; i < n; i++) {
		struct ping_host *h = &p->hosts[kept];
		struct addrinfo *res;
		int eai = addr_resolve(names[i], NULL, SOCK_RAW, AI_CANONNAME, &res);
		if (eai != 0) {
			report_eai(eai, errno, "%s", names[i]);
			*status = EXIT_RESOLVE;
			continue;
		}
		h->name = names[i];
		say_other_addresses(names[i], res);
		memcpy(&h->addr, res->ai_addr, res->ai_addrlen);
		h->addrlen = res->ai_addrlen;
		h->family = res->ai_family;
		ping_output_add_host(out, kept, names[i], res->ai_canonname,
		    globals.numeric || addr_is_literal(names[i]));
		freeaddrinfo(res);
		kept++;
	}
	p->nhosts = kept;
	return kept;
}

static void
check_size(const struct command *cmd, const struct ping_cmd *c, const struct pinger *p)
{
	for (size_t i = 0; i < p->nhosts; i++)
		if (p->hosts[i].family == AF_INET && c->o.datalen > ICMP_MAX_PAYLOAD_V4)
			opt_usage_error(cmd,
			    "invalid %s '%s': an IPv4 echo request carries at most "
			    "%d bytes (%s is IPv4)",
			    c->size_option, c->size_arg, ICMP_MAX_PAYLOAD_V4, p->hosts[i].name);
}

/* The groups ping sockets admit, for the hint. */
static void
hint_ping_group_range(void)
{
	char range[64] = "";
	FILE *f;

	if ((f = fopen("/proc/sys/net/ipv4/ping_group_range", "r")) != NULL) {
		if (fgets(range, sizeof(range), f) == NULL)
			range[0] = '\0';
		fclose(f);
	}
	range[strcspn(range, "\n")] = '\0';
	for (char *t = range; *t != '\0'; t++)
		if (*t == '\t')
			*t = ' ';
	report_hint("net.ipv4.ping_group_range is \"%s\" and your group is %u; as root, 'sysctl -w "
		    "net.ipv4.ping_group_range=\"0 2147483647\"' admits every group to ping "
		    "sockets",
	    range, (unsigned)getgid());
}

static int
report_open_failure(const struct pinger_failure *f, const struct tunables *tun)
{
	if (f->tunable != TUNABLE_NONE)
		return report_tunable_failure(tun, f->tunable, f->err);
	/* Both refused: what the raw socket said, then the ping socket, then the ways out. */
	if (f->raw_err != 0)
		report_errno(f->raw_err, "raw socket for %s", icmp_family_name(f->family));
	report_errno(f->err, "%s for %s", f->call, icmp_family_name(f->family));
	if (f->raw_err != 0 && (f->err == EACCES || f->err == EPERM)) {
		hint_raw_socket_permission();
		hint_ping_group_range();
		return EXIT_LOCAL;
	}
	if (f->err == EAFNOSUPPORT && f->family == AF_INET6)
		report_hint("IPv6 is disabled on this machine; try -4");
	else
		hint_for_errno(f->err, f->family);
	return exit_status_for_errno(f->err) == EXIT_LOCAL ? EXIT_LOCAL : EXIT_NETWORK;
}

static void
report_sockets(const struct pinger *p)
{
	for (int i = 0; i < 2; i++) {
		int family = i ? AF_INET6 : AF_INET;
		if (p->raw_fd[i] != -1)
			report_verbose(1, "%s: raw socket", icmp_family_name(family));
		else if (p->raw_refused[i] != 0)
			report_verbose(1, "%s: raw socket refused [%s], using ping sockets",
			    icmp_family_name(family), errno_name(p->raw_refused[i]));
	}
}

static int
ping(struct pinger *p, struct ping_output *out)
{
	sigset_t waitmask;
	const char *step;
	struct pinger_failure f;

	if (pinger_open(p, &f) == -1)
		return report_open_failure(&f, &p->opt.tun);
	report_sockets(p);
	if (privdrop_now(&step) == -1) {
		report_errno(errno, "drop privileges: %s", step);
		return EXIT_LOCAL;
	}
	report_verbose(1, "privileges dropped: user %u, no capabilities", (unsigned)getuid());
	if (ping_output_headers(out, p) == -1)
		return out->write_err != 0 ? EXIT_LOCAL : EXIT_OK;
	interrupt_catch(&waitmask);
	p->on_event = ping_output_event;
	p->arg = out;
	if (pinger_run(p, &interrupt_requested, &waitmask) == -1) {
		report_errno(errno, "wait for replies");
		return EXIT_LOCAL;
	}
	if (out->closed)
		return out->write_err != 0 ? EXIT_LOCAL : EXIT_OK;
	return ping_output_summaries(out, p);
}

static int
run(const struct command *cmd, int argc, char **argv)
{
	struct ping_cmd c = { .o = { .interval = 1000000, .timeout = 2000000, .datalen = 56 } };
	struct ping_output out;
	struct opt_parser p;
	struct pinger pinger;
	int status = EXIT_OK, s;

	opt_begin(&p, cmd, argc, argv);
	parse_options(cmd, &c, &p);
	opt_end(&p);
	argc -= p.optind;
	argv += p.optind;
	if (argc < 1)
		opt_usage_error(cmd, "missing HOST");
	if (pinger_init(&pinger, &c.o, (size_t)argc) == -1 ||
	    ping_output_init(&out, (size_t)argc, &c.o, c.source_arg) == -1) {
		report_errno(errno, "start");
		return EXIT_LOCAL;
	}
	if (resolve_hosts(&pinger, argv, (size_t)argc, &out, &status) > 0) {
		check_size(cmd, &c, &pinger);
		s = ping(&pinger, &out);
		if (s != EXIT_OK && (status == EXIT_OK || s == EXIT_LOCAL))
			status = s;
	}
	pinger_free(&pinger);
	ping_output_free(&out);
	return status;
}

const struct command cmd_raw_ping = {
	"raw-ping",
	"ICMP and ICMPv6 echo over raw sockets",
	"[OPTIONS] HOST...",
	options,
	run,
};
