/* udp_session.c: udp-recv --session: one peer, stdin lines to it, its datagrams to stdout. */
#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "clock.h"
#include "dgram.h"
#include "dgram_input.h"
#include "errqueue.h"
#include "opts.h"
#include "parse.h"
#include "report.h"
#include "access.h"
#include "udp_session.h"
#include "udp_target.h"

/* Stdin is read in pieces this large, as udp-send reads it. */
#define LINE_BUFFER (256 * 1024)

enum serve_until { UNTIL_LOCKED, UNTIL_STDIN, UNTIL_END };

struct session {
	const struct udp_session_options *o;
	const struct bound *b;
	struct udp_target
	    peer; /* fd: the bound socket that talks to it; to: as that socket has it */
	int locked;
	unsigned char *buf;
	uint64_t got, dropped, sent, bytes;
	int64_t last; /* when the peer's last datagram came (or the session began) */
	int truncated, done, status;
};

static void
fail(struct session *s, int status)
{
	s->done = 1;
	if (s->status == EXIT_OK)
		s->status = status;
}

/* "HOST:PORT", "[V6]:PORT" or "HOST PORT" (one word with a space) as operands. */
static int
peer_endpoint(const struct command *cmd, const char *arg, char **copy, struct endpoint *ep)
{
	char *words[2], *sp;
	const char *why = NULL;
	int n = 1, used;

	if ((*copy = strdup(arg)) == NULL) {
		report_errno(ENOMEM, "allocate --peer");
		exit(EXIT_LOCAL);
	}
	words[0] = *copy;
	if ((sp = strchr(*copy, ' ')) != NULL) {
		*sp = '\0';
		words[n++] = sp + 1;
	}
	if ((used = endpoint_parse_remote(n, words, ep, &why)) != -1)
		endpoint_free(ep);
	if (used != n)
		opt_usage_error(cmd, "invalid --peer '%s': %s", arg,
		    used == -1 ? why : "one HOST PORT, HOST:PORT or [IPV6]:PORT");
	/* The words once more, for the checks every HOST and PORT gets (-4/-6, -n, the port). */
	return opt_remote_endpoint(cmd, n, words, "udp", 1, ep);
}

void
udp_session_check_peer(const struct command *cmd, const char *arg)
{
	struct endpoint ep;
	char *copy;

	peer_endpoint(cmd, arg, &copy, &ep);
	endpoint_free(&ep);
	free(copy);
}

/* The peer's address as sock, the bound socket, takes it (an IPv4 peer mapped on [::]). */
static void
lock_on(struct session *s, int fd, const struct sockaddr *sa, socklen_t len)
{
	struct sockaddr_storage plain;

	memcpy(&s->peer.to, sa, len);
	s->peer.tolen = len;
	s->peer.to_sa = (const struct sockaddr *)&s->peer.to;
	s->peer.fd = fd;
	addr_unmap(sa, &plain);
	s->peer.family = plain.ss_family;
	s->peer.port = dgram_address(sa, s->peer.text, sizeof(s->peer.text));
	s->locked = 1;
	report_verbose(1, "session locked onto %s port %u (%s)", s->peer.text, s->peer.port,
	    s->o->peer != NULL ? "--peer" : "the first sender");
}

static int
same_peer(const struct session *s, const struct sockaddr *sa)
{
	struct sockaddr_storage a, b;

	addr_unmap(sa, &a);
	addr_unmap(s->peer.to_sa, &b);
	return addr_same_host((struct sockaddr *)&a, (struct sockaddr *)&b) &&
	       addr_port((struct sockaddr *)&a) == addr_port((struct sockaddr *)&b);
}

