/* cmd_listen.c: accept TCP connections and relay them to stdin/stdout (sockt-listen(1)). */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "access.h"
#include "addr.h"
#include "child.h"
#include "clock.h"
#include "cmd.h"
#include "dump.h"
#include "hint.h"
#include "hub.h"
#include "opts.h"
#include "parse.h"
#include "phases.h"
#include "relay.h"
#include "report.h"
#include "sock.h"
#include "tls.h"
#include "tunables.h"
#include "unixsock.h"

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
	OPT_MAX_QUEUE,
	OPT_MAX_TIME,
	OPT_SEQPACKET,
	OPT_EXEC,
	OPT_SH_EXEC,
	OPT_ALLOW,
	OPT_DENY,
	OPT_ALLOW_FILE,
	OPT_DUMP,
};

/* The stdin a -k connection may be behind by before it is closed. */
#define LISTEN_MAX_QUEUE_DEFAULT (16 * 1024 * 1024)

static const struct opt options[] = {
	{ "keep-open", 'k', no_argument, NULL, "keep accepting, serving connections concurrently" },
	{ "max-conns", OPT_MAX_CONNS, required_argument, "N",
	    "connections served at once with -k (default 64)" },
	{ "max-queue", OPT_MAX_QUEUE, required_argument, "SIZE",
	    "with -k: close a connection that falls SIZE of stdin behind (default 16M)" },
	{ "max-time", OPT_MAX_TIME, required_argument, "D",
	    "with -k: close a connection after D, freeing its slot" },
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
	{ "exec", OPT_EXEC, required_argument, "PROGRAM",
	    "run 'PROGRAM ARGS' per connection (split on blanks, no shell)" },
	{ "sh-exec", OPT_SH_EXEC, required_argument, "COMMAND",
	    "run COMMAND with /bin/sh -c per connection" },
	{ "allow", OPT_ALLOW, required_argument, "ADDR",
	    "serve only peers an --allow matches (address, ADDR/BITS, name)" },
	{ "deny", OPT_DENY, required_argument, "ADDR", "refuse peers it matches (before --allow)" },
	{ "allow-file", OPT_ALLOW_FILE, required_argument, "FILE", "--allow each rule of FILE" },
	{ "crlf", 'C', no_argument, NULL, "send each LF from stdin as CRLF (as nc -C)" },
	{ "dump", OPT_DUMP, required_argument, "FILE",
	    "write every byte both ways to FILE ('-': stderr)" },
	{ "interface", OPT_TUNABLE_INTERFACE, required_argument, "IFACE", TUNABLES_HELP_INTERFACE },
	{ "tls", OPT_TLS, no_argument, NULL, TLS_HELP },
	{ "cert", OPT_TLS_CERT, required_argument, "FILE", TLS_HELP_CERT },
	{ "key", OPT_TLS_KEY, required_argument, "FILE", TLS_HELP_KEY },
	{ "alpn", OPT_TLS_ALPN, required_argument, "LIST", TLS_HELP_ALPN },
	{ "tls-min", OPT_TLS_MIN, required_argument, "VERSION", TLS_HELP_MIN },
	{ "unix", 'U', no_argument, NULL,
	    "listen on the Unix socket PATH (or @NAME, abstract); a stale file is removed" },
	{ "seqpacket", OPT_SEQPACKET, no_argument, NULL, "-U: a SOCK_SEQPACKET socket" },
	{ NULL, 0, 0, NULL, NULL },
};

struct listen_options {
	int keep_open, linger0, max_conns;
	int unix_type; /* -U: SOCK_STREAM or (--seqpacket) SOCK_SEQPACKET; 0 without -U */
	uint64_t max_queue;
	struct bind_options bind;
	int64_t timeout_usec, idle_usec;
	struct relay_options relay;
	struct child_prog exec; /* --exec, --sh-exec */
	struct access_list access; /* --allow, --deny, --allow-file */
	const char *dump_path; /* --dump */
	struct tls_options tls;
};

