/*
 * relay.c: the byte relay of listen, connect and send, one connection at a
 * time (relay_run, in relay_run.c) or many from the caller's poll loop
 * (listen -k). Two
 * pumps (input to socket, socket to output); the half-close at input EOF
 * (shutdown, then read on until the peer's FIN); with --linger 0 no FIN,
 * but the same wait for the peer, and the ACK of every byte before the RST.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#ifdef __linux__
#include <linux/sockios.h>
#endif

#include "clock.h"
#include "dump.h"
#include "pump.h"
#include "relay.h"

/* No event says "acknowledged": while waiting for it, look again this often. */
#define RELAY_ACK_POLL_USEC 10000
/* What a dead connection may still give: at most this many reads after it failed. */
#define RELAY_DRAIN_ROUNDS 64

static int
fail(struct relay_conn *c, enum relay_failure why, const char *op, int err)
{
	c->st.failure = why;
	c->st.failed_op = op;
	c->st.err = err;
	c->st.idle_timeout = why == RELAY_FAIL_IDLE;
	c->failed = 1;
	return -1;
}

void
relay_conn_abort(struct relay_conn *c, enum relay_failure why, const char *op, int err)
{
	fail(c, why, op, err);
}

/* Whether the output is the user's stdout (not the socket itself, not nowhere). */
static int
has_output(const struct relay_conn *c)
{
	return c->down_active && !c->opt->echo && c->down.dst != -1;
}

/*
 * After the connection failed, bytes already read from the peer still go to
 * the output, and so do those the kernel holds for us (a reset leaves them
 * readable, before the error). Bounded by RELAY_DRAIN_ROUNDS pipefuls.
 */
static int
deliver_rest(struct relay_conn *c)
{
	uint64_t before;
	int rounds = 0;

	do {
		before = c->down.bytes_in;
		if (pump_flush(&c->down) == -1)
			return -1;
		if (c->down.failed != PUMP_SIDE_NONE || c->down_done)
			break;
		pump_step(&c->down, 1);
	} while (c->down.bytes_in != before && ++rounds < RELAY_DRAIN_ROUNDS);
	return pump_flush(&c->down);
}

/* A pump's failure, named for the side of the relay it happened on. */
static int
pump_failed(struct relay_conn *c, struct pump *p)
{
	if (p->failed == PUMP_SIDE_TAP)
		return fail(c, RELAY_FAIL_DUMP, c->opt->dump != NULL ? c->opt->dump->op : "tap",
		    p->err);
	if (p == &c->up && p->failed == PUMP_SIDE_SOURCE)
		return fail(c, RELAY_FAIL_INPUT, "read from stdin", p->err);
	if (p == &c->down && p->failed == PUMP_SIDE_DEST && p->err == EPIPE && !c->opt->echo) {
		/* sockt(1), EXIT STATUS: the reader of stdout went away (| head): a quiet end. */
		c->st.output_closed = 1;
		return 0;
	}
	if (p == &c->down && p->failed == PUMP_SIDE_DEST && !c->opt->echo)
		return fail(c, RELAY_FAIL_OUTPUT, "write to stdout", p->err);
	if (has_output(c) && deliver_rest(c) == -1) {
		/* The peer's failure stays the one reported; stdout's comes with it. */
		fail(c, p == &c->up ? RELAY_FAIL_SEND : RELAY_FAIL_RECEIVE,
		    p == &c->up ? "send to peer" : "receive from peer", p->err);
		return -1;
	}
	if (p == &c->up || p->failed == PUMP_SIDE_DEST)
		return fail(c, RELAY_FAIL_SEND, "send to peer", p->err);
	return fail(c, RELAY_FAIL_RECEIVE, "receive from peer", p->err);
}

/* Input EOF, everything sent: the half-close, or with --linger 0 none (see relay.h). */
static int
finish_up(struct relay_conn *c)
{
	c->up_done = 1;
	if (c->opt->no_shutdown)
		return 0;
	if (c->st.first_close == RELAY_CLOSER_NONE)
		c->st.first_close = RELAY_CLOSER_LOCAL;
	if (c->opt->linger0)
		return 0;
	if (c->opt->sock_io ? c->opt->sock_io->shutdown(c->opt->sock_io->ctx) == -1
			    : shutdown(c->sock, SHUT_WR) == -1)
		return fail(c, RELAY_FAIL_SEND, "shut down the sending side", errno);
	c->st.fin_sent = 1;
	return 0;
}

