/* cmd_send.c: one request, one reply (sockt-send(1)): connect, send, half-close, print it. */
#include "config.h"

#include <sys/mman.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "attempts.h"
#include "clock.h"
#include "cmd.h"
#include "crlf.h"
#include "dump.h"
#include "eyeballs.h"
#include "hint.h"
#include "io.h"
#include "opts.h"
#include "parse.h"
#include "phases.h"
#include "proxy.h"
#include "relay.h"
#include "report.h"
#include "source.h"
#include "tls.h"
#include "tunables.h"
#include "unixsock.h"

enum { OPT_CRLF = OPT_LONG, OPT_NO_RECV, OPT_EXPECT, OPT_SEQPACKET, OPT_DUMP };

static const struct opt options[] = {
	{ "escapes", 'e', no_argument, NULL, "interpret \\r \\n \\t \\\\ \\0 \\xHH in DATA" },
	{ "file", 'f', required_argument, "FILE", "send the contents of FILE ('-': stdin)" },
	{ "crlf", OPT_CRLF, no_argument, NULL, "turn each LF not after a CR into CRLF" },
	{ "no-recv", OPT_NO_RECV, no_argument, NULL, "do not wait for a reply" },
	{ "expect", OPT_EXPECT, required_argument, "TEXT",
	    "status 1 unless the reply contains TEXT (a health check)" },
	{ "timeout", 'w', required_argument, "D",
	    "limit for the whole exchange (none by default)" },
	{ "dump", OPT_DUMP, required_argument, "FILE",
	    "write every byte both ways to FILE ('-': stderr)" },
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
	{ "unix", 'U', no_argument, NULL, "send to the Unix socket PATH (or @NAME, abstract)" },
	{ "seqpacket", OPT_SEQPACKET, no_argument, NULL, "-U: a SOCK_SEQPACKET socket" },
	{ NULL, 0, 0, NULL, NULL },
};

struct send_options {
	int escapes, crlf, no_recv;
	const char *file;
	const char *expect; /* --expect: text the reply must contain */
	const char *dump_path; /* --dump */
	struct dump *dump;
	int64_t timeout_usec;
	struct tunables tun;
	struct proxy proxy;
	struct tls_options tls;
	int unix_type; /* -U: SOCK_STREAM or (--seqpacket) SOCK_SEQPACKET; 0 without -U */
	struct unix_addr path; /* -U's PATH */
};

/* The request, in memory: its size is said in the early-reset message. */
struct request {
	char *data;
	size_t len;
};