/* A program per connection has no relay: the relay's options do not apply. */
static void
check_exec(const struct command *cmd, const struct listen_options *o)
{
	const struct relay_options *r = &o->relay;
	const struct {
		int given;
		const char *name;
	} relay_only[] = { { r->echo, "--echo" }, { r->recv_only, "--recv-only" },
		{ r->send_only, "--send-only" }, { r->no_shutdown, "--no-shutdown" },
		{ r->idle_usec > 0, "-i" },
		{ o->max_queue != LISTEN_MAX_QUEUE_DEFAULT, "--max-queue" }, { r->crlf, "-C" },
		{ o->dump_path != NULL, "--dump" }, { o->tls.enabled, "--tls" } };

	for (size_t i = 0; i < sizeof(relay_only) / sizeof(relay_only[0]); i++)
		if (o->exec.argv != NULL && relay_only[i].given)
			opt_usage_error(cmd, "%s applies to the relay, not to %s",
			    relay_only[i].name, o->exec.option);
	/* A Unix socket's peer has no address for the rules or the environment. */
	if (o->unix_type != 0 && o->exec.argv != NULL)
		opt_usage_error(cmd, "%s applies to TCP, not to -U", o->exec.option);
	if (o->unix_type != 0 && access_active(&o->access))
		opt_usage_error(cmd, "--allow and --deny apply to TCP, not to -U");
}

static void
parse_options(const struct command *cmd, struct opt_parser *p, struct listen_options *o)
{
	int ch;

	while ((ch = opt_next(p)) != -1) {
		switch (ch) {
		case 'k': o->keep_open = 1; break;
		case OPT_MAX_CONNS: o->max_conns = (int)opt_number(p, 1, 65536); break;
		case OPT_ECHO: o->relay.echo = 1; break;
		case OPT_MAX_QUEUE: o->max_queue = opt_size(p, 1024, (uint64_t)1 << 32); break;
		case OPT_MAX_TIME: o->relay.max_time_usec = opt_duration(p); break;
		case OPT_REUSEADDR: o->bind.no_reuseaddr = 0; break;
		case OPT_NO_REUSEADDR: o->bind.no_reuseaddr = 1; break;
		case OPT_BACKLOG: o->bind.backlog = (int)opt_number(p, 1, 65535); break;
		case 'w': o->timeout_usec = opt_duration(p); break;
		case 'i': o->relay.idle_usec = opt_duration(p); break;
		case OPT_LINGER: o->linger0 = o->relay.linger0 = opt_linger(p); break;
		case OPT_RECV_ONLY: o->relay.recv_only = 1; break;
		case OPT_SEND_ONLY: o->relay.send_only = 1; break;
		case OPT_NO_SHUTDOWN: o->relay.no_shutdown = 1; break;
		case 'U': o->unix_type = o->unix_type ? o->unix_type : SOCK_STREAM; break;
		case OPT_SEQPACKET: o->unix_type = SOCK_SEQPACKET; break;
		case OPT_EXEC: child_option(&o->exec, p, 0); break;
		case OPT_SH_EXEC: child_option(&o->exec, p, 1); break;
		case OPT_ALLOW: access_option(&o->access, p, 1, 0); break;
		case OPT_DENY: access_option(&o->access, p, 0, 0); break;
		case OPT_ALLOW_FILE: access_option(&o->access, p, 1, 1); break;
		case 'C': o->relay.crlf = 1; break;
		case OPT_DUMP: o->dump_path = p->arg; break;
		default:
			if (!tls_option(&o->tls, p, ch))
				tunables_option(&o->bind.tun, p, ch);
			break;
		}
	}
	if (o->relay.recv_only && o->relay.send_only)
		opt_usage_error(cmd, "--recv-only and --send-only exclude each other");
	if (o->max_queue != LISTEN_MAX_QUEUE_DEFAULT && !o->keep_open)
		opt_usage_error(cmd, "--max-queue applies to -k, where stdin goes to many");
	if (o->relay.echo && (o->relay.recv_only || o->relay.send_only))
		opt_usage_error(cmd,
		    "--echo uses neither stdin nor stdout: no --recv-only or --send-only");
	if (o->relay.echo && o->relay.crlf)
		opt_usage_error(cmd, "-C changes what stdin sends, and --echo reads no stdin");
	if (o->tls.enabled && o->keep_open)
		opt_usage_error(cmd, "--tls serves one connection: not with -k");
	if (o->tls.enabled && o->unix_type != 0)
		opt_usage_error(cmd, "--tls is for TCP: not with -U");
	tls_options_check(cmd, &o->tls, 1);
	check_exec(cmd, o);
}

