/*
 * relay.c: the byte pump of listen, connect and send. Two pumps (input to
 * socket, socket to output) driven by one poll(2) loop; the half-close of
 * sockt-connect(1) (shutdown at input EOF, read on until the peer's FIN) and the close
 * summary.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#ifdef __linux__
#include <linux/sockios.h>
#endif

#include "addr.h"
#include "clock.h"
#include "parse.h"
#include "pump.h"
#include "relay.h"

enum { POLL_INPUT, POLL_SOCKET, POLL_OUTPUT, POLL_N };

#define RELAY_ACK_POLL_USEC 10000

struct relay {
	int sock, in_fd, out_fd;
	const struct relay_options *opt;
	struct relay_stats *st;
	struct pump up, down; /* input -> socket, socket -> output */
	int up_active, down_active;
	int up_done, down_done;
	int await_ack; /* --linger 0 at input EOF: end once the peer has every byte */
	int64_t last_usec; /* the last byte either way, for the idle timeout */
};

static int
fail(struct relay *r, enum relay_failure why, const char *op, int err)
{
	r->st->failure = why;
	r->st->failed_op = op;
	r->st->err = err;
	r->st->idle_timeout = why == RELAY_FAIL_IDLE;
	return -1;
}

/* A pump's failure, named for the side of the relay it happened on. */
static int
pump_failed(struct relay *r, const struct pump *p)
{
	if (p == &r->up)
		return p->failed == PUMP_SIDE_SOURCE
			   ? fail(r, RELAY_FAIL_INPUT, "read from stdin", p->err)
			   : fail(r, RELAY_FAIL_SEND, "send to peer", p->err);
	if (p->failed == PUMP_SIDE_SOURCE)
		return fail(r, RELAY_FAIL_RECEIVE, "receive from peer", p->err);
	if (p->err == EPIPE) {
		/* sockt(1), EXIT STATUS: the reader of stdout went away (| head): a quiet end. */
		r->st->output_closed = 1;
		return 0;
	}
	return fail(r, RELAY_FAIL_OUTPUT, "write to stdout", p->err);
}

/* Input EOF, everything sent: the half-close of sockt-connect(1) and sockt-listen(1). */
static int
finish_up(struct relay *r)
{
	r->up_done = 1;
	if (r->opt->no_shutdown)
		return 0;
	if (r->st->first_close == RELAY_CLOSER_NONE)
		r->st->first_close = RELAY_CLOSER_LOCAL;
	if (r->opt->linger0) {
		r->await_ack = 1;
		return 0;
	}
	if (shutdown(r->sock, SHUT_WR) == -1)
		return fail(r, RELAY_FAIL_SEND, "shut down the sending side", errno);
	r->st->fin_sent = 1;
	return 0;
}

/* Whether everything sent has been acknowledged (Linux: SIOCOUTQ counts what has not). */
static int
all_acked(const struct relay *r)
{
#ifdef SIOCOUTQ
	int queued = 0;

	return ioctl(r->sock, SIOCOUTQ, &queued) == -1 || queued == 0;
#else
	(void)r;
	return 1;
#endif
}

static int
start(struct relay *r)
{
	const struct relay_options *o = r->opt;

	if (!o->recv_only) {
		if (pump_init(&r->up, o->data ? -1 : r->in_fd, r->sock, o->data, o->data_len) == -1)
			return fail(r, RELAY_FAIL_SYSTEM, "set up the relay", errno);
		r->up_active = 1;
	} else
		r->up_done = 1;
	if (!o->no_recv) {
		if (pump_init(&r->down, r->sock, o->send_only ? -1 : r->out_fd, NULL, 0) == -1)
			return fail(r, RELAY_FAIL_SYSTEM, "set up the relay", errno);
		r->down_active = 1;
	} else
		r->down_done = 1;
	return 0;
}

/* The poll timeout: the nearer of the idle timeout and the deadline. */
static int
poll_timeout(const struct relay *r, int64_t now)
{
	int64_t wait = INT64_MAX;

	if (r->opt->idle_usec > 0)
		wait = r->last_usec + r->opt->idle_usec - now;
	if (r->opt->deadline_usec > 0 && r->opt->deadline_usec - now < wait)
		wait = r->opt->deadline_usec - now;
	/* No event says "acknowledged": look again soon. */
	if (r->await_ack && wait > RELAY_ACK_POLL_USEC)
		wait = RELAY_ACK_POLL_USEC;
	if (wait == INT64_MAX)
		return -1;
	return duration_to_poll_ms(wait < 0 ? 0 : wait);
}