/*
 * The peer's EOF is written out. stdout is closed now, so that a reader
 * (| tar x) ends with the peer rather than with this process; /dev/null takes
 * the descriptor so that later writes to it fail nowhere.
 */
static int
finish_down(struct relay_conn *c)
{
	int fd;

	c->down_done = 1;
	c->st.fin_received = 1;
	if (c->st.first_close == RELAY_CLOSER_NONE)
		c->st.first_close = RELAY_CLOSER_PEER;
	if (c->opt->end_at_peer_eof && c->up_active && !c->up_done)
		pump_stop_reading(&c->up);
	if (!c->opt->close_output || !has_output(c))
		return 0;
	if (close(c->out_fd) == -1 && errno != EINTR)
		return fail(c, RELAY_FAIL_OUTPUT, "close stdout", errno);
	if ((fd = open("/dev/null", O_WRONLY | O_CLOEXEC)) != -1 && fd != c->out_fd) {
		dup2(fd, c->out_fd);
		close(fd);
	}
	return 0;
}

/* Whether everything sent has been acknowledged (Linux: SIOCOUTQ counts what has not). */
static int
all_acked(const struct relay_conn *c)
{
#ifdef SIOCOUTQ
	int queued = 0;

	return ioctl(c->sock, SIOCOUTQ, &queued) == -1 || queued == 0;
#else
	(void)c;
	return 1;
#endif
}

/* Bytes sent that the peer has not acknowledged; 0 where that cannot be known. */
static uint64_t
unacked(const struct relay_conn *c)
{
#ifdef SIOCOUTQ
	int queued = 0;

	if (ioctl(c->sock, SIOCOUTQ, &queued) == 0 && queued > 0)
		return (uint64_t)queued;
#else
	(void)c;
#endif
	return 0;
}

static int
awaiting_ack(const struct relay_conn *c)
{
	return c->opt->linger0 && c->up_done && c->down_done && !c->failed &&
	       !c->st.output_closed && !all_acked(c);
}

int
relay_conn_over(const struct relay_conn *c)
{
	if (c->failed || c->st.output_closed)
		return 1;
	return c->up_done && c->down_done && !awaiting_ack(c);
}

static int
start_pumps(struct relay_conn *c)
{
	const struct relay_options *o = c->opt;
	int r = 0;

	if (o->echo) {
		/* One pump from the socket back into it: its end is both directions'. */
		r = pump_init(&c->down, c->sock, c->sock, NULL, 0);
		if (r == 0 && o->sock_io != NULL)
			r = pump_use_io(&c->down, o->sock_io, o->sock_io);
		c->down_active = 1;
		c->up_done = 1;
		return r;
	}
	if (o->recv_only)
		c->up_done = 1;
	else if (o->fed_input)
		r = pump_init_fed(&c->up, c->sock);
	else
		r = pump_init(&c->up, o->data ? -1 : c->in_fd, c->sock, o->data, o->data_len);
	c->up_active = !o->recv_only;
	if (r == 0 && o->no_recv)
		c->down_done = 1;
	else if (r == 0)
		r = pump_init(&c->down, c->sock, o->send_only ? -1 : c->out_fd, NULL, 0);
	c->down_active = !o->no_recv;
	c->down.whole = o->whole_writes;
	if (r == 0 && o->sock_io != NULL)
		r = pump_use_io(&c->up, NULL, o->sock_io) | pump_use_io(&c->down, o->sock_io, NULL);
	return r;
}