/* The bound socket for an address: one of its family, or a dual-stack [::] for IPv4 (mapped). */
static int
socket_for(const struct bound *b, const struct addrinfo *ai, struct sockaddr_storage *to,
    socklen_t *tolen)
{
	struct sockaddr_in6 *m = (struct sockaddr_in6 *)to;
	int v6only = 1;
	socklen_t len = sizeof(v6only);

	memcpy(to, ai->ai_addr, ai->ai_addrlen);
	*tolen = ai->ai_addrlen;
	for (int i = 0; i < b->n; i++)
		if (b->addr[i].ss_family == ai->ai_family)
			return b->fd[i];
	for (int i = 0; i < b->n; i++) {
		if (ai->ai_family != AF_INET || b->addr[i].ss_family != AF_INET6 ||
		    getsockopt(b->fd[i], IPPROTO_IPV6, IPV6_V6ONLY, &v6only, &len) == -1 || v6only)
			continue;
		*m = (struct sockaddr_in6){ .sin6_family = AF_INET6,
			.sin6_port = ((struct sockaddr_in *)ai->ai_addr)->sin_port };
		m->sin6_addr.s6_addr[10] = m->sin6_addr.s6_addr[11] = 0xff;
		memcpy(&m->sin6_addr.s6_addr[12], &((struct sockaddr_in *)ai->ai_addr)->sin_addr,
		    4);
		*tolen = sizeof(*m);
		return b->fd[i];
	}
	return -1;
}

/* --peer: resolved, and locked onto at once; the first address a bound socket can reach. */
static int
lock_on_peer(struct session *s)
{
	struct sockaddr_storage to;
	struct addrinfo *res;
	struct endpoint ep;
	socklen_t tolen;
	char *copy;
	int eai, fd = -1;

	peer_endpoint(&cmd_udp_recv, s->o->peer, &copy, &ep);
	if ((eai = addr_resolve(ep.host, ep.port, SOCK_DGRAM, 0, &res)) != 0) {
		report_eai(eai, errno, "%s", ep.host);
		fail(s, EXIT_RESOLVE);
	}
	for (struct addrinfo *ai = eai == 0 ? res : NULL; ai != NULL && fd == -1; ai = ai->ai_next)
		if ((fd = socket_for(s->b, ai, &to, &tolen)) != -1)
			lock_on(s, fd, (struct sockaddr *)&to, tolen);
	if (eai == 0 && fd == -1) {
		report_error("--peer %s: no address of its family is bound here", s->o->peer);
		report_hint("listen on [::] (no HOST), or on an address of the peer's family");
		fail(s, EXIT_USAGE);
	}
	if (eai == 0)
		freeaddrinfo(res);
	endpoint_free(&ep);
	free(copy);
	return s->status;
}

/* An ICMP error (or local failure) about a datagram sent to the peer: 1 if one was reported. */
static int
check_errors(struct session *s)
{
	struct errqueue_entry e;

	if (!s->locked || dgram_error_read(s->peer.fd, &e) != 1)
		return 0;
	udp_target_report_error(&s->peer, &e);
	fail(s, exit_status_for_errno(e.err));
	return 1;
}

/* One datagram from the peer, written whole (or cut, and said so). */
static void
write_datagram(struct session *s, const struct sockaddr *from, size_t size)
{
	size_t kept = size < s->o->buffer ? size : s->o->buffer;
	char text[ADDR_STRLEN];
	uint16_t port = dgram_address(from, text, sizeof(text));

	s->got++;
	s->last = clock_now_usec();
	report_verbose(1, "%zu byte%s from %s port %u", size, size == 1 ? "" : "s", text, port);
	if (kept < size) {
		dgram_report_truncated(from, size, s->o->buffer);
		s->truncated = 1;
	}
	if (payload_write(s->o->format, from, s->buf, kept, size) == -1) {
		/* sockt(1), EXIT STATUS: a reader gone (| head) ends sockt quietly. */
		if (errno != EPIPE) {
			report_errno(errno, "write to stdout");
			fail(s, EXIT_LOCAL);
		}
		s->done = 1;
	}
	if (s->o->count > 0 && s->got >= (uint64_t)s->o->count)
		s->done = 1;
}

