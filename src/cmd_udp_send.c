/* cmd_udp_send.c: send UDP datagrams (a message, stdin lines, or stdin whole) and read the answers.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "clock.h"
#include "cmd.h"
#include "dgram.h"
#include "dgram_input.h"
#include "hint.h"
#include "io.h"
#include "opts.h"
#include "parse.h"
#include "payload.h"
#include "report.h"
#include "udp_target.h"
#include "unixsock_dgram.h"

enum { OPT_WHOLE = OPT_LONG, OPT_INTERVAL, OPT_REPLY, OPT_HEX, OPT_BROADCAST };

static const struct opt options[] = {
	{ "escapes", 'e', no_argument, NULL, "interpret \\r \\n \\t \\\\ \\0 \\xHH in MESSAGE" },
	{ "whole", OPT_WHOLE, no_argument, NULL,
	    "send all of stdin as one datagram (default: one per line)" },
	{ "count", 'c', required_argument, "N", "send each datagram N times (default 1)" },
	{ "interval", OPT_INTERVAL, required_argument, "D",
	    "wait D between datagrams (default 0)" },
	{ "reply", OPT_REPLY, required_argument, "D",
	    "wait up to D for answers and write them to stdout" },
	{ "hex", OPT_HEX, no_argument, NULL, "write answers as a hex dump" },
	{ "broadcast", OPT_BROADCAST, no_argument, NULL,
	    "allow a broadcast destination (SO_BROADCAST)" },
	{ "ttl", OPT_TUNABLE_TTL, required_argument, "N", TUNABLES_HELP_TTL },
	{ "tos", OPT_TUNABLE_TOS, required_argument, "N", TUNABLES_HELP_TOS },
	{ "interface", OPT_TUNABLE_INTERFACE, required_argument, "IFACE", TUNABLES_HELP_INTERFACE },
	{ "source", 's', required_argument, "ADDR", "send from this local address" },
	{ "source-port", 'p', required_argument, "PORT", "send from this local port" },
	{ "dgram", 'U', no_argument, NULL,
	    "send to the Unix datagram socket PATH (or @NAME, abstract)" },
	{ NULL, 0, 0, NULL, NULL },
};

/* Stdin is read in pieces this large; a line that does not fit is no datagram anyway. */
#define LINE_BUFFER (256 * 1024)

struct sender {
	struct udp_target t;
	struct dgram_batch batch;
	long long count;
	int64_t interval, reply; /* -1: none */
	int64_t next_send;
	enum payload_format format;
	unsigned char *answer;
	uint64_t sent, bytes, answers;
	int refused; /* an ICMP error came while many could answer */
	int stop; /* an error was reported, or stdout went away */
	int status;
};

static void
fail(struct sender *s, int status)
{
	s->stop = 1;
	if (s->status == EXIT_OK)
		s->status = status;
}

static void
too_long(struct sender *s, size_t size)
{
	fail(s, udp_target_report_too_long(&s->t, size));
}

/* Reads the error queue (or SO_ERROR): 1 if an error was found and reported. */
static int
check_errors(struct sender *s)
{
	struct errqueue_entry e;

	if (dgram_error_read(s->t.fd, &e) != 1)
		return 0;
	udp_target_report_error(&s->t, &e);
	if (s->t.multi && e.from_icmp) {
		s->refused = 1; /* one host of many said no; the others may still answer */
		return 1;
	}
	fail(s, exit_status_for_errno(e.err));
	return 1;
}

/* A failed send or receive: the error queue says more (who sent the ICMP) where it has it. */
static void
socket_failed(struct sender *s, int err, const char *what)
{
	if (!check_errors(s))
		fail(s, udp_target_report_errno(&s->t, err, what));
}

static void
read_answers(struct sender *s)
{
	struct sockaddr_storage from;
	socklen_t fromlen;
	char text[ADDR_STRLEN];
	uint16_t port;
	ssize_t n;
	size_t kept;

	while (!s->stop) {
		fromlen = sizeof(from);
		n = recvfrom(s->t.fd, s->answer, DGRAM_BUFFER_DEFAULT, MSG_DONTWAIT | MSG_TRUNC,
		    (struct sockaddr *)&from, &fromlen);
		if (n == -1) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			if (errno != EINTR)
				socket_failed(s, errno, "receive from");
			continue;
		}
		s->answers++;
		kept = (size_t)n < DGRAM_BUFFER_DEFAULT ? (size_t)n : DGRAM_BUFFER_DEFAULT;
		port = dgram_address((struct sockaddr *)&from, text, sizeof(text));
		report_verbose(1, "%zd byte%s from %s port %u", n, n == 1 ? "" : "s", text, port);
		if (payload_write(s->format, (struct sockaddr *)&from, s->answer, kept,
			(size_t)n) == -1) {
			if (errno != EPIPE) {
				report_errno(errno, "write to stdout");
				fail(s, EXIT_LOCAL);
			}
			s->stop = 1;
		}
	}
}