static int
check_timers(struct relay *r, int64_t now)
{
	if (r->opt->deadline_usec > 0 && now >= r->opt->deadline_usec)
		return fail(r, RELAY_FAIL_DEADLINE, "exchange", ETIMEDOUT);
	if (r->opt->idle_usec > 0 && now - r->last_usec >= r->opt->idle_usec) {
		/* Not an error of the relay: the caller says it and chooses the status. */
		fail(r, RELAY_FAIL_IDLE, "idle timeout", ETIMEDOUT);
		return 1;
	}
	return 0;
}

static void
build_poll(const struct relay *r, struct pollfd *pfd)
{
	short sock_events = 0;

	pfd[POLL_INPUT] = (struct pollfd){ .fd = -1 };
	pfd[POLL_OUTPUT] = (struct pollfd){ .fd = -1 };
	if (r->up_active && !r->up_done) {
		if (pump_wants_read(&r->up) && r->up.src != -1)
			pfd[POLL_INPUT] = (struct pollfd){ .fd = r->in_fd, .events = POLLIN };
		if (pump_pending(&r->up))
			sock_events |= POLLOUT;
	}
	if (r->down_active && !r->down_done) {
		if (pump_wants_read(&r->down))
			sock_events |= POLLIN;
		if (pump_pending(&r->down))
			pfd[POLL_OUTPUT] = (struct pollfd){ .fd = r->out_fd, .events = POLLOUT };
	}
	/*
	 * After the peer's FIN, with nothing to send, still watch the socket:
	 * a reset (POLLERR) must end the relay even while stdin is silent.
	 */
	pfd[POLL_SOCKET] = (struct pollfd){ .fd = r->sock, .events = sock_events };
	if (sock_events == 0 && !(r->down_done && !r->up_done))
		pfd[POLL_SOCKET].fd = -1;
}

/* POLLERR or POLLHUP on the socket while only waiting for input: the connection is gone. */
static int
socket_gone(struct relay *r)
{
	int err = 0;
	socklen_t len = sizeof(err);

	if (getsockopt(r->sock, SOL_SOCKET, SO_ERROR, &err, &len) == -1 || err == 0)
		err = EPIPE;
	return fail(r, RELAY_FAIL_SEND, "send to peer", err);
}

static int
step(struct relay *r, const struct pollfd *pfd)
{
	uint64_t before = r->up.bytes_out + r->down.bytes_in;
	short sock = pfd[POLL_SOCKET].revents;

	if (r->up_active && !r->up_done) {
		int ready = r->up.src == -1 || pfd[POLL_INPUT].revents != 0;
		if (pump_step(&r->up, ready) == -1)
			return pump_failed(r, &r->up);
	}
	if (r->down_active && !r->down_done) {
		if (pump_step(&r->down, (sock & (POLLIN | POLLHUP | POLLERR)) != 0) == -1)
			return pump_failed(r, &r->down);
	} else if (!r->up_done && (sock & (POLLERR | POLLHUP)) && !pump_pending(&r->up))
		return socket_gone(r);
	if (r->up.bytes_out + r->down.bytes_in != before)
		r->last_usec = clock_now_usec();
	if (r->up_active && !r->up_done && pump_finished(&r->up) && finish_up(r) == -1)
		return -1;
	if (r->down_active && !r->down_done && pump_finished(&r->down)) {
		r->down_done = 1;
		r->st->fin_received = 1;
		if (r->st->first_close == RELAY_CLOSER_NONE)
			r->st->first_close = RELAY_CLOSER_PEER;
	}
	return 0;
}

