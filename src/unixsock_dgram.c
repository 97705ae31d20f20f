/* unixsock_dgram.c: datagrams on a Unix SOCK_DGRAM socket, for udp-send -U and udp-recv -U. */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "dgram.h"
#include "dgram_input.h"
#include "parse.h"
#include "report.h"
#include "unixsock_dgram.h"

/* Stdin is read in pieces this large, as udp-send reads it. */
#define UNIX_LINE_BUFFER (256 * 1024)

struct receiver {
	const struct unix_recv_options *o;
	int fd;
	unsigned char *buf;
	uint64_t got;
	int truncated;
};

static void
echo_back(int fd, const struct sockaddr_storage *from, socklen_t len, const void *data, size_t n,
    const char *who)
{
	if (len <= sizeof(sa_family_t)) {
		report_notice("%s: an unnamed sender gets no echo (it bound no address)", who);
		return;
	}
	if (sendto(fd, data, n, MSG_DONTWAIT, (const struct sockaddr *)from, len) == -1)
		report_errno(errno, "echo to %s (unix dgram)", who);
}

/* One datagram in and written out: 1, 0 when none was queued, -1 to stop (status in *status). */
static int
recv_one(struct receiver *r, int *status)
{
	struct sockaddr_storage from;
	socklen_t len = sizeof(from);
	char who[UNIX_TEXT_MAX];
	size_t kept;
	ssize_t n;

	/* An unnamed sender's address has no length, not even a family. */
	memset(&from, 0, sizeof(from));
	from.ss_family = AF_UNIX;
	n = recvfrom(r->fd, r->buf, r->o->buffer, MSG_DONTWAIT | MSG_TRUNC,
	    (struct sockaddr *)&from, &len);
	if (n == -1) {
		if (errno == EAGAIN || errno == EINTR)
			return 0;
		report_errno(errno, "receive (unix dgram)");
		*status = exit_status_for_errno(errno);
		return -1;
	}
	unix_addr_format((struct sockaddr *)&from, len, who, sizeof(who));
	report_verbose(1, "%zd byte%s from %s", n, n == 1 ? "" : "s", who);
	kept = (size_t)n < r->o->buffer ? (size_t)n : r->o->buffer;
	if (kept < (size_t)n) {
		report_error("datagram of %zd bytes from %s truncated to the %zu-byte buffer", n,
		    who, r->o->buffer);
		report_hint("--buffer %zd (or more) keeps it whole", n);
		r->truncated = 1;
	}
	if (payload_write(r->o->format, (struct sockaddr *)&from, r->buf, kept, (size_t)n) == -1) {
		/* A reader gone (| head) ends the program quietly. */
		if (errno != EPIPE)
			report_errno(errno, "write to stdout");
		*status = errno == EPIPE ? EXIT_OK : EXIT_LOCAL;
		return -1;
	}
	if (r->o->echo)
		echo_back(r->fd, &from, len, r->buf, kept, who);
	return 1;
}

static int
recv_loop(struct receiver *r)
{
	struct pollfd pfd = { .fd = r->fd, .events = POLLIN };
	int n, status = EXIT_OK;

	while (r->o->count == 0 || r->got < (uint64_t)r->o->count) {
		if ((n = poll(&pfd, 1, duration_to_poll_ms(r->o->timeout))) == -1) {
			if (errno == EINTR)
				continue;
			report_errno(errno, "poll");
			return EXIT_LOCAL;
		}
		if (n == 0)
			return dgram_timed_out(r->o->timeout, r->got, r->o->count);
		if ((n = recv_one(r, &status)) == -1)
			return status;
		r->got += (uint64_t)n;
	}
	return r->truncated ? EXIT_LOCAL : EXIT_OK;
}

int
unix_dgram_recv(struct unix_addr *a, const struct unix_recv_options *o)
{
	struct receiver r = { .o = o };
	struct bound b;
	int status;

	if ((status = unix_bind(a, SOCK_DGRAM, 0, &b)) != EXIT_OK)
		return status;
	report_verbose(1, "listening on %s (unix dgram)", a->text);
	r.fd = b.fd[0];
	if ((r.buf = malloc(o->buffer)) == NULL) {
		report_errno(errno, "allocate the receive buffer");
		status = EXIT_LOCAL;
	} else
		status = recv_loop(&r);
	free(r.buf);
	if (status == EXIT_OK && r.truncated)
		status = EXIT_LOCAL;
	unix_unbind(a, &b);
	return status;
}