/* Waits until the clock reads `until`, taking answers and errors as they come. */
static void
wait_until(struct sender *s, int64_t until, int stop_when_answered)
{
	struct pollfd pfd = { .fd = s->t.fd, .events = s->reply >= 0 ? POLLIN : 0 };
	int64_t now;

	while (!s->stop) {
		if (stop_when_answered && !s->t.multi && s->answers >= s->sent)
			return;
		if ((now = clock_now_usec()) >= until)
			return;
		if (poll(&pfd, 1, duration_to_poll_ms(until - now)) == -1) {
			if (errno == EINTR)
				continue;
			report_errno(errno, "poll");
			fail(s, EXIT_LOCAL);
			return;
		}
		if (pfd.revents & POLLERR)
			check_errors(s);
		if (pfd.revents & POLLIN) {
			uint64_t before = s->answers;
			read_answers(s);
			/* --reply D is counted from the last answer: a slow trickle is not cut
			 * short. */
			if (stop_when_answered && s->answers > before)
				until = clock_now_usec() + s->reply;
		}
	}
}

static void
flush(struct sender *s)
{
	size_t failed_len = 0;
	int err;

	if (s->batch.n == 0 || s->stop)
		return;
	if (dgram_send(s->t.fd, &s->batch, &s->sent, &failed_len) == -1) {
		err = errno;
		if (err == EMSGSIZE && failed_len > dgram_limit(s->t.family))
			too_long(s, failed_len);
		else
			socket_failed(s, err, "send to");
		return;
	}
	/* An ICMP error for an earlier datagram may be queued already (loopback: always). */
	check_errors(s);
	if (s->reply >= 0)
		read_answers(s);
}

/* One datagram, count times; the bytes must stay until the next flush. */
static void
queue(struct sender *s, const void *data, size_t len)
{
	if (len > dgram_limit(s->t.family)) {
		flush(s); /* the datagrams before it still go */
		if (!s->stop)
			too_long(s, len);
		return;
	}
	for (long long i = 0; i < s->count && !s->stop; i++) {
		if (s->interval > 0) {
			wait_until(s, s->next_send, 0);
			s->next_send = clock_now_usec() + s->interval;
		}
		s->bytes += len;
		if (dgram_batch_add(&s->batch, data, len, s->t.connected ? NULL : s->t.to_sa,
			s->t.tolen) ||
		    s->interval > 0)
			flush(s);
	}
}

static int
sink_datagram(void *ctx, const void *data, size_t len)
{
	struct sender *s = ctx;

	queue(s, data, len);
	return s->stop ? -1 : 0;
}

static int
sink_flush(void *ctx)
{
	struct sender *s = ctx;

	flush(s);
	return s->stop ? -1 : 0;
}

/* Stdin as datagrams: one per line, or (--whole) all of it as one. */
static void
send_stdin(struct sender *s, int whole, char *buf)
{
	struct dgram_sink sink = { sink_datagram, sink_flush, s };
	size_t size;
	int r;

	if (whole) {
		if ((r = dgram_input_whole(STDIN_FILENO, buf, DGRAM_BUFFER_DEFAULT, &size)) == 0) {
			if (size > DGRAM_BUFFER_DEFAULT)
				too_long(s, size);
			else
				sink_datagram(s, buf, size);
			flush(s);
		}
	} else if ((r = dgram_input_lines(STDIN_FILENO, buf, LINE_BUFFER, &sink, &size)) == 1 &&
		   size > 0 && !s->stop)
		too_long(s, size);
	if (r == -1) {
		report_errno(errno, "read from stdin");
		fail(s, EXIT_LOCAL);
	}
}

/* The MESSAGE words joined by single spaces, escapes decoded with -e. */
static void
send_message(struct sender *s, int argc, char **argv, int escapes, char *buf)
{
	size_t len = dgram_input_words(argc, argv, buf, LINE_BUFFER);
	const char *bad;
	long decoded;

	if (len >= LINE_BUFFER) {
		too_long(s, len);
		return;
	}
	if (escapes) {
		if ((decoded = parse_escapes(buf, buf, &bad)) == -1)
			opt_usage_error(&cmd_udp_send,
			    "invalid escape '%.4s' in MESSAGE: use \\r \\n \\t \\\\ \\0 \\xHH",
			    bad);
		len = (size_t)decoded;
	}
	queue(s, buf, len);
	flush(s);
}

