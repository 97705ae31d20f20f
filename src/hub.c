/*
 * hub.c: the accepting side of listen. hub_accept waits for one connection
 * (with -w); hub_run serves many at once (-k) from one poll(2) loop, each
 * through its own relay (relay.c), so that they end as plain listen's one
 * does. The hub itself only accepts, and reads stdin into one ring that every
 * connection is fed from: a connection may fall behind the fastest by the
 * ring's size (--max-queue), and is closed when it falls further.
 */
#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "hub.h"
#include "io.h"
#include "parse.h"
#include "pump.h"
#include "relay.h"

/* After EMFILE and the like, try accepting again this much later rather than spinning. */
#define HUB_ACCEPT_RETRY_USEC 100000

enum { SLOT_LISTEN0, SLOT_LISTEN1, SLOT_STDIN, SLOT_CONNS };

struct conn {
	struct hub_peer peer;
	struct relay_conn rc;
	uint64_t base; /* where stdin was when it joined: it is fed from there */
};

struct hub {
	struct bound *b;
	const struct hub_options *opt;
	struct relay_options relay; /* every connection's */
	struct hub_result *res;
	struct conn *conns;
	int n;
	struct pollfd *pfd;
	char *ring; /* what stdin gave, max_queue bytes of it, on its way to every connection */
	uint64_t head; /* bytes read from stdin in all */
	int stdin_eof;
	int64_t started_usec, accept_resume_usec;
	int accepted_any;
	int accept_err; /* the accept error last reported: said once per episode */
};

static int
accept_once(int fd, struct sockaddr_storage *ss, socklen_t *len, int flags)
{
	int s;

	*len = sizeof(*ss);
	/* A Unix peer's name is as long as it is (none when unnamed): the rest reads as NULs. */
	memset(ss, 0, sizeof(*ss));
	if ((s = accept4(fd, (struct sockaddr *)ss, len, flags | SOCK_CLOEXEC)) != -1)
		*len = addr_unmap((struct sockaddr *)ss, ss);
	return s;
}

int
hub_accept(const struct bound *b, int64_t timeout_usec, struct sockaddr_storage *ss, socklen_t *len)
{
	int64_t deadline = timeout_usec < 0 ? -1 : clock_now_usec() + timeout_usec;
	struct pollfd pfd[2];
	int fd, n;

	for (;;) {
		int64_t left = deadline < 0 ? -1 : deadline - clock_now_usec();
		if (deadline >= 0 && left <= 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		for (int i = 0; i < b->n; i++)
			pfd[i] = (struct pollfd){ .fd = b->fd[i], .events = POLLIN };
		if ((n = poll(pfd, (nfds_t)b->n, duration_to_poll_ms(left))) == -1 &&
		    errno != EINTR)
			return -1;
		for (int i = 0; i < b->n && n > 0; i++) {
			if (pfd[i].revents == 0)
				continue;
			if ((fd = accept_once(b->fd[i], ss, len, 0)) != -1)
				return fd;
			/* A connection that went away before accept, or a spurious wakeup: wait on.
			 */
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != ECONNABORTED &&
			    errno != EPROTO && errno != EINTR)
				return -1;
		}
	}
}

static int
hub_fail(struct hub *h, enum relay_failure why, const char *op, int err)
{
	h->res->failure = why;
	h->res->failed_op = op;
	h->res->err = err;
	return -1;
}

static void
close_conn(struct hub *h, struct conn *c)
{
	relay_conn_end(&c->rc);
	c->peer.stats = c->rc.st;
	if (h->relay.linger0)
		sock_linger_zero(c->peer.fd);
	close(c->peer.fd);
	c->peer.fd = -1;
	if (h->opt->on_close != NULL)
		h->opt->on_close(&c->peer, h->opt->ctx);
}

/* Closes the connections that are over, keeping the others in order. */
static void
sweep(struct hub *h)
{
	int kept = 0;

	for (int i = 0; i < h->n; i++) {
		if (relay_conn_over(&h->conns[i].rc))
			close_conn(h, &h->conns[i]);
		else
			h->conns[kept++] = h->conns[i];
	}
	h->n = kept;
}

static int
can_accept(const struct hub *h, int64_t now)
{
	return h->b->n > 0 && h->n < h->opt->max_conns && now >= h->accept_resume_usec;
}

static int
add_conn(struct hub *h, int fd, const struct sockaddr_storage *ss, socklen_t len)
{
	struct conn *c = &h->conns[h->n];

	memset(c, 0, sizeof(*c));
	if (relay_conn_start(&c->rc, fd, -1, h->opt->out_fd, &h->relay) == -1)
		return -1;
	c->peer.fd = fd;
	c->peer.addr = *ss;
	c->peer.addrlen = len;
	/* What stdin gave before this connection came is not its own: it starts here. */
	c->base = h->head;
	h->n++;
	h->accepted_any = 1;
	if (h->opt->on_accept != NULL)
		h->opt->on_accept(&c->peer, h->opt->ctx);
	return 0;
}