static void
say_peer(const struct sockaddr_storage *ss, char *buf, size_t len)
{
	char addr[ADDR_STRLEN];

	if (ss->ss_family == AF_UNIX) {
		unix_peer_format((const struct sockaddr *)ss, buf, len);
		return;
	}
	addr_format((const struct sockaddr *)ss, addr, sizeof(addr));
	snprintf(buf, len, "%s port %u", addr, addr_port((const struct sockaddr *)ss));
}

/* Bytes read from the peer or stdin that never reached the other side: said, never silent. */
static void
report_undelivered(const char *who, const struct relay_stats *st)
{
	if (st->bytes_written < st->bytes_received && !st->output_closed)
		report_error("%s: %" PRIu64 " of %" PRIu64 " bytes received were not %s", who,
		    st->bytes_received - st->bytes_written, st->bytes_received,
		    st->failure == RELAY_FAIL_OUTPUT ? "written to stdout" : "delivered");
	if (st->input_unsent > 0 && st->failure != RELAY_FAIL_QUEUE)
		report_error("%s: %" PRIu64 " bytes of stdin were not sent", who, st->input_unsent);
	if (st->unacked > 0)
		report_error("%s: %" PRIu64 " bytes sent were not acknowledged, and the RST "
			     "(--linger 0) drops them",
		    who, st->unacked);
}

/* A connection's failure, named; returns its status (sockt-listen(1), EXIT STATUS). */
static int
report_relay_failure(const struct sockaddr_storage *peer, const struct relay_stats *st,
    const struct listen_options *o)
{
	char d[32], what[ADDR_STRLEN + 64];

	say_peer(peer, what, sizeof(what));
	if (st->failure == RELAY_FAIL_IDLE) {
		duration_format(o->relay.idle_usec, d, sizeof(d));
		report_error("%s: idle for %s: connection closed", what, d);
	} else if (st->failure == RELAY_FAIL_MAX_TIME) {
		duration_format(o->relay.max_time_usec, d, sizeof(d));
		report_error("%s: open for %s (--max-time): connection closed", what, d);
	} else if (st->failure == RELAY_FAIL_QUEUE) {
		report_error("%s: did not take %" PRIu64 " bytes of stdin (--max-queue %" PRIu64
			     "): connection closed",
		    what, st->input_unsent, o->max_queue);
	} else {
		relay_format_failure(st, (const struct sockaddr *)peer, what, sizeof(what));
		report_errno(st->err, "%s", what);
		say_peer(peer, what, sizeof(what));
	}
	report_undelivered(what, st);
	if (relay_failure_is_local(st->failure))
		return EXIT_LOCAL;
	return EXIT_NETWORK;
}

static void
on_accept(const struct hub_peer *peer, void *ctx)
{
	char who[ADDR_STRLEN + 16];

	(void)ctx;
	say_peer(&peer->addr, who, sizeof(who));
	report_verbose(1, "connection from %s", who);
	if (peer->addr.ss_family == AF_UNIX)
		unix_report_peer(peer->fd, who);
}

