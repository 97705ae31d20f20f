/*
 * hub.c: the accepting side of listen. hub_accept waits for one connection
 * (with -w); hub_run serves many at once from one poll(2) loop: what each
 * sends goes to stdout a whole read at a time, what stdin gives goes to all
 * of them, or (--echo) each one's bytes go back to it.
 */
#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#ifdef __linux__
#include <linux/sockios.h>
#endif

#include "clock.h"
#include "hub.h"
#include "io.h"
#include "parse.h"
#include "pump.h"

#define HUB_ECHO_SIZE (64 * 1024)
/* After EMFILE and the like, try accepting again this much later rather than spinning. */
#define HUB_ACCEPT_RETRY_USEC 100000
#define HUB_ACK_POLL_USEC 10000

enum { SLOT_LISTEN0, SLOT_LISTEN1, SLOT_STDIN, SLOT_CONNS };

struct conn {
	struct hub_peer peer;
	int64_t last_usec;
	int peer_eof; /* the peer's FIN came */
	int up_done; /* nothing more goes to the peer (shut down unless --no-shutdown) */
	int closing; /* failed: closed at the end of this round */
	int ending; /* finished: closed once the peer has every byte (--linger 0) */
	size_t bcast_off; /* how much of the stdin chunk it has been sent */
	char *echo;
	size_t echo_off, echo_len;
};

struct hub {
	struct bound *b;
	const struct hub_options *opt;
	struct hub_result *res;
	struct conn *conns;
	int n;
	struct pollfd *pfd;
	char *rbuf; /* what a connection sent, on its way to stdout */
	char *bcast; /* what stdin gave, on its way to every connection */
	size_t bcast_len;
	int stdin_eof;
	int accepted_any;
	int64_t started_usec, accept_resume_usec;
	int accept_err; /* the accept error last reported: said once per episode */
};