static int
loop(struct relay *r)
{
	struct pollfd pfd[POLL_N];
	int n;

	/* An empty input (or --recv-only's none) is finished before the first poll. */
	if (r->up_active && pump_finished(&r->up) && finish_up(r) == -1)
		return -1;
	while (!(r->up_done && r->down_done) && !r->st->output_closed &&
	       !(r->await_ack && all_acked(r))) {
		int64_t now = clock_now_usec();
		build_poll(r, pfd);
		if ((n = poll(pfd, POLL_N, poll_timeout(r, now))) == -1) {
			if (errno == EINTR)
				continue;
			return fail(r, RELAY_FAIL_SYSTEM, "poll", errno);
		}
		if (n == 0) {
			if ((n = check_timers(r, clock_now_usec())) != 0)
				return n == 1 ? 0 : -1;
			continue;
		}
		if (r->opt->deadline_usec > 0 && clock_now_usec() >= r->opt->deadline_usec)
			return fail(r, RELAY_FAIL_DEADLINE, "exchange", ETIMEDOUT);
		if (step(r, pfd) == -1)
			return -1;
	}
	return 0;
}

int
relay_run(int sock, int in_fd, int out_fd, const struct relay_options *opt, struct relay_stats *st)
{
	struct relay r = { .sock = sock, .in_fd = in_fd, .out_fd = out_fd, .opt = opt, .st = st };
	int flags, ret;

	memset(st, 0, sizeof(*st));
	r.up.pipe[0] = r.up.pipe[1] = r.down.pipe[0] = r.down.pipe[1] = -1;
	st->started_usec = r.last_usec = clock_now_usec();
	/* Non-blocking, so that splice and send return EAGAIN instead of stalling the other way. */
	if ((flags = fcntl(sock, F_GETFL)) == -1 || fcntl(sock, F_SETFL, flags | O_NONBLOCK) == -1)
		ret = fail(&r, RELAY_FAIL_SYSTEM, "set up the relay", errno);
	else if ((ret = start(&r)) == 0)
		ret = loop(&r);
	pump_free(&r.up);
	pump_free(&r.down);
	st->bytes_sent = r.up.bytes_out;
	st->bytes_received = r.down.bytes_in;
	st->ended_usec = clock_now_usec();
	return ret;
}

int
relay_failure_is_local(const struct relay_stats *st)
{
	return st->failure == RELAY_FAIL_INPUT || st->failure == RELAY_FAIL_OUTPUT ||
	       st->failure == RELAY_FAIL_SYSTEM;
}

static const char *
closer_text(const struct relay_stats *st, int linger0)
{
	switch (st->first_close) {
	case RELAY_CLOSER_LOCAL:
		/* After a FIN of ours and the peer's, TIME_WAIT is certain, SO_LINGER or not. */
		if (st->fin_sent && st->fin_received)
			return "this side closed first and will hold TIME_WAIT";
		if (linger0)
			return "this side closed first, with RST (--linger 0): no TIME_WAIT";
		return "this side closed first; the relay ended before the peer's FIN";
	case RELAY_CLOSER_PEER:
		return linger0 ? "the peer closed first; this side closed with RST (--linger 0)"
			       : "the peer closed first and will hold TIME_WAIT";
	default: break;
	}
	if (linger0)
		return "closed with RST (--linger 0): no TIME_WAIT";
	if (st->idle_timeout)
		return "idle timeout: this side closes first and will hold TIME_WAIT";
	if (st->err == ECONNRESET)
		return "the peer reset the connection";
	return "neither side had closed";
}

void
relay_format_summary(const struct relay_stats *st, int linger0, char *buf, size_t len)
{
	double secs = (double)(st->ended_usec - st->started_usec) / 1e6;

	snprintf(buf, len, "closed: %" PRIu64 " byte%s sent, %" PRIu64 " received in %.3f s; %s",
	    st->bytes_sent, st->bytes_sent == 1 ? "" : "s", st->bytes_received, secs < 0 ? 0 : secs,
	    closer_text(st, linger0));
}

void
relay_format_failure(const struct relay_stats *st, const struct sockaddr *peer, char *buf,
    size_t len)
{
	const char *op = st->failed_op ? st->failed_op : "relay";
	size_t oplen = strlen(op);
	char addr[ADDR_STRLEN];

	if (peer == NULL || relay_failure_is_local(st)) {
		snprintf(buf, len, "%s", op);
		return;
	}
	addr_format(peer, addr, sizeof(addr));
	/* "send to peer" becomes "send to ADDR port N (tcp)". */
	if (oplen > 5 && strcmp(op + oplen - 5, " peer") == 0)
		snprintf(buf, len, "%.*s %s port %u (tcp)", (int)(oplen - 5), op, addr,
		    addr_port(peer));
	else
		snprintf(buf, len, "%s (%s port %u, tcp)", op, addr, addr_port(peer));
}