int
relay_conn_start(struct relay_conn *c, int sock, int in_fd, int out_fd,
    const struct relay_options *opt)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	int flags;

	memset(c, 0, sizeof(*c));
	c->sock = sock;
	/* The close summary of a Unix socket has no TIME_WAIT to speak of. */
	c->st.local_socket =
	    getsockname(sock, (struct sockaddr *)&ss, &len) == 0 && ss.ss_family == AF_UNIX;
	c->in_fd = in_fd;
	c->out_fd = out_fd;
	c->opt = opt;
	c->up.pipe[0] = c->up.pipe[1] = c->down.pipe[0] = c->down.pipe[1] = -1;
	c->st.started_usec = c->last_usec = clock_now_usec();
	c->deadline_usec = opt->deadline_usec;
	if (opt->max_time_usec > 0 &&
	    (c->deadline_usec <= 0 || c->st.started_usec + opt->max_time_usec < c->deadline_usec))
		c->deadline_usec = c->st.started_usec + opt->max_time_usec;
	/* Non-blocking, so that splice and send return EAGAIN instead of stalling the other way. */
	if ((flags = fcntl(sock, F_GETFL)) == -1 || fcntl(sock, F_SETFL, flags | O_NONBLOCK) == -1)
		return fail(c, RELAY_FAIL_SYSTEM, "set up the relay", errno);
	if (start_pumps(c) == -1 || ((opt->dump != NULL || opt->crlf) && relay_taps_start(c) == -1))
		return fail(c, RELAY_FAIL_SYSTEM, "set up the relay", errno);
	/* An empty input (send's empty request) is finished before the first poll. */
	if (c->up_active && pump_finished(&c->up))
		return finish_up(c);
	return 0;
}

/* What the socket side waits for to read (writing 0) or write: through TLS, either may. */
static short
sock_wants(const struct relay_conn *c, int writing)
{
	const struct pump_io *io = c->opt->sock_io;

	if (io != NULL)
		return io->events(io->ctx, writing);
	return writing ? POLLOUT : POLLIN;
}

/* Bytes TLS has decrypted already: poll would not announce them. */
static int
sock_has_pending(const struct relay_conn *c)
{
	const struct pump_io *io = c->opt->sock_io;

	return io != NULL && c->down_active && !c->down_done && pump_wants_read(&c->down) &&
	       io->pending(io->ctx);
}

void
relay_conn_poll(const struct relay_conn *c, struct pollfd *in, struct pollfd *sock,
    struct pollfd *out)
{
	short sock_events = 0;

	*in = (struct pollfd){ .fd = -1 };
	*out = (struct pollfd){ .fd = -1 };
	if (c->up_active && !c->up_done) {
		if (pump_wants_read(&c->up))
			*in = (struct pollfd){ .fd = c->in_fd, .events = POLLIN };
		if (pump_pending(&c->up))
			sock_events |= sock_wants(c, 1);
	}
	if (c->down_active && !c->down_done) {
		if (pump_wants_read(&c->down))
			sock_events |= sock_wants(c, 0);
		if (pump_pending(&c->down))
			*out = (struct pollfd){ .fd = c->down.dst, .events = POLLOUT };
	}
	/*
	 * Watched even with nothing to move once nothing reads it: a reset
	 * (POLLERR) must end the relay while stdin is silent or while waiting for
	 * the peer's ACK. While the output holds the reader back, it waits.
	 */
	if (c->opt->echo && out->fd != -1) {
		sock_events |= POLLOUT;
		out->fd = -1;
	}
	*sock = (struct pollfd){ .fd = c->sock, .events = sock_events };
	if (sock_events == 0 && c->down_active && !c->down_done)
		sock->fd = -1;
}

static uint64_t
moved(const struct relay_conn *c)
{
	return c->up.bytes_in + c->up.bytes_out + c->down.bytes_in + c->down.bytes_out;
}

/* POLLERR or POLLHUP on a socket with nothing to move: the connection is gone. */
static int
socket_gone(struct relay_conn *c)
{
	int err = 0;
	socklen_t len = sizeof(err);

	if (getsockopt(c->sock, SOL_SOCKET, SO_ERROR, &err, &len) == -1 || err == 0)
		err = EPIPE;
	if (has_output(c) && deliver_rest(c) == -1)
		return fail(c, RELAY_FAIL_OUTPUT, "write to stdout", c->down.err);
	return fail(c, RELAY_FAIL_SEND, "send to peer", err);
}

static int
step_pumps(struct relay_conn *c, short in_events, short sock_events)
{
	int sock_readable = (sock_events & (POLLIN | POLLHUP | POLLERR)) != 0;

	/* Through TLS a read may have waited for POLLOUT, and decrypted bytes wait for no event. */
	if (c->opt->sock_io != NULL)
		sock_readable = sock_events != 0 || sock_has_pending(c);

	if (c->up_active && !c->up_done) {
		int ready = c->up.src == -1 || in_events != 0;
		if (pump_step(&c->up, ready) == -1)
			return pump_failed(c, &c->up);
	}
	if (c->down_active && !c->down_done) {
		if (pump_step(&c->down, sock_readable) == -1)
			return pump_failed(c, &c->down);
		return 0;
	}
	/* Nothing to read: a reset shows only as POLLERR/POLLHUP (a send would say it too). */
	if ((sock_events & (POLLERR | POLLHUP)) && !(c->up_active && pump_pending(&c->up)) &&
	    !c->up_done)
		return socket_gone(c);
	if ((sock_events & POLLERR) && c->up_done && c->opt->linger0)
		return socket_gone(c);
	return 0;
}

