/* cmd_connect.c: open a TCP connection (Happy Eyeballs) and relay it to stdin/stdout, or scan ports
 * (-z). */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "attempts.h"
#include "child.h"
#include "clock.h"
#include "cmd.h"
#include "cmd_connect.h"
#include "dump.h"
#include "eyeballs.h"
#include "family_line.h"
#include "hint.h"
#include "json.h"
#include "opts.h"
#include "parse.h"
#include "phases.h"
#include "proxy.h"
#include "relay.h"
#include "report.h"
#include "scan.h"
#include "sock.h"
#include "source.h"
#include "tcping.h"
#include "tls.h"
#include "tunables.h"
#include "unixsock.h"

enum {
	OPT_LINGER = OPT_LONG,
	OPT_NO_SHUTDOWN,
	OPT_RECV_ONLY,
	OPT_SEND_ONLY,
	OPT_PARALLEL,
	OPT_SEQPACKET,
	OPT_EXEC,
	OPT_SH_EXEC,
	OPT_DUMP,
};

static const struct opt options[] = {
	{ "source", 's', required_argument, "ADDR", "connect from this local address" },
	{ "source-port", 'p', required_argument, "PORT", "connect from this local port" },
	{ "timeout", 'w', required_argument, "D",
	    "connection set-up limit (none; -z: per port, 2 s)" },
	{ "idle-timeout", 'i', required_argument, "D",
	    "close after D with no data either way (-z -c: probe every D, 1 s)" },
	{ "linger", OPT_LINGER, required_argument, "0|fin",
	    "0: close with RST, no TIME_WAIT here (-z -c default); fin: normal close" },
	{ "no-shutdown", OPT_NO_SHUTDOWN, no_argument, NULL, "keep sending open at stdin EOF" },
	{ "recv-only", OPT_RECV_ONLY, no_argument, NULL, "do not read stdin" },
	{ "send-only", OPT_SEND_ONLY, no_argument, NULL, "do not write to stdout" },
	{ "crlf", 'C', no_argument, NULL, "send each LF from stdin as CRLF (as nc -C)" },
	{ "dump", OPT_DUMP, required_argument, "FILE",
	    "write every byte both ways to FILE ('-': stderr)" },
	{ "scan", 'z', no_argument, NULL, "scan ports: connect, close, report each" },
	{ "count", 'c', required_argument, "N",
	    "-z: probe one port N times, with ping's statistics" },
	{ "parallel", OPT_PARALLEL, required_argument, "N",
	    "-z: connects in flight at once (128)" },
	{ "exec", OPT_EXEC, required_argument, "PROGRAM",
	    "run 'PROGRAM ARGS' on the connection (split on blanks, no shell)" },
	{ "sh-exec", OPT_SH_EXEC, required_argument, "COMMAND",
	    "run COMMAND with /bin/sh -c on the connection" },
	{ "tos", OPT_TUNABLE_TOS, required_argument, "N", TUNABLES_HELP_TOS },
	{ "interface", OPT_TUNABLE_INTERFACE, required_argument, "IFACE", TUNABLES_HELP_INTERFACE },
	{ "proxy", OPT_PROXY, required_argument, "HOST:PORT", PROXY_HELP },
	{ "proxy-type", OPT_PROXY_TYPE, required_argument, "TYPE", PROXY_HELP_TYPE },
	{ "proxy-auth", OPT_PROXY_AUTH, required_argument, "USER:PASS", PROXY_HELP_AUTH },
	{ "tls", OPT_TLS, no_argument, NULL, TLS_HELP },
	{ "no-verify", OPT_TLS_NO_VERIFY, no_argument, NULL, TLS_HELP_NO_VERIFY },
	{ "ca", OPT_TLS_CA, required_argument, "FILE", TLS_HELP_CA },
	{ "sni", OPT_TLS_SNI, required_argument, "NAME", TLS_HELP_SNI },
	{ "alpn", OPT_TLS_ALPN, required_argument, "LIST", TLS_HELP_ALPN },
	{ "tls-min", OPT_TLS_MIN, required_argument, "VERSION", TLS_HELP_MIN },
	{ "warn-days", OPT_TLS_WARN_DAYS, required_argument, "N", TLS_HELP_WARN_DAYS },
	{ "unix", 'U', no_argument, NULL, "connect to the Unix socket PATH (or @NAME, abstract)" },
	{ "seqpacket", OPT_SEQPACKET, no_argument, NULL, "-U: a SOCK_SEQPACKET socket" },
	{ NULL, 0, 0, NULL, NULL },
};