/* Another sender after lock-on: its datagram is dropped, counted, and said with -v. */
static void
drop(struct session *s, const struct sockaddr *from, size_t size)
{
	char text[ADDR_STRLEN];
	uint16_t port = dgram_address(from, text, sizeof(text));

	s->dropped++;
	report_verbose(1, "dropped %zu byte%s from %s port %u: not the session's peer", size,
	    size == 1 ? "" : "s", text, port);
}

/* Everything queued on fd, without waiting. */
static void
take(struct session *s, int fd)
{
	struct sockaddr_storage from;
	socklen_t fromlen;
	ssize_t n;

	while (!s->done) {
		fromlen = sizeof(from);
		n = recvfrom(fd, s->buf, s->o->buffer, MSG_DONTWAIT | MSG_TRUNC,
		    (struct sockaddr *)&from, &fromlen);
		if (n == -1) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			if (errno != EINTR && !check_errors(s)) {
				report_errno(errno, "receive on port %u (udp)",
				    addr_port((const struct sockaddr *)&s->b
						  ->addr[fd == s->b->fd[0] ? 0 : 1]));
				fail(s, exit_status_for_errno(errno));
			}
			continue;
		}
		if (!access_admit(s->o->access, (struct sockaddr *)&from))
			continue;
		if (!s->locked)
			lock_on(s, fd, (struct sockaddr *)&from, fromlen);
		if (fd == s->peer.fd && same_peer(s, (struct sockaddr *)&from))
			write_datagram(s, (struct sockaddr *)&from, (size_t)n);
		else
			drop(s, (struct sockaddr *)&from, (size_t)n);
	}
}

/* No datagram from the peer for -w: status 1 if none came at all or fewer than -c asked for. */
static void
timed_out(struct session *s)
{
	char d[32];

	duration_format(s->o->timeout, d, sizeof(d));
	s->done = 1;
	if (s->got == 0)
		report_error("no datagram within %s", d);
	else if (s->o->count > 0)
		report_error("%llu of %lld datagrams came from %s port %u, then none for %s",
		    (unsigned long long)s->got, s->o->count, s->peer.text, s->peer.port, d);
	else
		report_verbose(1, "session with %s port %u idle for %s: done", s->peer.text,
		    s->peer.port, d);
	if (s->got == 0 || s->o->count > 0)
		fail(s, EXIT_NETWORK);
}

static int
poll_ms(const struct session *s)
{
	int64_t left;

	if (s->o->timeout < 0)
		return -1;
	left = s->last + s->o->timeout - clock_now_usec();
	return duration_to_poll_ms(left > 0 ? left : 0);
}

/* Serves the sockets until the session is locked, stdin is readable, or the end: 1, or 0 at the
 * end. */
static int
serve(struct session *s, enum serve_until until)
{
	struct pollfd pfd[3];
	int n, nfds = s->b->n;

	for (int i = 0; i < s->b->n; i++)
		pfd[i] = (struct pollfd){ .fd = s->b->fd[i], .events = POLLIN };
	if (until == UNTIL_STDIN)
		pfd[nfds++] = (struct pollfd){ .fd = STDIN_FILENO, .events = POLLIN };
	while (!s->done) {
		if ((n = poll(pfd, (nfds_t)nfds, poll_ms(s))) == -1 && errno != EINTR) {
			report_errno(errno, "poll");
			fail(s, EXIT_LOCAL);
		} else if (n == 0)
			timed_out(s);
		for (int i = 0; i < s->b->n && n > 0; i++)
			if (pfd[i].revents != 0 && !check_errors(s))
				take(s, pfd[i].fd);
		if (s->done)
			break;
		if ((until == UNTIL_LOCKED && s->locked) ||
		    (until == UNTIL_STDIN && n > 0 && pfd[s->b->n].revents != 0))
			return 1;
	}
	return 0;
}