static void
accept_ready(struct hub *h, int fd)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int s, err;

	while (can_accept(h, clock_now_usec())) {
		s = accept_once(fd, &ss, &len, SOCK_NONBLOCK);
		if (s != -1 && add_conn(h, s, &ss, len) == 0) {
			h->accept_err = 0;
			continue;
		}
		err = errno;
		if (s != -1) {
			relay_conn_end(&h->conns[h->n].rc);
			close(s);
		} else if (err == EINTR || err == ECONNABORTED || err == EPROTO)
			continue;
		else if (err == EAGAIN || err == EWOULDBLOCK)
			return;
		/*
		 * Out of descriptors or memory: say so once (not at every retry while
		 * it lasts), and leave the rest in the backlog a while.
		 */
		if (h->opt->on_accept_error != NULL && err != h->accept_err)
			h->opt->on_accept_error(err, h->opt->ctx);
		h->accept_err = err;
		h->accept_resume_usec = clock_now_usec() + HUB_ACCEPT_RETRY_USEC;
		return;
	}
}

/* Whether the connection still takes stdin, and where it is in it. */
static int
takes_input(const struct conn *c)
{
	return c->rc.up_active && !c->rc.up_done && !relay_conn_over(&c->rc);
}

static uint64_t
taken(const struct conn *c)
{
	return c->base + relay_conn_taken(&c->rc);
}

/* Hands each connection that has sent its last piece the next one from the ring. */
static void
feed(struct hub *h)
{
	size_t cap = h->opt->max_queue;

	for (int i = 0; i < h->n; i++) {
		struct conn *c = &h->conns[i];
		uint64_t pos = c->base + relay_conn_fed(&c->rc);
		if (!takes_input(c) || !relay_conn_wants_feed(&c->rc))
			continue;
		if (pos < h->head) {
			size_t off = (size_t)(pos % cap);
			uint64_t len = h->head - pos < cap - off ? h->head - pos : cap - off;
			relay_conn_feed(&c->rc, h->ring + off, (size_t)len);
		} else if (h->stdin_eof)
			relay_conn_end_feed(&c->rc);
	}
}

/*
 * How much stdin the ring can take now: the fastest connection paces the
 * reads (some connection has taken everything), the slowest bounds them. When
 * one that has not taken max_queue bytes holds the ring full, it is closed,
 * and the rest go on.
 */
static size_t
ring_room(struct hub *h)
{
	size_t cap = h->opt->max_queue, free_bytes, to_end;
	uint64_t oldest = h->head;
	int caught_up = 0;

	for (int i = 0; i < h->n; i++)
		if (takes_input(&h->conns[i]))
			caught_up |= taken(&h->conns[i]) == h->head;
	if (!caught_up || h->stdin_eof || h->relay.echo || h->relay.recv_only)
		return 0;
	for (int i = 0; i < h->n; i++) {
		struct conn *c = &h->conns[i];
		if (!takes_input(c))
			continue;
		if (h->head - taken(c) >= cap) {
			c->rc.st.input_unsent = h->head - taken(c);
			relay_conn_abort(&c->rc, RELAY_FAIL_QUEUE, "queue", ENOBUFS);
		} else if (taken(c) < oldest)
			oldest = taken(c);
	}
	if (h->head - oldest >= cap)
		return 0;
	/* Free, and contiguous from where the next read goes. */
	free_bytes = cap - (size_t)(h->head - oldest);
	to_end = cap - (size_t)(h->head % cap);
	return free_bytes < to_end ? free_bytes : to_end;
}

static int
read_stdin(struct hub *h)
{
	size_t room = ring_room(h);
	ssize_t n;

	if (room == 0)
		return 0;
	if (room > PUMP_BUFFER_SIZE)
		room = PUMP_BUFFER_SIZE;
	if ((n = io_read(h->opt->in_fd, h->ring + h->head % h->opt->max_queue, room)) == -1) {
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return 0;
		return hub_fail(h, RELAY_FAIL_INPUT, "read from stdin", errno);
	}
	if (n == 0)
		h->stdin_eof = 1;
	h->head += (uint64_t)n;
	feed(h);
	return 0;
}

static int64_t
next_timer(const struct hub *h, int64_t now)
{
	int64_t wait = INT64_MAX, w;

	if (!h->accepted_any && h->opt->accept_timeout_usec >= 0)
		wait = h->started_usec + h->opt->accept_timeout_usec - now;
	if (h->accept_resume_usec > now && h->accept_resume_usec - now < wait)
		wait = h->accept_resume_usec - now;
	for (int i = 0; i < h->n; i++)
		if ((w = relay_conn_wait(&h->conns[i].rc, now)) >= 0 && w < wait)
			wait = w;
	if (wait == INT64_MAX)
		return -1;
	return wait < 0 ? 0 : wait;
}