static void
finish(struct sender *s)
{
	char d[32];

	if (s->reply >= 0 && !s->stop)
		wait_until(s, clock_now_usec() + s->reply, 1);
	else
		check_errors(s);
	report_verbose(1, "sent %llu datagram%s (%llu byte%s) to %s port %u",
	    (unsigned long long)s->sent, s->sent == 1 ? "" : "s", (unsigned long long)s->bytes,
	    s->bytes == 1 ? "" : "s", s->t.text, s->t.port);
	if (s->reply < 0 || s->stop || s->answers > 0)
		return;
	if (s->refused) {
		fail(s, EXIT_NETWORK);
		return;
	}
	duration_format(s->reply, d, sizeof(d));
	report_error("no reply from %s port %u within %s", s->t.text, s->t.port, d);
	fail(s, EXIT_NETWORK);
}

/* -U: the datagrams to a Unix socket PATH, from an autobound @NAME (sockt(1), UNIX SOCKETS). */
static int
run_unix(const struct command *cmd, const struct sender *s, const struct udp_target_options *to,
    int argc, char **argv, int escapes, int whole)
{
	struct unix_send_options uo = { s->count, s->interval, s->reply, s->format, whole,
		escapes };
	struct unix_addr a;

	if (to->broadcast || to->source != NULL || to->source_port != NULL || to->tun.ttl != 0 ||
	    to->tun.tos_set || to->tun.device != NULL)
		opt_usage_error(cmd, "-U takes none of --broadcast, -s, -p, --ttl, --tos, -I");
	unix_operand(cmd, argc, argv, &a);
	if (whole && argc > 1)
		opt_usage_error(cmd, "--whole reads stdin; it takes no MESSAGE");
	if (escapes && argc == 1)
		opt_usage_error(cmd, "-e applies to MESSAGE arguments; there are none");
	return unix_dgram_send(&a, &uo, argc - 1, argv + 1);
}

static void
parse_options(struct opt_parser *p, struct sender *s, struct udp_target_options *to, int *escapes,
    int *whole, int *unix_dgram)
{
	int ch;

	while ((ch = opt_next(p)) != -1) {
		switch (ch) {
		case 'e': *escapes = 1; break;
		case OPT_WHOLE: *whole = 1; break;
		case 'U': *unix_dgram = 1; break;
		case OPT_HEX: s->format = PAYLOAD_HEX; break;
		case OPT_BROADCAST: to->broadcast = 1; break;
		case 's': to->source = p->arg; break;
		case 'c': s->count = opt_count(p); break;
		case OPT_INTERVAL: s->interval = opt_duration_or_zero(p); break;
		case OPT_REPLY: s->reply = opt_duration_or_zero(p); break;
		case 'p':
			opt_port(p, "udp");
			to->source_port = p->arg;
			break;
		default: tunables_option(&to->tun, p, ch); break;
		}
	}
}

static int
run(const struct command *cmd, int argc, char **argv)
{
	struct sender s = { .count = 1, .interval = -1, .reply = -1 };
	struct udp_target_options to = { 0 };
	struct udp_target_failures why_not;
	struct opt_parser p;
	struct endpoint ep;
	int used, escapes = 0, whole = 0, unix_dgram = 0;
	char *buf;

	opt_begin(&p, cmd, argc, argv);
	parse_options(&p, &s, &to, &escapes, &whole, &unix_dgram);
	opt_end(&p);
	if (globals.json) {
		if (s.format == PAYLOAD_HEX)
			opt_usage_error(cmd, "--hex and --json cannot be combined");
		s.format = PAYLOAD_JSON;
	}
	s.format = payload_for_stdout(s.format);
	argc -= p.optind;
	argv += p.optind;
	if (unix_dgram)
		return run_unix(cmd, &s, &to, argc, argv, escapes, whole);
	opt_check_host(cmd, to.source);
	used = opt_remote_endpoint(cmd, argc, argv, "udp", 1, &ep);
	if (whole && used < argc)
		opt_usage_error(cmd, "--whole reads stdin; it takes no MESSAGE");
	if (escapes && used == argc)
		opt_usage_error(cmd, "-e applies to MESSAGE arguments; there are none");
	if (udp_target_open(&s.t, &ep, &to, &why_not) == -1) {
		s.status = udp_target_report_failures(&why_not, &to);
		endpoint_free(&ep);
		return s.status;
	}
	buf = malloc(LINE_BUFFER);
	s.answer = malloc(DGRAM_BUFFER_DEFAULT);
	if (buf == NULL || s.answer == NULL || dgram_batch_init(&s.batch, DGRAM_BATCH, 0) == -1) {
		report_errno(ENOMEM, "allocate buffers");
		fail(&s, EXIT_LOCAL);
	} else if (used < argc)
		send_message(&s, argc - used, argv + used, escapes, buf);
	else
		send_stdin(&s, whole, buf);
	if (s.status == EXIT_OK)
		finish(&s);
	free(buf);
	free(s.answer);
	dgram_batch_free(&s.batch);
	udp_target_close(&s.t);
	endpoint_free(&ep);
	return s.status;
}

const struct command cmd_udp_send = {
	"udp-send",
	"send UDP datagrams",
	"[OPTIONS] HOST PORT [MESSAGE...]",
	options,
	run,
};