int
relay_conn_step(struct relay_conn *c, short in_events, short sock_events, short out_events)
{
	uint64_t before = moved(c);

	(void)out_events;
	if (c->failed || c->st.output_closed)
		return c->failed ? -1 : 0;
	if (step_pumps(c, in_events, sock_events) == -1)
		return -1;
	if (moved(c) != before)
		c->last_usec = clock_now_usec();
	if (c->st.first_byte_usec == 0 && c->down.bytes_in > 0)
		c->st.first_byte_usec = c->last_usec;
	if (c->st.output_closed)
		return 0;
	if (c->down_active && !c->down_done && pump_finished(&c->down)) {
		if (finish_down(c) == -1)
			return -1;
		if (c->opt->echo)
			return finish_up(c);
	}
	if (c->up_active && !c->up_done && pump_finished(&c->up))
		return finish_up(c);
	return 0;
}

/* Whether bytes wait for our own output: back-pressure, not silence (no idle timeout). */
static int
output_stalled(const struct relay_conn *c)
{
	return has_output(c) && !c->down_done && pump_pending(&c->down);
}

int64_t
relay_conn_wait(const struct relay_conn *c, int64_t now)
{
	int64_t wait = INT64_MAX;

	if (c->opt->idle_usec > 0 && !output_stalled(c))
		wait = c->last_usec + c->opt->idle_usec - now;
	if (c->deadline_usec > 0 && c->deadline_usec - now < wait)
		wait = c->deadline_usec - now;
	if (sock_has_pending(c))
		wait = 0;
	if (c->up_done && c->down_done && c->opt->linger0 && wait > RELAY_ACK_POLL_USEC)
		wait = RELAY_ACK_POLL_USEC;
	if (wait == INT64_MAX)
		return -1;
	return wait < 0 ? 0 : wait;
}

int
relay_conn_timers(struct relay_conn *c, int64_t now)
{
	if (c->failed)
		return 0;
	if (c->deadline_usec > 0 && now >= c->deadline_usec) {
		if (c->opt->max_time_usec > 0 &&
		    c->deadline_usec == c->st.started_usec + c->opt->max_time_usec)
			return fail(c, RELAY_FAIL_MAX_TIME, "max time", ETIMEDOUT);
		return fail(c, RELAY_FAIL_DEADLINE, "exchange", ETIMEDOUT);
	}
	if (output_stalled(c))
		c->last_usec = now;
	else if (c->opt->idle_usec > 0 && now - c->last_usec >= c->opt->idle_usec) {
		/* Not an error of the relay: the caller says it and chooses the status. */
		fail(c, RELAY_FAIL_IDLE, "idle timeout", ETIMEDOUT);
		return 1;
	}
	return 0;
}

void
relay_conn_end(struct relay_conn *c)
{
	c->st.bytes_sent = c->opt->echo ? c->down.bytes_out : c->up.bytes_out;
	c->st.bytes_input = c->opt->echo ? c->down.bytes_out : c->up.bytes_in;
	c->st.crlf = c->opt->crlf && !c->opt->echo;
	c->st.bytes_received = c->down.bytes_in;
	c->st.bytes_written = c->down.bytes_out;
	if (c->up_active && c->st.input_unsent == 0)
		c->st.input_unsent = c->up.bytes_in - pump_taken(&c->up);
	/* Ended early (a timeout, a failure): what the RST is about to drop is counted. */
	if (c->opt->linger0)
		c->st.unacked = unacked(c);
	c->st.ended_usec = clock_now_usec();
	tcpinfo_read(c->sock, &c->st.tcp);
	relay_taps_end(c);
	pump_free(&c->up);
	pump_free(&c->down);
}

void
relay_conn_end_feed(struct relay_conn *c)
{
	pump_end_feed(&c->up);
	/* Nothing may wake the caller's poll for this connection: half-close now. */
	if (pump_finished(&c->up) && !c->up_done && !c->failed)
		finish_up(c);
}