static int
check_timers(struct hub *h, int64_t now)
{
	if (!h->accepted_any && h->opt->accept_timeout_usec >= 0 &&
	    now - h->started_usec >= h->opt->accept_timeout_usec) {
		h->res->timed_out = 1;
		return hub_fail(h, RELAY_FAIL_DEADLINE, "accept", ETIMEDOUT);
	}
	for (int i = 0; i < h->n; i++)
		relay_conn_timers(&h->conns[i].rc, now);
	return 0;
}

static void
build_poll(struct hub *h, int64_t now)
{
	int accept = can_accept(h, now);
	struct pollfd in, out;

	for (int i = 0; i < 2; i++)
		h->pfd[SLOT_LISTEN0 + i] =
		    (struct pollfd){ .fd = accept && i < h->b->n ? h->b->fd[i] : -1,
			    .events = POLLIN };
	h->pfd[SLOT_STDIN] =
	    (struct pollfd){ .fd = ring_room(h) > 0 ? h->opt->in_fd : -1, .events = POLLIN };
	for (int i = 0; i < h->n; i++)
		relay_conn_poll(&h->conns[i].rc, &in, &h->pfd[SLOT_CONNS + i], &out);
}

/*
 * Serves every connection polled. A whole write that waited for stdout held
 * every connection back: that wait is not their silence.
 */
static int
serve(struct hub *h, int polled)
{
	int waited = 0;

	for (int i = 0; i < polled; i++) {
		struct relay_conn *rc = &h->conns[i].rc;
		relay_conn_step(rc, 0, h->pfd[SLOT_CONNS + i].revents, 0);
		waited |= relay_conn_output_waited(rc);
		if (rc->st.output_closed) {
			h->res->output_closed = 1;
			return -1;
		}
		/* stdout and the --dump are everyone's: their failure ends the hub. */
		if (rc->st.failure == RELAY_FAIL_OUTPUT || rc->st.failure == RELAY_FAIL_DUMP)
			return hub_fail(h, RELAY_FAIL_OUTPUT, rc->st.failed_op, rc->st.err);
	}
	for (int i = 0; waited && i < h->n; i++)
		h->conns[i].rc.last_usec = clock_now_usec();
	return 0;
}

/* One round: poll, read stdin, serve every connection, accept. */
static int
round_trip(struct hub *h)
{
	int64_t now = clock_now_usec();
	int polled = h->n, n;

	feed(h);
	build_poll(h, now);
	n = poll(h->pfd, (nfds_t)(SLOT_CONNS + polled), duration_to_poll_ms(next_timer(h, now)));
	if (n == -1)
		return errno == EINTR ? 0 : hub_fail(h, RELAY_FAIL_SYSTEM, "poll", errno);
	if (h->pfd[SLOT_STDIN].revents != 0 && read_stdin(h) == -1)
		return -1;
	if (serve(h, polled) == -1)
		return -1;
	for (int i = 0; i < 2; i++)
		if (h->pfd[SLOT_LISTEN0 + i].fd != -1 && h->pfd[SLOT_LISTEN0 + i].revents != 0)
			accept_ready(h, h->pfd[SLOT_LISTEN0 + i].fd);
	/* After the reads, so that bytes that came with the deadline still count. */
	if (check_timers(h, clock_now_usec()) == -1)
		return -1;
	sweep(h);
	return 0;
}

int
hub_run(struct bound *b, const struct hub_options *opt, struct hub_result *res)
{
	struct hub h = { .b = b, .opt = opt, .relay = opt->relay, .res = res };
	int ret = 0;

	memset(res, 0, sizeof(*res));
	h.started_usec = clock_now_usec();
	h.relay.fed_input = !opt->relay.echo;
	/* stdin is shared and may never end: a connection ends when its peer has closed. */
	h.relay.end_at_peer_eof = 1;
	/* stdout is shared: a read is written whole, so that they never interleave. */
	h.relay.whole_writes = !opt->relay.echo;
	h.conns = calloc((size_t)opt->max_conns, sizeof(*h.conns));
	h.pfd = calloc((size_t)opt->max_conns + SLOT_CONNS, sizeof(*h.pfd));
	h.ring = opt->relay.echo || opt->relay.recv_only ? NULL : malloc(opt->max_queue);
	if (h.conns == NULL || h.pfd == NULL ||
	    (h.ring == NULL && !opt->relay.echo && !opt->relay.recv_only))
		ret = hub_fail(&h, RELAY_FAIL_SYSTEM, "set up the connections", errno);
	while (ret == 0)
		ret = round_trip(&h);
	if (res->output_closed)
		ret = 0;
	for (int i = 0; i < h.n; i++)
		close_conn(&h, &h.conns[i]);
	free(h.conns);
	free(h.pfd);
	free(h.ring);
	return ret;
}