struct sender {
	const struct unix_send_options *o;
	const struct unix_addr *a;
	int fd;
	unsigned char *answer;
	uint64_t sent, bytes, answers;
	int64_t next_send;
	int stop, status;
};

static void
fail(struct sender *s, int status)
{
	s->stop = 1;
	if (s->status == EXIT_OK)
		s->status = status;
}

static void
socket_failed(struct sender *s, int err, const char *what)
{
	report_errno(err, "%s %s (unix dgram)", what, s->a->text);
	unix_hint(err, s->a, SOCK_DGRAM, 0);
	if (err == EMSGSIZE)
		report_hint("a Unix datagram must fit the send buffer (SO_SNDBUF, "
			    "net.core.wmem_default)");
	fail(s, exit_status_for_errno(err));
}

static void
read_answers(struct sender *s)
{
	struct sockaddr_storage from;
	socklen_t len;
	char who[UNIX_TEXT_MAX];
	ssize_t n;

	while (!s->stop) {
		memset(&from, 0, sizeof(from));
		from.ss_family = AF_UNIX;
		len = sizeof(from);
		n = recvfrom(s->fd, s->answer, DGRAM_BUFFER_DEFAULT, MSG_DONTWAIT | MSG_TRUNC,
		    (struct sockaddr *)&from, &len);
		if (n == -1) {
			if (errno == EAGAIN)
				return;
			if (errno != EINTR)
				socket_failed(s, errno, "receive from");
			continue;
		}
		s->answers++;
		unix_addr_format((struct sockaddr *)&from, len, who, sizeof(who));
		report_verbose(1, "%zd byte%s from %s", n, n == 1 ? "" : "s", who);
		if (payload_write(s->o->format, (struct sockaddr *)&from, s->answer,
			(size_t)n < DGRAM_BUFFER_DEFAULT ? (size_t)n : DGRAM_BUFFER_DEFAULT,
			(size_t)n) == -1) {
			if (errno != EPIPE)
				report_errno(errno, "write to stdout");
			fail(s, errno == EPIPE ? EXIT_OK : EXIT_LOCAL);
		}
	}
}

/* Until the clock reads until (answered: or every datagram has its answer), taking answers. */
static void
wait_until(struct sender *s, int64_t until, int answered)
{
	struct pollfd pfd = { .fd = s->fd, .events = s->o->reply >= 0 ? POLLIN : 0 };
	uint64_t before;
	int64_t now;

	while (!s->stop && (now = clock_now_usec()) < until) {
		if (answered && s->answers >= s->sent)
			return;
		if (poll(&pfd, 1, duration_to_poll_ms(until - now)) == -1) {
			if (errno != EINTR) {
				report_errno(errno, "poll");
				fail(s, EXIT_LOCAL);
			}
			continue;
		}
		before = s->answers;
		if (pfd.revents != 0)
			read_answers(s);
		/* --reply D counts from the last answer: a slow trickle is not cut short. */
		if (answered && s->answers > before)
			until = clock_now_usec() + s->o->reply;
	}
}

static int
send_datagram(void *ctx, const void *data, size_t len)
{
	struct sender *s = ctx;

	for (long long i = 0; i < s->o->count && !s->stop; i++) {
		if (s->o->interval > 0) {
			wait_until(s, s->next_send, 0);
			s->next_send = clock_now_usec() + s->o->interval;
		}
		/* Blocking: a full receive queue makes the sender wait, and nothing is lost. */
		if (send(s->fd, data, len, MSG_NOSIGNAL) == -1) {
			socket_failed(s, errno, "send to");
			break;
		}
		s->sent++;
		s->bytes += len;
		if (s->o->reply >= 0)
			read_answers(s);
	}
	return s->stop ? -1 : 0;
}

