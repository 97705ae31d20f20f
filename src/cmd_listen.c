/* cmd_listen.c: accept TCP connections and relay them to stdin/stdout (sockt-listen(1)). */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "cmd.h"
#include "hint.h"
#include "hub.h"
#include "opts.h"
#include "parse.h"
#include "relay.h"
#include "report.h"
#include "sock.h"
#include "tunables.h"

enum {
	OPT_MAX_CONNS = OPT_LONG,
	OPT_ECHO,
	OPT_REUSEADDR,
	OPT_NO_REUSEADDR,
	OPT_BACKLOG,
	OPT_LINGER,
	OPT_RECV_ONLY,
	OPT_SEND_ONLY,
	OPT_NO_SHUTDOWN,
};

static const struct opt options[] = {
	{ "keep-open", 'k', no_argument, NULL, "keep accepting, serving connections concurrently" },
	{ "max-conns", OPT_MAX_CONNS, required_argument, "N",
	    "connections served at once with -k (default 64)" },
	{ "echo", OPT_ECHO, no_argument, NULL,
	    "send each connection's bytes back to it (RFC 862)" },
	{ "no-reuseaddr", OPT_NO_REUSEADDR, no_argument, NULL,
	    "leave SO_REUSEADDR off: a restart waits for TIME_WAIT to end" },
	{ "reuseaddr", OPT_REUSEADDR, no_argument, NULL, "set SO_REUSEADDR (the default)" },
	{ "backlog", OPT_BACKLOG, required_argument, "N", "the listen(2) backlog (default 128)" },
	{ "timeout", 'w', required_argument, "D", "exit 1 if no connection arrives within D" },
	{ "idle-timeout", 'i', required_argument, "D", "close a connection silent for D" },
	{ "linger", OPT_LINGER, required_argument, "0", "0: close with RST, keeping no TIME_WAIT" },
	{ "recv-only", OPT_RECV_ONLY, no_argument, NULL, "never read stdin" },
	{ "send-only", OPT_SEND_ONLY, no_argument, NULL,
	    "never write stdout (still drain the peer)" },
	{ "no-shutdown", OPT_NO_SHUTDOWN, no_argument, NULL,
	    "at stdin EOF keep the connection open (no half-close)" },
	{ "interface", OPT_TUNABLE_INTERFACE, required_argument, "IFACE", TUNABLES_HELP_INTERFACE },
	{ NULL, 0, 0, NULL, NULL },
};

struct listen_options {
	int keep_open, echo, linger0, max_conns;
	struct bind_options bind;
	int64_t timeout_usec, idle_usec;
	struct relay_options relay;
};

static void
parse_options(const struct command *cmd, struct opt_parser *p, struct listen_options *o)
{
	int ch;

	while ((ch = opt_next(p)) != -1) {
		switch (ch) {
		case 'k': o->keep_open = 1; break;
		case OPT_MAX_CONNS: o->max_conns = (int)opt_number(p, 1, 65536); break;
		case OPT_ECHO: o->echo = 1; break;
		case OPT_REUSEADDR: o->bind.no_reuseaddr = 0; break;
		case OPT_NO_REUSEADDR: o->bind.no_reuseaddr = 1; break;
		case OPT_BACKLOG: o->bind.backlog = (int)opt_number(p, 1, 65535); break;
		case 'w': o->timeout_usec = opt_duration(p); break;
		case 'i': o->relay.idle_usec = opt_duration(p); break;
		case OPT_LINGER: o->linger0 = o->relay.linger0 = opt_linger(p); break;
		case OPT_RECV_ONLY: o->relay.recv_only = 1; break;
		case OPT_SEND_ONLY: o->relay.send_only = 1; break;
		case OPT_NO_SHUTDOWN: o->relay.no_shutdown = 1; break;
		default: tunables_option(&o->bind.tun, p, ch); break;
		}
	}
	if (o->relay.recv_only && o->relay.send_only)
		opt_usage_error(cmd, "--recv-only and --send-only exclude each other");
	if (o->echo && (o->relay.recv_only || o->relay.send_only))
		opt_usage_error(cmd,
		    "--echo uses neither stdin nor stdout: no --recv-only or --send-only");
}

static void
say_peer(const struct sockaddr_storage *ss, char *buf, size_t len)
{
	char addr[ADDR_STRLEN];

	addr_format((const struct sockaddr *)ss, addr, sizeof(addr));
	snprintf(buf, len, "%s port %u", addr, addr_port((const struct sockaddr *)ss));
}

/* A connection's failure, named; returns its status (sockt-listen(1), EXIT STATUS). */
static int
report_relay_failure(const struct sockaddr_storage *peer, const struct relay_stats *st,
    int64_t idle_usec)
{
	char d[32], what[ADDR_STRLEN + 64];

	if (st->failure == RELAY_FAIL_IDLE) {
		duration_format(idle_usec, d, sizeof(d));
		say_peer(peer, what, sizeof(what));
		report_error("%s: idle for %s: connection closed", what, d);
		return EXIT_NETWORK;
	}
	relay_format_failure(st, (const struct sockaddr *)peer, what, sizeof(what));
	report_errno(st->err, "%s", what);
	return relay_failure_is_local(st) ? EXIT_LOCAL : EXIT_NETWORK;
}

static void
on_accept(const struct hub_peer *peer, void *ctx)
{
	char who[ADDR_STRLEN + 16];

	(void)ctx;
	say_peer(&peer->addr, who, sizeof(who));
	report_verbose(1, "connection from %s", who);
}