int
connect_source_mismatch(const struct connect_options *o, const struct endpoint *ep)
{
	report_errno(EAFNOSUPPORT, "connect from %s to %s port %s (tcp)", o->source, ep->host,
	    ep->port);
	report_hint("%s has no address of the family of %s's addresses; give a source of the same "
		    "family, or choose one with -4/-6",
	    o->source, ep->host);
	return EXIT_LOCAL;
}

/* Bytes read on one side that never reached the other: said, never silent. */
static void
report_lost(const struct relay_stats *st)
{
	if (st->bytes_written < st->bytes_received && !st->output_closed)
		report_error("%" PRIu64 " of %" PRIu64 " bytes received were not written to stdout",
		    st->bytes_received - st->bytes_written, st->bytes_received);
	if (st->input_unsent > 0)
		report_error("%" PRIu64 " bytes read from stdin were not sent", st->input_unsent);
	if (st->unacked > 0)
		report_error("%" PRIu64
			     " bytes sent were not acknowledged, and the RST (--linger 0) "
			     "drops them",
		    st->unacked);
}

/* A relay failure on the connection names the peer, as the connect error lines do. */
static void
report_relay_error(const struct relay_stats *st, const struct sockaddr *peer)
{
	char what[ADDR_STRLEN + 64];

	relay_format_failure(st, peer, what, sizeof(what));
	report_errno(st->err, "%s", what);
	report_lost(st);
}

static int
relay(int fd, const struct sockaddr *peer, const struct connect_options *o, const char *host,
    const struct phases *ph)
{
	struct relay_options ro = o->relay;
	struct tls_session *tls = NULL;
	struct relay_stats st;
	char summary[256], d[ADDR_STRLEN];
	int rc;

	if (o->linger0 && sock_linger_zero(fd) == -1) {
		report_errno(errno, "set SO_LINGER on the connection");
		close(fd);
		return EXIT_LOCAL;
	}
	/* stdout closes with the peer's EOF; a terminal's input ends with it too. */
	ro.close_output = 1;
	ro.end_at_peer_eof = isatty(STDIN_FILENO);
	if (o->exec.argv != NULL) {
		addr_format(peer, d, sizeof(d));
		snprintf(summary, sizeof(summary), "%s port %u", d, addr_port(peer));
		return child_run_one(&o->exec, fd, summary, -1);
	}
	if (o->tls.enabled) {
		if ((tls = tls_connect(fd, &o->tls, host, peer, o->timeout_usec, &rc)) == NULL) {
			close(fd);
			return rc;
		}
		ro.sock_io = tls_pump_io(tls);
	}
	rc = relay_run(fd, STDIN_FILENO, STDOUT_FILENO, &ro, &st);
	if (rc == -1 && st.err == EPROTO)
		tls_report_relay_error(tls);
	tls_close(tls);
	close(fd);
	relay_format_summary(&st, o->linger0, summary, sizeof(summary));
	report_verbose(1, "%s", summary);
	phases_report_close(ph, NULL, peer, &st);
	if (rc == -1) {
		report_relay_error(&st, peer);
		return relay_failure_is_local(st.failure) ? EXIT_LOCAL : EXIT_NETWORK;
	}
	if (st.idle_timeout) {
		duration_format(o->idle_usec, d, sizeof(d));
		report_error("no data either way for %s (-i): connection closed", d);
		report_lost(&st);
		return EXIT_NETWORK;
	}
	return EXIT_OK;
}

/* HOST's addresses and the -s/-p source: EXIT_OK, or the status once reported. */
int
connect_resolve(const struct connect_options *o, const struct endpoint *ep, const char *port,
    struct addrinfo **res, struct source *src, struct phases *ph)
{
	int eai;

	if ((eai = phases_resolve(ph, ep->host, port, SOCK_STREAM, res)) != 0) {
		report_eai(eai, errno, "%s", ep->host);
		return EXIT_RESOLVE;
	}
	memset(src, 0, sizeof(*src));
	src->tun = o->tun;
	if ((eai = source_resolve(o->source, o->source_port, src)) != 0) {
		report_eai(eai, errno, "source %s", o->source ? o->source : "*");
		freeaddrinfo(*res);
		return EXIT_RESOLVE;
	}
	return EXIT_OK;
}