/* sendto the peer; a full send buffer is waited out (a second at most), as udp-recv --echo does. */
static int
sink_datagram(void *ctx, const void *data, size_t len)
{
	struct session *s = ctx;
	struct pollfd pfd = { .fd = s->peer.fd, .events = POLLOUT };
	int tries = 0;

	if (len > dgram_limit(s->peer.family)) {
		fail(s, udp_target_report_too_long(&s->peer, len));
		return -1;
	}
	while (sendto(s->peer.fd, data, len, MSG_DONTWAIT | MSG_NOSIGNAL, s->peer.to_sa,
		   s->peer.tolen) == -1) {
		if ((errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) || tries++ == 10) {
			if (!check_errors(s))
				fail(s, udp_target_report_errno(&s->peer, errno, "send to"));
			return -1;
		}
		(void)poll(&pfd, 1, 100);
	}
	s->sent++;
	s->bytes += len;
	return 0;
}

static int
sink_flush(void *ctx)
{
	struct session *s = ctx;

	check_errors(s); /* loopback's ICMP errors are queued already */
	return s->done ? -1 : 0;
}

static int
sink_wait(void *ctx)
{
	return serve(ctx, UNTIL_STDIN) ? 0 : -1;
}

/* Stdin's lines to the peer while the session lasts; then (-w) its last answers. */
static void
talk(struct session *s, char *line)
{
	struct dgram_sink sink = { sink_datagram, sink_flush, s, sink_wait };
	size_t too_long;
	int r;

	if ((r = dgram_input_lines(STDIN_FILENO, line, LINE_BUFFER, &sink, &too_long)) == -1) {
		report_errno(errno, "read from stdin");
		fail(s, EXIT_LOCAL);
	} else if (r == 1 && too_long > 0 && !s->done)
		fail(s, udp_target_report_too_long(&s->peer, too_long));
	else if (r == 2 && too_long > 0) {
		report_error("%zu byte%s read from stdin (a line without its newline) not sent: "
			     "the "
			     "session ended",
		    too_long, too_long == 1 ? "" : "s");
		fail(s, EXIT_LOCAL);
	}
	if (s->done)
		return;
	report_verbose(1, "stdin ended: %llu datagram%s (%llu byte%s) sent to %s port %u",
	    (unsigned long long)s->sent, s->sent == 1 ? "" : "s", (unsigned long long)s->bytes,
	    s->bytes == 1 ? "" : "s", s->peer.text, s->peer.port);
	if (s->o->timeout >= 0)
		serve(s, UNTIL_END);
	for (int i = 0; i < s->b->n && !s->done; i++)
		take(s, s->b->fd[i]);
}

int
udp_session_run(const struct bound *b, const struct udp_session_options *o)
{
	struct session s = { .o = o, .b = b, .last = clock_now_usec() };
	char *line = malloc(LINE_BUFFER);

	if (line == NULL || (s.buf = malloc(o->buffer)) == NULL) {
		report_errno(ENOMEM, "allocate buffers");
		fail(&s, EXIT_LOCAL);
	}
	for (int i = 0; i < b->n && !s.done; i++)
		if (errqueue_enable(b->fd[i], b->addr[i].ss_family) == -1) {
			report_errno(errno, "setsockopt %s on port %u (udp)",
			    b->addr[i].ss_family == AF_INET6 ? "IPV6_RECVERR" : "IP_RECVERR",
			    addr_port((const struct sockaddr *)&b->addr[i]));
			fail(&s, EXIT_LOCAL);
		} else if (b->addr[i].ss_family == AF_INET6) {
			/* An IPv4 peer of [::] has its ICMP errors queued by the IPv4 option. */
			int one = 1;
			(void)setsockopt(b->fd[i], IPPROTO_IP, IP_RECVERR, &one, sizeof(one));
		}
	if (!s.done && (o->peer != NULL ? lock_on_peer(&s) == EXIT_OK : serve(&s, UNTIL_LOCKED)))
		talk(&s, line);
	if (s.dropped > 0)
		report_verbose(1, "dropped %llu datagram%s from other senders",
		    (unsigned long long)s.dropped, s.dropped == 1 ? "" : "s");
	free(line);
	free(s.buf);
	return s.status == EXIT_OK && s.truncated ? EXIT_LOCAL : s.status;
}