static void
on_close(const struct hub_peer *peer, void *ctx)
{
	const struct listen_options *o = ctx;
	char who[ADDR_STRLEN + 16], summary[256];

	say_peer(&peer->addr, who, sizeof(who));
	/* With -k one connection's end is not the program's: say it, and serve on. */
	if (o->keep_open && peer->stats.failure == RELAY_FAIL_IDLE)
		report_verbose(1, "%s: idle, closed", who);
	else if (o->keep_open && peer->stats.failure != RELAY_FAIL_NONE && !globals.quiet)
		report_relay_failure(&peer->addr, &peer->stats, o->relay.idle_usec);
	relay_format_summary(&peer->stats, o->linger0, summary, sizeof(summary));
	report_verbose(1, "%s: %s", who, summary);
}

static void
on_accept_error(int err, void *ctx)
{
	(void)ctx;
	report_errno(err, "accept");
	hint_for_errno(err, 0);
}

static int
no_connection(int64_t timeout_usec)
{
	char d[32];

	duration_format(timeout_usec, d, sizeof(d));
	report_error("no connection within %s", d);
	return EXIT_NETWORK;
}

/* -k or --echo: the hub serves the connections. */
static int
serve_many(struct listen_options *o, struct bound *b)
{
	struct hub_options h = {
		.keep_open = o->keep_open,
		.max_conns = o->keep_open ? o->max_conns : 1,
		.echo = o->echo,
		.no_shutdown = o->relay.no_shutdown,
		.recv_only = o->relay.recv_only,
		.send_only = o->relay.send_only,
		.linger0 = o->linger0,
		.accept_timeout_usec = o->timeout_usec,
		.idle_usec = o->relay.idle_usec,
		.in_fd = STDIN_FILENO,
		.out_fd = STDOUT_FILENO,
		.on_accept = on_accept,
		.on_close = on_close,
		.on_accept_error = on_accept_error,
		.ctx = o,
	};
	struct hub_result r;

	if (hub_run(b, &h, &r) == 0) {
		if (!o->keep_open && r.last.failure != RELAY_FAIL_NONE)
			return report_relay_failure(&r.last_peer, &r.last, o->relay.idle_usec);
		return EXIT_OK;
	}
	if (r.timed_out)
		return no_connection(o->timeout_usec);
	report_errno(r.err, "%s", r.failed_op);
	return r.failure == RELAY_FAIL_INPUT || r.failure == RELAY_FAIL_OUTPUT ||
		       r.failure == RELAY_FAIL_SYSTEM
		   ? EXIT_LOCAL
		   : exit_status_for_errno(r.err);
}

/* The plain case: one connection through the relay engine (splice where it can). */
static int
serve_one(struct listen_options *o, struct bound *b)
{
	struct sockaddr_storage ss;
	socklen_t len;
	struct relay_stats st;
	char who[ADDR_STRLEN + 16], summary[256];
	int fd, status = EXIT_OK;

	if ((fd = hub_accept(b, o->timeout_usec, &ss, &len)) == -1) {
		if (errno == ETIMEDOUT)
			return no_connection(o->timeout_usec);
		report_errno(errno, "accept");
		return exit_status_for_errno(errno);
	}
	/* Only one: later connections are refused rather than left in the backlog. */
	sock_close_bound(b);
	say_peer(&ss, who, sizeof(who));
	report_verbose(1, "connection from %s", who);
	if (relay_run(fd, STDIN_FILENO, STDOUT_FILENO, &o->relay, &st) == -1 || st.idle_timeout)
		status = report_relay_failure(&ss, &st, o->relay.idle_usec);
	relay_format_summary(&st, o->linger0, summary, sizeof(summary));
	report_verbose(1, "%s", summary);
	if (o->linger0)
		sock_linger_zero(fd);
	close(fd);
	return status;
}

static int
run(const struct command *cmd, int argc, char **argv)
{
	struct listen_options o = { .max_conns = 64, .timeout_usec = -1 };
	struct opt_parser p;
	struct endpoint ep;
	struct bound b;
	struct sock_failure f;
	char addr[ADDR_STRLEN];
	int status;

	o.bind.backlog = 128;
	opt_begin(&p, cmd, argc, argv);
	parse_options(cmd, &p, &o);
	opt_end(&p);
	argc -= p.optind;
	argv += p.optind;
	opt_local_endpoint(cmd, argc, argv, "tcp", &ep);
	if (sock_bind_local(&ep, SOCK_STREAM, &o.bind, &b, &f) == -1) {
		status = report_bind_failure(&ep, &f, SOCK_STREAM);
		endpoint_free(&ep);
		return status;
	}
	endpoint_free(&ep);
	/* The first stderr line (sockt-listen(1)): a script learns a port the kernel chose. */
	for (int i = 0; i < b.n; i++)
		report_verbose(1, "listening on %s port %u",
		    addr_format((struct sockaddr *)&b.addr[i], addr, sizeof(addr)),
		    addr_port((struct sockaddr *)&b.addr[i]));
	status = o.keep_open || o.echo ? serve_many(&o, &b) : serve_one(&o, &b);
	sock_close_bound(&b);
	return status;
}

const struct command cmd_listen = {
	"listen",
	"accept TCP connections and relay them to stdin/stdout",
	"[OPTIONS] [HOST] PORT",
	options,
	run,
};