static int
run_connect(const struct connect_options *o, const struct endpoint *dest)
{
	const struct endpoint *ep = proxy_endpoint(&o->proxy, dest);
	int64_t deadline = o->timeout_usec > 0 ? clock_now_usec() + o->timeout_usec : 0;
	struct eyeballs_options eo = { o->timeout_usec, 250000, NULL, NULL, attempts_on_event, NULL,
		NULL };
	struct eyeballs_result r;
	struct addrinfo *res;
	struct source src;
	struct phases ph;
	int fd, status;

	/* The source is resolved here, not in eyeballs, to be named in error lines. */
	if ((status = connect_resolve(o, ep, ep->port, &res, &src, &ph)) != EXIT_OK) {
		proxy_note_unreached(&o->proxy, dest);
		return status;
	}
	phases_say_resolved(&ph);
	eo.ctx = &src;
	eo.source = &src;
	fd = eyeballs_connect(res, &eo, &r);
	freeaddrinfo(res);
	phases_connected(&ph, &r);
	if (fd != -1 && (status = proxy_handshake(fd, &o->proxy, dest, deadline)) != EXIT_OK)
		close(fd);
	else if (fd != -1)
		status =
		    relay(fd, (struct sockaddr *)&r.attempts[r.winner].addr, o, dest->host, &ph);
	else if (r.n == 0 && r.skipped > 0)
		status = connect_source_mismatch(o, ep);
	else if (r.n == 0) {
		attempts_report_connect(errno, ep->host, ep->port);
		status = exit_status_for_errno(errno);
	} else
		status = attempts_report_all_failed(&r, &src, o->timeout_usec);
	if (fd == -1) {
		phases_report_failed(&ph);
		proxy_note_unreached(&o->proxy, dest);
	}
	eyeballs_result_free(&r);
	return status;
}

/* -U: the relay over a Unix socket, to PATH or @NAME (sockt(1), UNIX SOCKETS). */
static int
run_unix(const struct command *cmd, struct connect_options *o, int argc, char **argv)
{
	struct unix_addr a;
	int fd, status;

	if (o->scan || o->source != NULL || o->source_port != NULL || o->tun.tos_set ||
	    o->tun.device != NULL || o->linger0)
		opt_usage_error(cmd, "-U takes none of -z, -s, -p, --tos, -I, --linger");
	unix_operand(cmd, argc, argv, &a);
	if (argc > 1)
		opt_usage_error(cmd, "unexpected argument '%s' after PATH", argv[1]);
	if ((fd = unix_connect(&a, o->unix_type, o->timeout_usec, &status)) == -1)
		return status;
	return relay(fd, (struct sockaddr *)&a.sun, o, NULL, NULL);
}

static void
parse_options(struct opt_parser *p, struct connect_options *o)
{
	int ch;

	while ((ch = opt_next(p)) != -1) {
		switch (ch) {
		case 's': o->source = p->arg; break;
		case 'p':
			opt_port(p, "tcp");
			o->source_port = p->arg;
			break;
		case 'w': o->timeout_usec = opt_duration(p); break;
		case 'i': o->idle_usec = o->relay.idle_usec = opt_duration(p); break;
		case OPT_LINGER:
			o->linger0 = o->relay.linger0 = opt_linger(p);
			o->linger_set = 1;
			break;
		case 'c': o->count = opt_count(p); break;
		case OPT_NO_SHUTDOWN:
			o->relay.no_shutdown = 1;
			o->relay_only = "--no-shutdown";
			break;
		case OPT_RECV_ONLY:
			o->relay.recv_only = 1;
			o->relay_only = "--recv-only";
			break;
		case OPT_SEND_ONLY:
			o->relay.send_only = 1;
			o->relay_only = "--send-only";
			break;
		case 'C':
			o->relay.crlf = 1;
			o->relay_only = "-C";
			break;
		case OPT_DUMP:
			o->dump_path = p->arg;
			o->relay_only = "--dump";
			break;
		case 'z': o->scan = 1; break;
		case OPT_PARALLEL: o->parallel = (int)opt_number(p, 1, 65536); break;
		case 'U': o->unix_type = o->unix_type ? o->unix_type : SOCK_STREAM; break;
		case OPT_SEQPACKET: o->unix_type = SOCK_SEQPACKET; break;
		case OPT_EXEC: child_option(&o->exec, p, 0); break;
		case OPT_SH_EXEC: child_option(&o->exec, p, 1); break;
		default:
			if (!proxy_option(&o->proxy, p, ch) && !tls_option(&o->tls, p, ch))
				tunables_option(&o->tun, p, ch);
			break;
		}
	}
}