static int
no_flush(void *ctx)
{
	return ((struct sender *)ctx)->stop ? -1 : 0;
}

/* The MESSAGE words, or stdin's lines (or all of it, --whole), as datagrams. */
static void
send_all(struct sender *s, int argc, char **argv, char *buf)
{
	struct dgram_sink sink = { send_datagram, no_flush, s, NULL };
	const char *bad;
	size_t len;
	long n = 0;
	int r = 0;

	if (argc > 0) {
		if ((len = dgram_input_words(argc, argv, buf, UNIX_LINE_BUFFER)) >=
		    UNIX_LINE_BUFFER) {
			report_error("MESSAGE of %zu bytes is over the %d-byte limit", len,
			    UNIX_LINE_BUFFER);
			fail(s, EXIT_USAGE);
			return;
		}
		if (s->o->escapes && (n = parse_escapes(buf, buf, &bad)) == -1) {
			report_error("invalid escape '%.4s' in MESSAGE: use \\r \\n \\t \\\\ \\0 "
				     "\\xHH",
			    bad);
			fail(s, EXIT_USAGE);
			return;
		}
		send_datagram(s, buf, s->o->escapes ? (size_t)n : len);
		return;
	}
	if (s->o->whole &&
	    (r = dgram_input_whole(STDIN_FILENO, buf, UNIX_LINE_BUFFER, &len)) == 0) {
		if (len > UNIX_LINE_BUFFER) {
			report_error("stdin of %zu bytes is over the %d-byte limit of one datagram",
			    len, UNIX_LINE_BUFFER);
			fail(s, EXIT_LOCAL);
		} else
			send_datagram(s, buf, len);
	} else if (!s->o->whole &&
		   (r = dgram_input_lines(STDIN_FILENO, buf, UNIX_LINE_BUFFER, &sink, &len)) == 1 &&
		   len > 0 && !s->stop) {
		report_error("a line of %zu bytes is over the %d-byte limit", len,
		    UNIX_LINE_BUFFER);
		fail(s, EXIT_LOCAL);
	}
	if (r == -1) {
		report_errno(errno, "read from stdin");
		fail(s, EXIT_LOCAL);
	}
}

static void
finish(struct sender *s)
{
	char d[32];

	if (s->o->reply >= 0 && !s->stop)
		wait_until(s, clock_now_usec() + s->o->reply, 1);
	report_verbose(1, "sent %llu datagram%s (%llu byte%s) to %s", (unsigned long long)s->sent,
	    s->sent == 1 ? "" : "s", (unsigned long long)s->bytes, s->bytes == 1 ? "" : "s",
	    s->a->text);
	if (s->o->reply < 0 || s->stop || s->answers > 0)
		return;
	duration_format(s->o->reply, d, sizeof(d));
	report_error("no reply from %s within %s", s->a->text, d);
	fail(s, EXIT_NETWORK);
}

int
unix_dgram_send(const struct unix_addr *a, const struct unix_send_options *o, int argc, char **argv)
{
	struct sender s = { .o = o, .a = a };
	char *buf = NULL, self[UNIX_TEXT_MAX];
	struct sockaddr_storage me = { 0 };
	socklen_t len = sizeof(me);

	if ((s.fd = unix_dgram_client(&s.status)) == -1)
		return s.status;
	if (connect(s.fd, (const struct sockaddr *)&a->sun, a->len) == -1)
		socket_failed(&s, errno, "connect to");
	else if ((buf = malloc(UNIX_LINE_BUFFER)) == NULL ||
		 (s.answer = malloc(DGRAM_BUFFER_DEFAULT)) == NULL) {
		report_errno(ENOMEM, "allocate buffers");
		fail(&s, EXIT_LOCAL);
	} else {
		getsockname(s.fd, (struct sockaddr *)&me, &len);
		report_verbose(1, "sending from %s to %s (unix dgram)",
		    unix_addr_format((struct sockaddr *)&me, len, self, sizeof(self)), a->text);
		send_all(&s, argc, argv, buf);
		if (s.status == EXIT_OK)
			finish(&s);
	}
	free(buf);
	free(s.answer);
	close(s.fd);
	return s.status;
}