static int
join_words(int argc, char **argv, struct request *rq)
{
	size_t len = 0;

	for (int i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	if ((rq->data = malloc(len)) == NULL)
		return -1;
	rq->len = 0;
	for (int i = 0; i < argc; i++) {
		size_t n = strlen(argv[i]);
		if (i > 0)
			rq->data[rq->len++] = ' ';
		memcpy(rq->data + rq->len, argv[i], n);
		rq->len += n;
	}
	rq->data[rq->len] = '\0';
	return 0;
}

static int
read_all(int fd, struct request *rq)
{
	size_t cap = 65536;
	ssize_t n;
	char *p;

	if ((rq->data = malloc(cap)) == NULL)
		return -1;
	rq->len = 0;
	for (;;) {
		if (rq->len == cap) {
			if ((p = reallocarray(rq->data, cap, 2)) == NULL)
				return -1;
			rq->data = p;
			cap *= 2;
		}
		if ((n = io_read(fd, rq->data + rq->len, cap - rq->len)) == -1)
			return -1;
		if (n == 0)
			return 0;
		rq->len += (size_t)n;
	}
}

/* --crlf: a bare LF becomes CRLF; one already after a CR is left alone (crlf.h). */
static int
to_crlf(struct request *rq)
{
	struct crlf st = { 0 };
	size_t bare = crlf_extra(&st, rq->data, rq->len);
	char *out;

	if (bare == 0)
		return 0;
	if ((out = malloc(rq->len + bare)) == NULL)
		return -1;
	rq->len = crlf_convert(&st, rq->data, rq->len, out);
	free(rq->data);
	rq->data = out;
	return 0;
}

/* DATA words, -f FILE or stdin. Returns an exit status. */
static int
build_request(const struct send_options *o, int argc, char **argv, struct request *rq)
{
	const char *bad;
	long n;
	int fd;

	if (argc > 0) {
		if (join_words(argc, argv, rq) == -1)
			goto failed;
		if (o->escapes) {
			if ((n = parse_escapes(rq->data, rq->data, &bad)) == -1) {
				report_error("invalid escape '%.4s' in DATA: use \\r \\n \\t \\\\ "
					     "\\0 or \\xHH",
				    bad);
				return EXIT_USAGE;
			}
			rq->len = (size_t)n;
		}
	} else if (o->file != NULL && strcmp(o->file, "-") != 0) {
		if ((fd = open(o->file, O_RDONLY | O_CLOEXEC)) == -1) {
			report_errno(errno, "open %s", o->file);
			return EXIT_LOCAL;
		}
		n = read_all(fd, rq);
		close(fd);
		if (n == -1) {
			report_errno(errno, "read %s", o->file);
			return EXIT_LOCAL;
		}
	} else if (read_all(STDIN_FILENO, rq) == -1) {
		report_errno(errno, "read from stdin");
		return EXIT_LOCAL;
	}
	if (o->crlf && to_crlf(rq) == -1)
		goto failed;
	return EXIT_OK;
failed:
	report_errno(errno, "build the request");
	return EXIT_LOCAL;
}

/* No connection: why, for each address tried (or for the one call that failed first). */
static int
report_connect_failure(const struct eyeballs_result *r, const struct source *src,
    const struct endpoint *ep, int64_t timeout)
{
	if (r->n > 0)
		return attempts_report_all_failed(r, src, timeout);
	attempts_report_connect(errno, ep->host, ep->port);
	return exit_status_for_errno(errno);
}

/* The relay's failure, worded for a request of rq->len bytes (sockt-send(1), DIAGNOSTICS). */
static int
report_exchange_failure(const struct relay_stats *st, const struct request *rq, int64_t timeout)
{
	char d[32];

	if (st->failure == RELAY_FAIL_DEADLINE) {
		duration_format(timeout, d, sizeof(d));
		report_errno(ETIMEDOUT,
		    "no end to the exchange within %s (-w): %" PRIu64 " of %zu byte%s "
		    "sent, %" PRIu64 " received",
		    d, st->bytes_sent, rq->len, rq->len == 1 ? "" : "s", st->bytes_received);
		return EXIT_NETWORK;
	}
	if ((st->failure == RELAY_FAIL_SEND || st->failure == RELAY_FAIL_RECEIVE) &&
	    (st->err == ECONNRESET || st->err == EPIPE)) {
		report_error("peer %s the connection after %" PRIu64
			     " of %zu byte%s [%s, errno %d]",
		    st->err == EPIPE ? "closed" : "reset", st->bytes_sent, rq->len,
		    rq->len == 1 ? "" : "s", errno_name(st->err), st->err);
		return EXIT_NETWORK;
	}
	report_errno(st->err, "%s", st->failed_op);
	return relay_failure_is_local(st->failure) ? EXIT_LOCAL : exit_status_for_errno(st->err);
}

/*
 * --expect: the reply was kept in fd (a memfd); writes it to stdout and
 * looks for text in it, across read boundaries. Returns the number of
 * reply bytes, or -1 with errno if stdout failed (a reader gone is not a
 * failure: the search goes on). *found says whether text was there.
 */
static int64_t
copy_reply_finding(int fd, const char *text, int *found)
{
	size_t tlen = strlen(text), keep = 0, cap = 65536 + tlen;
	int64_t total = 0;
	int out_open = 1;
	ssize_t n;
	char *buf;

	*found = 0;
	if (lseek(fd, 0, SEEK_SET) == -1 || (buf = malloc(cap)) == NULL)
		return -1;
	while ((n = io_read(fd, buf + keep, cap - keep)) > 0) {
		if (!*found && memmem(buf, keep + (size_t)n, text, tlen) != NULL)
			*found = 1;
		if (out_open && io_write_all(STDOUT_FILENO, buf + keep, (size_t)n) == -1) {
			if (errno != EPIPE)
				break;
			out_open = 0;
		}
		total += n;
		/* The last tlen - 1 bytes may start a match that the next read ends. */
		keep += (size_t)n;
		if (keep > tlen - 1) {
			memmove(buf, buf + keep - (tlen - 1), tlen - 1);
			keep = tlen - 1;
		}
	}
	free(buf);
	return n == 0 ? total : -1;
}

/*
 * --expect: writes the reply and, when the exchange ended normally (said),
 * says whether it held the text. Returns the exit status.
 */
static int
judge_reply(int fd, const char *text, int say)
{
	int64_t got;
	int found;

	if ((got = copy_reply_finding(fd, text, &found)) == -1) {
		report_errno(errno, "write the reply to stdout");
		return EXIT_LOCAL;
	}
	if (found || !say)
		return EXIT_OK;
	if (got == 0)
		report_error("no reply: the peer closed without sending anything (--expect '%s')",
		    text);
	else
		report_error("the reply (%" PRId64 " byte%s) does not contain '%s' (--expect)", got,
		    got == 1 ? "" : "s", text);
	return EXIT_NETWORK;
}

/* --tls: the handshake within what is left of -w; EXIT_OK, or the status once reported. */
static int
start_tls(const struct send_options *o, const struct endpoint *ep, int fd,
    const struct eyeballs_result *r, struct relay_options *ro, struct tls_session **tls)
{
	int64_t left = ro->deadline_usec > 0 ? ro->deadline_usec - clock_now_usec() : -1;
	int status = EXIT_OK;

	if (!o->tls.enabled)
		return EXIT_OK;
	*tls = tls_connect(fd, &o->tls, ep->host,
	    (const struct sockaddr *)&r->attempts[r->winner].addr,
	    ro->deadline_usec > 0 && left <= 0 ? 1 : left, &status);
	if (*tls != NULL)
		ro->sock_io = tls_pump_io(*tls);
	return status;
}

static int
exchange(const struct send_options *o, const struct endpoint *dest, const struct request *rq)
{
	const struct endpoint *ep = proxy_endpoint(&o->proxy, dest);
	struct source src = { .tun = o->tun };
	struct eyeballs_options eo = { .timeout_usec = o->timeout_usec,
		.attempt_delay_usec = 250000,
		.on_event = attempts_on_event,
		.ctx = &src,
		.source = &src };
	struct relay_options ro = { .data = rq->data,
		.data_len = rq->len,
		.no_recv = o->no_recv,
		.dump = o->dump };
	struct tls_session *tls = NULL;
	struct eyeballs_result r;
	struct relay_stats st;
	struct addrinfo *res;
	struct phases ph;
	char summary[256];
	int eai, fd, out = STDOUT_FILENO, status = EXIT_OK;

	if (o->timeout_usec > 0)
		ro.deadline_usec = clock_now_usec() + o->timeout_usec;
	if (o->unix_type != 0) {
		if ((fd = unix_connect(&o->path, o->unix_type, o->timeout_usec, &status)) == -1)
			return status;
		goto connected;
	}
	if ((eai = phases_resolve(&ph, ep->host, ep->port, SOCK_STREAM, &res)) != 0) {
		report_eai(eai, errno, "%s", ep->host);
		proxy_note_unreached(&o->proxy, dest);
		return EXIT_RESOLVE;
	}
	phases_say_resolved(&ph);
	fd = eyeballs_connect(res, &eo, &r);
	freeaddrinfo(res);
	phases_connected(&ph, &r);
	if (fd == -1) {
		status = report_connect_failure(&r, &src, ep, o->timeout_usec);
		phases_report_failed(&ph);
		proxy_note_unreached(&o->proxy, dest);
		eyeballs_result_free(&r);
		return status;
	}
	/* Through a proxy, TLS is with the destination, after the proxy's handshake. */
	if ((status = proxy_handshake(fd, &o->proxy, dest, ro.deadline_usec)) == EXIT_OK)
		status = start_tls(o, dest, fd, &r, &ro, &tls);
	eyeballs_result_free(&r);
	if (status != EXIT_OK) {
		close(fd);
		return status;
	}
connected:
	/* With --expect the reply is held until it has ended, then written and judged. */
	if (o->expect != NULL && (out = memfd_create("sockt-send-reply", MFD_CLOEXEC)) == -1) {
		report_errno(errno, "make a buffer for the reply (--expect)");
		tls_close(tls);
		close(fd);
		return EXIT_LOCAL;
	}
	/* stdout closes with the peer's EOF; a held reply is written afterwards. */
	ro.close_output = out == STDOUT_FILENO;
	if (relay_run(fd, -1, out, &ro, &st) == -1) {
		status = report_exchange_failure(&st, rq, o->timeout_usec);
		if (st.err == EPROTO)
			tls_report_relay_error(tls);
	}
	relay_format_summary(&st, 0, summary, sizeof(summary));
	report_verbose(1, "%s", summary);
	tls_close(tls);
	/* A Unix socket has no name to resolve and no TCP_INFO: nothing to time or measure. */
	if (o->unix_type == 0)
		phases_report_close(&ph, NULL, NULL, &st);
	close(fd);
	if (out != STDOUT_FILENO) {
		/* What came before a failure is still written; the failure decides the status. */
		int verdict = judge_reply(out, o->expect, status == EXIT_OK);
		if (status == EXIT_OK)
			status = verdict;
		close(out);
	}
	return status;
}

static int
run(const struct command *cmd, int argc, char **argv)
{
	struct send_options o = { .timeout_usec = -1 };
	struct request rq = { NULL, 0 };
	struct opt_parser p;
	struct endpoint ep;
	int ch, used, status;

	opt_begin(&p, cmd, argc, argv);
	while ((ch = opt_next(&p)) != -1) {
		switch (ch) {
		case 'e': o.escapes = 1; break;
		case 'f': o.file = p.arg; break;
		case OPT_CRLF: o.crlf = 1; break;
		case OPT_NO_RECV: o.no_recv = 1; break;
		case OPT_EXPECT:
			if (p.arg[0] == '\0')
				opt_usage_error(cmd,
				    "invalid --expect '': give the text the reply must contain");
			o.expect = p.arg;
			break;
		case 'w': o.timeout_usec = opt_duration(&p); break;
		case 'U': o.unix_type = o.unix_type ? o.unix_type : SOCK_STREAM; break;
		case OPT_SEQPACKET: o.unix_type = SOCK_SEQPACKET; break;
		case OPT_DUMP: o.dump_path = p.arg; break;
		default:
			if (!proxy_option(&o.proxy, &p, ch) && !tls_option(&o.tls, &p, ch))
				tunables_option(&o.tun, &p, ch);
			break;
		}
	}
	opt_end(&p);
	argc -= p.optind;
	argv += p.optind;
	memset(&ep, 0, sizeof(ep));
	if (o.unix_type != 0 && o.tun.device != NULL)
		opt_usage_error(cmd, "-I applies to IP sockets, not to -U");
	if (o.unix_type != 0 && proxy_given(&o.proxy) != NULL)
		opt_usage_error(cmd, "-U takes no %s", proxy_given(&o.proxy));
	if (o.unix_type != 0)
		unix_operand(cmd, argc, argv, &o.path);
	used = o.unix_type != 0 ? 1
				: opt_remote_endpoint(cmd, argc, argv, "tcp",
				      1 | proxy_remote_flags(&o.proxy), &ep);
	proxy_check(cmd, &o.proxy, &ep);
	if (used < argc && o.file != NULL)
		opt_usage_error(cmd, "DATA and -f exclude each other: give one");
	if (o.expect != NULL && o.no_recv)
		opt_usage_error(cmd,
		    "--expect needs the reply, and --no-recv does not wait for it");
	tls_options_check(cmd, &o.tls, 0);
	if (o.unix_type != 0 && o.tls.enabled)
		opt_usage_error(cmd, "--tls is for TCP: not with -U");
	if (o.escapes && used == argc)
		opt_usage_error(cmd, "-e applies to DATA arguments, and none were given");
	if ((status = build_request(&o, argc - used, argv + used, &rq)) == EXIT_OK &&
	    o.dump_path != NULL && (o.dump = dump_open(o.dump_path, globals.json)) == NULL)
		status = EXIT_LOCAL;
	if (status == EXIT_OK)
		status = exchange(&o, &ep, &rq);
	dump_close(o.dump);
	free(rq.data);
	proxy_free(&o.proxy);
	endpoint_free(&ep);
	return status;
}

const struct command cmd_send = {
	"send",
	"send one request and print the reply",
	"[OPTIONS] HOST PORT [DATA...]",
	options,
	run,
};
