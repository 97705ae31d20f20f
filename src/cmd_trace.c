/* cmd_trace.c: where on the path a host or a port stops answering, hop by hop. */
#include "config.h"

#include <errno.h>
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
#include "privdrop.h"
#include "report.h"
#include "trace.h"
#include "trace_output.h"

enum { OPT_MTU = OPT_LONG };

static const struct opt options[] = {
	{ "udp", 'U', no_argument, NULL, "UDP probes, to high ports or to PORT (the default)" },
	{ "tcp", 'T', no_argument, NULL, "TCP SYN probes to PORT (default 80)" },
	{ "icmp", 'I', no_argument, NULL, "ICMP echo probes (raw socket, or ping socket)" },
	{ "max-hops", 'm', required_argument, "N",
	    "the largest TTL / hop limit, 1-255 (default 30)" },
	{ "first-hop", 'f', required_argument, "N", "the TTL to start at (default 1)" },
	{ "queries", 'Q', required_argument, "N", "probes per hop, 1-10 (default 3)" },
	{ "wait", 'w', required_argument, "D",
	    "the longest a probe waits for its answer (default 3 s)" },
	{ "parallel", 'N', required_argument, "N", "probes in flight at once, 1-255 (default 16)" },
	{ "mtu", OPT_MTU, no_argument, NULL, "find the path MTU per hop (UDP and ICMP probes)" },
	{ NULL, 0, 0, NULL, NULL },
};

/* traceroute's packet sizes: 60 bytes over IPv4, 80 over IPv6, headers included. */
#define SIZE_V4 60
#define SIZE_V6 80

static void
parse_options(const struct command *cmd, struct trace_options *o, struct opt_parser *p)
{
	int ch;

	while ((ch = opt_next(p)) != -1) {
		switch (ch) {
		case 'U': o->kind = TRACE_UDP; break;
		case 'T': o->kind = TRACE_TCP; break;
		case 'I': o->kind = TRACE_ICMP; break;
		case 'm': o->max_ttl = opt_ttl(p); break;
		case 'f': o->first_ttl = opt_ttl(p); break;
		case 'Q': o->probes = (int)opt_number(p, 1, 10); break;
		case 'N': o->parallel = (int)opt_number(p, 1, 255); break;
		case 'w': o->wait = opt_duration(p); break;
		case OPT_MTU: o->mtu = 1; break;
		}
	}
	if (o->first_ttl > o->max_ttl)
		opt_usage_error(cmd, "invalid first hop %d: above the max hops, %d", o->first_ttl,
		    o->max_ttl);
	if (o->mtu && o->kind == TRACE_TCP)
		opt_usage_error(cmd,
		    "--mtu works with UDP and ICMP probes: a SYN is small, and TCP keeps "
		    "\"too big\" errors to itself");
}

/* HOST [PORT]: the port is where UDP and TCP probes go; ICMP takes none. */
static void
parse_operands(const struct command *cmd, struct trace_options *o, int argc, char **argv)
{
	const char *proto = o->kind == TRACE_TCP ? "tcp" : "udp";

	if (argc < 1)
		opt_usage_error(cmd, "missing HOST");
	opt_check_host(cmd, argv[0]);
	if (argc > 2)
		opt_usage_error(cmd, "unexpected argument '%s'", argv[2]);
	opt_check_host(cmd, argv[0]);
	if (argc == 2 && o->kind == TRACE_ICMP)
		opt_usage_error(cmd, "unexpected argument '%s': ICMP probes go to no port",
		    argv[1]);
	if (argc == 2)
		o->port = opt_port_operand(cmd, argv[1], proto, 1);
	if (argc == 1 && o->kind == TRACE_TCP)
		o->port = 80;
}

/* A socket could not be set up: always this machine's doing. */
static int
report_failure(const struct trace_failure *f, int family)
{
	if (f->raw_err != 0)
		report_errno(f->raw_err, "raw socket for %s", icmp_family_name(family));
	report_errno(f->err, "%s", f->call);
	if (f->raw_err != 0 && (f->err == EACCES || f->err == EPERM))
		report_hint("ICMP probes need CAP_NET_RAW, or a group in "
			    "net.ipv4.ping_group_range for ping sockets; UDP probes (the default) "
			    "and -T need neither");
	else
		hint_for_errno(f->err, family);
	return EXIT_LOCAL;
}

static void
say_start(const struct trace *t, const char *host)
{
	char a[ADDR_STRLEN];
	const char *proto = t->opt.kind == TRACE_TCP	? "tcp"
			    : t->opt.kind == TRACE_ICMP ? "icmp"
							: "udp";

	addr_format((const struct sockaddr *)&t->dest, a, sizeof(a));
	if (t->opt.port != 0)
		report_notice("trace to %s (%s), %d hops max, %s port %u", host, a, t->opt.max_ttl,
		    proto, (unsigned)t->opt.port);
	else
		report_notice("trace to %s (%s), %d hops max, %s%s", host, a, t->opt.max_ttl, proto,
		    t->opt.kind == TRACE_UDP ? " to high ports" : " echo");
	if (t->opt.kind == TRACE_ICMP)
		report_verbose(1, "%s: %s", icmp_family_name(t->family),
		    t->raw_fd != -1 ? "raw socket" : "ping sockets");
}