static int
run(const struct command *cmd, int argc, char **argv)
{
	struct connect_options o = { .timeout_usec = -1,
		.idle_usec = -1,
		.parallel = 0,
		.relay = { .idle_usec = -1 } };
	struct opt_parser p;
	struct endpoint ep;
	int used, status;

	opt_begin(&p, cmd, argc, argv);
	parse_options(&p, &o);
	opt_end(&p);
	argc -= p.optind;
	argv += p.optind;
	/* After every option: -4/-6 may come after -s. */
	opt_check_host(cmd, o.source);
	if (o.relay.recv_only && o.relay.send_only)
		opt_usage_error(cmd, "--recv-only and --send-only exclude each other");
	if (o.proxy.ep.host != NULL)
		o.relay_only = "--proxy";
	if (o.scan && o.relay_only != NULL)
		opt_usage_error(cmd, "%s applies to a relay, not to -z", o.relay_only);
	if (!o.scan && o.parallel != 0)
		opt_usage_error(cmd, "--parallel applies to -z only");
	if (!o.scan && o.count > 0)
		opt_usage_error(cmd, "-c applies to -z only (probes)");
	if (o.count > 0 && o.parallel != 0)
		opt_usage_error(cmd,
		    "--parallel applies to a scan; -z -c probes every address at once");
	if (o.scan && o.count == 0 && o.idle_usec >= 0)
		opt_usage_error(cmd, "-i applies to a relay, or to -z -c (the probes' interval)");
	if (o.count > 0 && o.tls.enabled)
		opt_usage_error(cmd, "--tls applies to a scan, not to -z -c");
	if (o.exec.argv != NULL && (o.scan || o.relay_only != NULL))
		opt_usage_error(cmd, "%s applies to a relay, not to %s",
		    o.scan ? "-z" : o.relay_only, o.exec.option);
	if (o.exec.argv != NULL && o.unix_type != 0)
		opt_usage_error(cmd, "%s applies to TCP, not to -U", o.exec.option);
	if (o.exec.argv != NULL &&
	    (o.tls.enabled || proxy_given(&o.proxy) != NULL || o.dump_path != NULL || o.relay.crlf))
		opt_usage_error(cmd,
		    "%s hands the raw socket over: no --tls, --proxy, --dump or -C", o.exec.option);
	if (!o.scan && o.tls.warn_days_set)
		opt_usage_error(cmd, "--warn-days applies to -z --tls only");
	tls_options_check(cmd, &o.tls, 0);
	if (o.unix_type != 0 && o.tls.enabled)
		opt_usage_error(cmd, "--tls is for TCP: not with -U");
	if (o.unix_type != 0 && proxy_given(&o.proxy) != NULL)
		opt_usage_error(cmd, "-U takes no %s", proxy_given(&o.proxy));
	/* Opened before connecting: a dump that cannot be written stops everything. */
	if (o.dump_path != NULL && (o.relay.dump = dump_open(o.dump_path, globals.json)) == NULL)
		return EXIT_LOCAL;
	if (o.unix_type != 0) {
		status = run_unix(cmd, &o, argc, argv);
		dump_close(o.relay.dump);
		return status;
	}
	used = opt_remote_endpoint(cmd, argc, argv, "tcp",
	    (o.scan ? 0 : 1) | proxy_remote_flags(&o.proxy), &ep);
	proxy_check(cmd, &o.proxy, &ep);
	if (o.scan) {
		if (o.timeout_usec == -1)
			o.timeout_usec = 2000000;
		if (o.parallel == 0)
			o.parallel = 128;
		/* HOST:PORT gave the first port; every further word is another. */
		argv[used - 1] = ep.port;
		status = connect_run_scan(cmd, &o, &ep, argc - used + 1, argv + used - 1);
	} else {
		if (argc > used)
			opt_usage_error(cmd, "unexpected argument '%s' (more ports need -z)",
			    argv[used]);
		status = o.exec.argv != NULL ? child_prog_check(&o.exec) : EXIT_OK;
		if (status == EXIT_OK)
			status = run_connect(&o, &ep);
	}
	proxy_free(&o.proxy);
	endpoint_free(&ep);
	child_prog_free(&o.exec);
	dump_close(o.relay.dump);
	return status;
}

const struct command cmd_connect = {
	"connect",
	"open a TCP connection and relay it to stdin/stdout, or scan ports",
	"[OPTIONS] HOST PORT\n-z [OPTIONS] HOST PORT[-PORT] [PORT[-PORT]...]",
	options,
	run,
};