static void
on_close(const struct hub_peer *peer, void *ctx)
{
	const struct listen_options *o = ctx;
	char who[ADDR_STRLEN + 16], summary[256];

	say_peer(&peer->addr, who, sizeof(who));
	/* With -k one connection's end is not the program's: say it, and serve on. */
	if (peer->stats.failure == RELAY_FAIL_IDLE)
		report_verbose(1, "%s: idle, closed", who);
	else if (peer->stats.failure != RELAY_FAIL_NONE && !globals.quiet)
		report_relay_failure(&peer->addr, &peer->stats, o);
	relay_format_summary(&peer->stats, o->linger0, summary, sizeof(summary));
	report_verbose(1, "%s: %s", who, summary);
	phases_report_close(NULL, who, (const struct sockaddr *)&peer->addr, &peer->stats);
}

static int
admit(const struct sockaddr_storage *peer, void *ctx)
{
	struct listen_options *o = ctx;

	return access_admit(&o->access, (const struct sockaddr *)peer);
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

/* -k: the hub serves the connections, each through its own relay. */
static int
serve_many(struct listen_options *o, struct bound *b)
{
	struct hub_options h = {
		.max_conns = o->max_conns,
		.max_queue = (size_t)o->max_queue,
		.accept_timeout_usec = o->timeout_usec,
		.relay = o->relay,
		.in_fd = STDIN_FILENO,
		.out_fd = STDOUT_FILENO,
		.on_accept = on_accept,
		.on_close = on_close,
		.on_accept_error = on_accept_error,
		.admit = admit,
		.ctx = o,
	};
	struct child_serve_options c = { o->max_conns, o->timeout_usec, o->relay.max_time_usec,
		o->linger0, admit, o };
	struct hub_result r;

	if (o->exec.argv != NULL)
		return child_serve(b, &o->exec, &c);
	if (hub_run(b, &h, &r) == 0)
		return EXIT_OK;
	if (r.timed_out)
		return no_connection(o->timeout_usec);
	report_errno(r.err, "%s", r.failed_op);
	return relay_failure_is_local(r.failure) ? EXIT_LOCAL : exit_status_for_errno(r.err);
}

/* The first connection --allow and --deny let in; the refused ones are closed with RST. */
static int
accept_admitted(struct listen_options *o, struct bound *b, struct sockaddr_storage *ss,
    socklen_t *len)
{
	int64_t deadline = o->timeout_usec < 0 ? -1 : clock_now_usec() + o->timeout_usec;
	int64_t left;
	int fd;

	for (;;) {
		left = deadline < 0 ? -1 : deadline - clock_now_usec();
		if ((fd = hub_accept(b, left < 0 && deadline >= 0 ? 0 : left, ss, len)) == -1 ||
		    access_admit(&o->access, (const struct sockaddr *)ss))
			return fd;
		sock_linger_zero(fd);
		close(fd);
	}
}

/*
 * One connection through the relay (splice where it can), --echo or not.
 * stdout is closed once the peer's EOF is written out; with stdin a terminal
 * (which never ends by itself) the peer's EOF also ends the input.
 */
static int
serve_one(struct listen_options *o, struct bound *b)
{
	struct sockaddr_storage ss;
	socklen_t len;
	struct relay_stats st;
	struct tls_session *tls = NULL;
	char who[ADDR_STRLEN + 16], summary[256];
	int fd, status = EXIT_OK;

	if ((fd = accept_admitted(o, b, &ss, &len)) == -1) {
		if (errno == ETIMEDOUT)
			return no_connection(o->timeout_usec);
		report_errno(errno, "accept");
		return exit_status_for_errno(errno);
	}
	/* Only one: later connections are refused rather than left in the backlog. */
	sock_close_bound(b);
	say_peer(&ss, who, sizeof(who));
	report_verbose(1, "connection from %s", who);
	if (o->exec.argv != NULL) {
		if (o->linger0)
			sock_linger_zero(fd);
		return child_run_one(&o->exec, fd, who, o->relay.max_time_usec);
	}
	if (ss.ss_family == AF_UNIX)
		unix_report_peer(fd, who);
	o->relay.close_output = 1;
	o->relay.end_at_peer_eof = isatty(STDIN_FILENO);
	/* The handshake is bounded by -i, as silence is in the relay. */
	if (o->tls.enabled && (tls = tls_accept(fd, &o->tls, (struct sockaddr *)&ss,
				   o->relay.idle_usec, &status)) == NULL) {
		close(fd);
		return status;
	}
	o->relay.sock_io = tls ? tls_pump_io(tls) : NULL;
	if (relay_run(fd, STDIN_FILENO, STDOUT_FILENO, &o->relay, &st) == -1 || st.idle_timeout) {
		status = report_relay_failure(&ss, &st, o);
		if (st.err == EPROTO)
			tls_report_relay_error(tls);
	}
	relay_format_summary(&st, o->linger0, summary, sizeof(summary));
	report_verbose(1, "%s", summary);
	phases_report_close(NULL, NULL, (const struct sockaddr *)&ss, &st);
	tls_close(tls);
	if (o->linger0)
		sock_linger_zero(fd);
	close(fd);
	return status;
}

/* -U: the same service on a Unix socket; its file is removed at exit (sockt(1), UNIX SOCKETS). */
static int
run_unix(const struct command *cmd, struct listen_options *o, int argc, char **argv)
{
	struct unix_addr a;
	struct bound b;
	int status;

	if (o->bind.tun.device != NULL || o->linger0)
		opt_usage_error(cmd, "-U takes neither -I nor --linger (TCP's RST)");
	unix_operand(cmd, argc, argv, &a);
	if (argc > 1)
		opt_usage_error(cmd, "unexpected argument '%s' after PATH", argv[1]);
	if ((status = unix_bind(&a, o->unix_type, o->bind.backlog, &b)) != EXIT_OK)
		return status;
	report_verbose(1, "listening on %s (unix %s)", a.text, unix_type_name(o->unix_type));
	status = o->keep_open ? serve_many(o, &b) : serve_one(o, &b);
	unix_unbind(&a, &b);
	return status;
}

static int
run(const struct command *cmd, int argc, char **argv)
{
	struct listen_options o = { .max_conns = 64,
		.max_queue = LISTEN_MAX_QUEUE_DEFAULT,
		.timeout_usec = -1 };
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
	/* Opened before listening: a dump that cannot be written stops everything. */
	if (o.dump_path != NULL && (o.relay.dump = dump_open(o.dump_path, globals.json)) == NULL)
		return EXIT_LOCAL;
	if (o.unix_type != 0) {
		status = run_unix(cmd, &o, argc, argv);
		dump_close(o.relay.dump);
		return status;
	}
	opt_local_endpoint(cmd, argc, argv, "tcp", &ep);
	/* --cert and --key, and the program of --exec, are checked before the port is bound. */
	status = o.exec.argv != NULL ? child_prog_check(&o.exec) : EXIT_OK;
	if (status == EXIT_OK && o.tls.enabled && tls_server_check(&o.tls) == -1)
		status = EXIT_LOCAL;
	if (status != EXIT_OK || sock_bind_local(&ep, SOCK_STREAM, &o.bind, &b, &f) == -1) {
		if (status == EXIT_OK)
			status = report_bind_failure(&ep, &f, SOCK_STREAM);
		endpoint_free(&ep);
		child_prog_free(&o.exec);
		access_free(&o.access);
		dump_close(o.relay.dump);
		return status;
	}
	endpoint_free(&ep);
	/* The first stderr line (sockt-listen(1)): a script learns a port the kernel chose. */
	for (int i = 0; i < b.n; i++)
		report_verbose(1, "listening on %s port %u",
		    addr_format((struct sockaddr *)&b.addr[i], addr, sizeof(addr)),
		    addr_port((struct sockaddr *)&b.addr[i]));
	status = o.keep_open ? serve_many(&o, &b) : serve_one(&o, &b);
	sock_close_bound(&b);
	child_prog_free(&o.exec);
	access_free(&o.access);
	dump_close(o.relay.dump);
	return status;
}

const struct command cmd_listen = {
	"listen",
	"accept TCP connections and relay them to stdin/stdout",
	"[OPTIONS] [HOST] PORT",
	options,
	run,
};