static int
accept_once(int fd, struct sockaddr_storage *ss, socklen_t *len, int flags)
{
	int s;

	*len = sizeof(*ss);
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
conn_fail(struct conn *c, enum relay_failure why, const char *op, int err)
{
	c->peer.stats.failure = why;
	c->peer.stats.failed_op = op;
	c->peer.stats.err = err;
	c->peer.stats.idle_timeout = why == RELAY_FAIL_IDLE;
	c->closing = 1;
}

static void
close_conn(struct hub *h, struct conn *c)
{
	if (h->opt->linger0)
		sock_linger_zero(c->peer.fd);
	close(c->peer.fd);
	c->peer.fd = -1;
	c->peer.stats.ended_usec = clock_now_usec();
	if (!h->opt->keep_open) {
		h->res->last = c->peer.stats;
		h->res->last_peer = c->peer.addr;
	}
	if (h->opt->on_close != NULL)
		h->opt->on_close(&c->peer, h->opt->ctx);
	free(c->echo);
	c->echo = NULL;
}

/*
 * Whether a finished connection can be closed now. With --linger 0 the close
 * sends RST, which would drop bytes not yet acknowledged: wait for them
 * (SIOCOUTQ counts them on Linux).
 */
static int
acked(const struct hub *h, const struct conn *c)
{
#ifdef SIOCOUTQ
	int queued = 0;

	if (h->opt->linger0)
		return ioctl(c->peer.fd, SIOCOUTQ, &queued) == -1 || queued == 0;
#endif
	(void)h;
	(void)c;
	return 1;
}

/* Closes the connections that failed or finished, keeping the others in order. */
static void
sweep(struct hub *h)
{
	int kept = 0;

	for (int i = 0; i < h->n; i++) {
		if (h->conns[i].closing || (h->conns[i].ending && acked(h, &h->conns[i])))
			close_conn(h, &h->conns[i]);
		else
			h->conns[kept++] = h->conns[i];
	}
	h->n = kept;
}

static int
can_accept(const struct hub *h, int64_t now)
{
	return h->b->n > 0 && h->n < h->opt->max_conns && (h->opt->keep_open || !h->accepted_any) &&
	       now >= h->accept_resume_usec;
}

static int
add_conn(struct hub *h, int fd, const struct sockaddr_storage *ss, socklen_t len)
{
	struct conn *c = &h->conns[h->n];
	int64_t now = clock_now_usec();

	memset(c, 0, sizeof(*c));
	if (h->opt->echo && (c->echo = malloc(HUB_ECHO_SIZE)) == NULL)
		return -1;
	c->peer.fd = fd;
	c->peer.addr = *ss;
	c->peer.addrlen = len;
	c->peer.stats.started_usec = c->last_usec = now;
	/* The stdin chunk in flight began before this connection: it gets the next one. */
	c->bcast_off = h->bcast_len;
	c->up_done = h->opt->recv_only;
	h->n++;
	h->accepted_any = 1;
	if (h->opt->on_accept != NULL)
		h->opt->on_accept(&c->peer, h->opt->ctx);
	/* Without -k the one connection is all: later ones are refused, as nc does. */
	if (!h->opt->keep_open)
		sock_close_bound(h->b);
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
		if (s != -1)
			close(s);
		else if (err == EINTR || err == ECONNABORTED || err == EPROTO)
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

static int
wants_stdin(const struct hub *h)
{
	if (h->opt->echo || h->opt->recv_only || h->stdin_eof || h->bcast_len > 0)
		return 0;
	for (int i = 0; i < h->n; i++)
		if (!h->conns[i].up_done && !h->conns[i].closing && !h->conns[i].ending)
			return 1;
	return 0;
}

static int
read_stdin(struct hub *h)
{
	ssize_t n;

	if ((n = io_read(h->opt->in_fd, h->bcast, PUMP_BUFFER_SIZE)) == -1) {
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return 0;
		return hub_fail(h, RELAY_FAIL_INPUT, "read from stdin", errno);
	}
	if (n == 0) {
		h->stdin_eof = 1;
		return 0;
	}
	h->bcast_len = (size_t)n;
	for (int i = 0; i < h->n; i++)
		h->conns[i].bcast_off =
		    h->conns[i].up_done || h->conns[i].ending || h->conns[i].closing ? h->bcast_len
										     : 0;
	return 0;
}

static int
conn_can_read(const struct hub *h, const struct conn *c)
{
	return !c->peer_eof && !c->closing && !c->ending && (!h->opt->echo || c->echo_len == 0);
}

static size_t
conn_pending(const struct hub *h, const struct conn *c)
{
	if (c->closing)
		return 0;
	if (h->opt->echo)
		return c->echo_len;
	return c->bcast_off < h->bcast_len ? h->bcast_len - c->bcast_off : 0;
}

/* Receives once; non-echo bytes go to stdout whole. Returns -1 only when the hub must end. */
static int
conn_receive(struct hub *h, struct conn *c)
{
	char *buf = h->opt->echo ? c->echo : h->rbuf;
	size_t size = h->opt->echo ? HUB_ECHO_SIZE : PUMP_BUFFER_SIZE;
	ssize_t n;

	if ((n = recv(c->peer.fd, buf, size, MSG_DONTWAIT)) == -1) {
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			conn_fail(c, RELAY_FAIL_RECEIVE, "receive from peer", errno);
		return 0;
	}
	if (n == 0) {
		c->peer_eof = 1;
		c->peer.stats.fin_received = 1;
		if (c->peer.stats.first_close == RELAY_CLOSER_NONE)
			c->peer.stats.first_close = RELAY_CLOSER_PEER;
		return 0;
	}
	c->peer.stats.bytes_received += (uint64_t)n;
	c->last_usec = clock_now_usec();
	if (h->opt->echo) {
		c->echo_off = 0;
		c->echo_len = (size_t)n;
		return 0;
	}
	if (h->opt->send_only || io_write_all(h->opt->out_fd, buf, (size_t)n) == 0)
		return 0;
	if (errno == EPIPE) {
		h->res->output_closed = 1;
		return -1;
	}
	return hub_fail(h, RELAY_FAIL_OUTPUT, "write to stdout", errno);
}

static void
conn_send(struct hub *h, struct conn *c)
{
	const char *p;
	size_t len;
	ssize_t n;

	while ((len = conn_pending(h, c)) > 0) {
		p = h->opt->echo ? c->echo + c->echo_off : h->bcast + c->bcast_off;
		if ((n = send(c->peer.fd, p, len, MSG_NOSIGNAL | MSG_DONTWAIT)) == -1) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				conn_fail(c, RELAY_FAIL_SEND, "send to peer", errno);
			return;
		}
		c->peer.stats.bytes_sent += (uint64_t)n;
		c->last_usec = clock_now_usec();
		if (h->opt->echo) {
			c->echo_off += (size_t)n;
			c->echo_len -= (size_t)n;
		} else
			c->bcast_off += (size_t)n;
	}
}

/* Half-closes and closes a connection once its directions are done. */
static void
conn_advance(struct hub *h, struct conn *c)
{
	int owes = conn_pending(h, c) > 0;

	if (c->closing || c->ending)
		return;
	if (h->opt->echo) {
		/* RFC 862: echo until the peer stops, then close. */
		c->ending = c->peer_eof && !owes;
		return;
	}
	if (!c->up_done && h->stdin_eof && !owes) {
		c->up_done = 1;
		if (!h->opt->no_shutdown) {
			if (c->peer.stats.first_close == RELAY_CLOSER_NONE)
				c->peer.stats.first_close = RELAY_CLOSER_LOCAL;
			/* --linger 0: no FIN, which would mean TIME_WAIT; the RST ends it. */
			if (h->opt->linger0) {
				c->ending = 1;
				return;
			}
			if (shutdown(c->peer.fd, SHUT_WR) == -1) {
				conn_fail(c, RELAY_FAIL_SEND, "shut down the sending side", errno);
				return;
			}
			c->peer.stats.fin_sent = 1;
		}
	}
	/* With -k stdin is shared and endless: a connection ends when its peer closes. */
	c->ending = c->peer_eof && !owes && (c->up_done || h->opt->keep_open);
}

static int
service(struct hub *h, struct conn *c, short revents)
{
	int err = 0;
	socklen_t len = sizeof(err);

	if ((revents & (POLLIN | POLLHUP | POLLERR)) && conn_can_read(h, c)) {
		if (conn_receive(h, c) == -1)
			return -1;
	} else if ((revents & (POLLHUP | POLLERR)) && conn_pending(h, c) == 0) {
		/* Nothing to read or send, but the connection is gone (a reset after our FIN). */
		if (getsockopt(c->peer.fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1 || err == 0)
			err = EPIPE;
		conn_fail(c, RELAY_FAIL_SEND, "send to peer", err);
	}
	conn_send(h, c);
	return 0;
}

static int64_t
next_timer(const struct hub *h, int64_t now)
{
	int64_t wait = INT64_MAX;

	if (!h->accepted_any && h->opt->accept_timeout_usec >= 0)
		wait = h->started_usec + h->opt->accept_timeout_usec - now;
	if (h->accept_resume_usec > now && h->accept_resume_usec - now < wait)
		wait = h->accept_resume_usec - now;
	for (int i = 0; i < h->n; i++) {
		if (h->opt->idle_usec > 0 && h->conns[i].last_usec + h->opt->idle_usec - now < wait)
			wait = h->conns[i].last_usec + h->opt->idle_usec - now;
		/* No event says "acknowledged": look again soon. */
		if (h->conns[i].ending && wait > HUB_ACK_POLL_USEC)
			wait = HUB_ACK_POLL_USEC;
	}
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
	for (int i = 0; i < h->n && h->opt->idle_usec > 0; i++)
		if (!h->conns[i].closing && now - h->conns[i].last_usec >= h->opt->idle_usec)
			conn_fail(&h->conns[i], RELAY_FAIL_IDLE, "idle timeout", ETIMEDOUT);
	return 0;
}

static void
build_poll(struct hub *h, int64_t now)
{
	int accept = can_accept(h, now);

	for (int i = 0; i < 2; i++)
		h->pfd[SLOT_LISTEN0 + i] =
		    (struct pollfd){ .fd = accept && i < h->b->n ? h->b->fd[i] : -1,
			    .events = POLLIN };
	h->pfd[SLOT_STDIN] =
	    (struct pollfd){ .fd = wants_stdin(h) ? h->opt->in_fd : -1, .events = POLLIN };
	for (int i = 0; i < h->n; i++) {
		struct conn *c = &h->conns[i];
		short ev = (conn_can_read(h, c) ? POLLIN : 0) | (conn_pending(h, c) ? POLLOUT : 0);
		h->pfd[SLOT_CONNS + i] = (struct pollfd){ .fd = c->peer.fd, .events = ev };
	}
}

/* One round: poll, accept, read stdin, serve every connection. */
static int
round_trip(struct hub *h)
{
	int64_t now = clock_now_usec();
	int polled = h->n, n;

	build_poll(h, now);
	n = poll(h->pfd, (nfds_t)(SLOT_CONNS + polled), duration_to_poll_ms(next_timer(h, now)));
	if (n == -1)
		return errno == EINTR ? 0 : hub_fail(h, RELAY_FAIL_SYSTEM, "poll", errno);
	for (int i = 0; i < polled; i++)
		if (h->pfd[SLOT_CONNS + i].revents != 0 || conn_pending(h, &h->conns[i]) > 0)
			if (service(h, &h->conns[i], h->pfd[SLOT_CONNS + i].revents) == -1)
				return -1;
	for (int i = 0; i < 2; i++)
		if (h->pfd[SLOT_LISTEN0 + i].fd != -1 && h->pfd[SLOT_LISTEN0 + i].revents != 0)
			accept_ready(h, h->pfd[SLOT_LISTEN0 + i].fd);
	if (h->pfd[SLOT_STDIN].revents != 0 && read_stdin(h) == -1)
		return -1;
	for (int i = 0; i < h->n; i++) {
		conn_send(h, &h->conns[i]);
		conn_advance(h, &h->conns[i]);
	}
	/* After the reads, so that bytes that came with the deadline still count. */
	if (check_timers(h, clock_now_usec()) == -1)
		return -1;
	if (h->bcast_len > 0) {
		int owed = 0;
		for (int i = 0; i < h->n; i++)
			owed |= !h->conns[i].closing && h->conns[i].bcast_off < h->bcast_len;
		if (!owed) {
			h->bcast_len = 0;
			for (int i = 0; i < h->n; i++)
				h->conns[i].bcast_off = 0;
		}
	}
	sweep(h);
	return 0;
}

int
hub_run(struct bound *b, const struct hub_options *opt, struct hub_result *res)
{
	struct hub h = { .b = b, .opt = opt, .res = res };
	int ret = 0;

	memset(res, 0, sizeof(*res));
	h.started_usec = clock_now_usec();
	h.conns = calloc((size_t)opt->max_conns, sizeof(*h.conns));
	h.pfd = calloc((size_t)opt->max_conns + SLOT_CONNS, sizeof(*h.pfd));
	h.rbuf = malloc(PUMP_BUFFER_SIZE);
	h.bcast = malloc(PUMP_BUFFER_SIZE);
	if (h.conns == NULL || h.pfd == NULL || h.rbuf == NULL || h.bcast == NULL)
		ret = hub_fail(&h, RELAY_FAIL_SYSTEM, "set up the connections", errno);
	while (ret == 0 && !(!opt->keep_open && h.accepted_any && h.n == 0))
		ret = round_trip(&h);
	if (res->output_closed)
		ret = 0;
	for (int i = 0; i < h.n; i++)
		close_conn(&h, &h.conns[i]);
	free(h.conns);
	free(h.pfd);
	free(h.rbuf);
	free(h.bcast);
	return ret;
}