/* One address traced and its ending said; returns the exit status. */
static int
trace_one(struct trace *t, const char *host, const sigset_t *waitmask)
{
	struct trace_output out;
	struct trace_failure f;
	enum trace_end end;
	int status = EXIT_NETWORK, r;

	say_start(t, host);
	trace_output_init(&out, t, globals.numeric, globals.json);
	t->on_hop = trace_output_hop;
	t->on_address = trace_output_address;
	t->arg = &out;
	r = trace_run(t, &interrupt_requested, waitmask, &f);
	end = trace_output_end(&out, interrupt_requested || r == -1);
	if (r == -1) {
		report_errno(f.err, "%s", f.call);
		status = EXIT_LOCAL;
	} else if (out.closed)
		status = out.write_err != 0 ? EXIT_LOCAL : EXIT_OK;
	else if (end == TRACE_END_REACHED)
		status = EXIT_OK;
	else if (end == TRACE_END_SEND_FAILED) {
		report_errno(out.final->err, "send probe (hop %d)", out.final_ttl);
		hint_for_errno(out.final->err, t->family);
		status = exit_status_for_errno(out.final->err);
	}
	trace_output_free(&out);
	return status;
}

static size_t
count_addresses(const struct addrinfo *res)
{
	size_t n = 0;

	for (; res != NULL; res = res->ai_next)
		n++;
	/* Connect tries the first address first; -v traces them all. */
	return globals.verbose > 0 ? n : 1;
}

/* Sets up every trace before any runs, so that the raw sockets are open when privileges go. */
static int
open_traces(struct trace_options *o, const struct addrinfo *res, struct trace *t, size_t n)
{
	struct trace_failure f;

	for (size_t i = 0; i < n; i++, res = res->ai_next) {
		o->size = res->ai_family == AF_INET6 ? SIZE_V6 : SIZE_V4;
		if (trace_init(&t[i], o, res->ai_addr, res->ai_addrlen, &f) == -1) {
			for (size_t k = 0; k <= i; k++)
				trace_free(&t[k]);
			return report_failure(&f, res->ai_family);
		}
		if (f.raw_err != 0)
			report_verbose(1, "%s: raw socket refused [%s], using ping sockets",
			    icmp_family_name(res->ai_family), errno_name(f.raw_err));
	}
	return EXIT_OK;
}

static int
trace_all(struct trace_options *o, const char *host, const struct addrinfo *res)
{
	size_t n = count_addresses(res);
	struct trace *t = calloc(n, sizeof(*t));
	int status = EXIT_OK, s;
	const char *step;
	sigset_t waitmask;

	if (t == NULL) {
		report_errno(errno, "start");
		return EXIT_LOCAL;
	}
	if ((s = open_traces(o, res, t, n)) != EXIT_OK) {
		free(t);
		return s;
	}
	if (privdrop_now(&step) == -1) {
		report_errno(errno, "drop privileges: %s", step);
		status = EXIT_LOCAL;
	}
	interrupt_catch(&waitmask);
	for (size_t i = 0; i < n && status != EXIT_LOCAL && !interrupt_requested; i++) {
		s = trace_one(&t[i], host, &waitmask);
		if (s != EXIT_OK && (status == EXIT_OK || s == EXIT_LOCAL))
			status = s;
	}
	for (size_t i = 0; i < n; i++)
		trace_free(&t[i]);
	free(t);
	return status;
}

static int
run(const struct command *cmd, int argc, char **argv)
{
	struct trace_options o = {
		.kind = TRACE_UDP,
		.first_ttl = 1,
		.max_ttl = 30,
		.probes = 3,
		.parallel = 16,
		.wait = 3000000,
	};
	struct opt_parser p;
	struct addrinfo *res;
	int eai, status;

	opt_begin(&p, cmd, argc, argv);
	parse_options(cmd, &o, &p);
	opt_end(&p);
	parse_operands(cmd, &o, argc - p.optind, argv + p.optind);
	argv += p.optind;
	eai = addr_resolve(argv[0], NULL, o.kind == TRACE_TCP ? SOCK_STREAM : SOCK_DGRAM, 0, &res);
	if (eai != 0) {
		report_eai(eai, errno, "%s", argv[0]);
		return EXIT_RESOLVE;
	}
	status = trace_all(&o, argv[0], res);
	freeaddrinfo(res);
	return status;
}

const struct command cmd_trace = {
	"trace",
	"where on the path a host or a port stops answering",
	"[OPTIONS] HOST [PORT]",
	options,
	run,
};
