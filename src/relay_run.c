/*
 * relay_run.c: driving a relay_conn (relay.c): relay_run's poll loop for one
 * connection, and the input listen -k hands each of its connections piece by
 * piece.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>

#include "clock.h"
#include "parse.h"
#include "pump.h"
#include "relay.h"

int
relay_conn_wants_feed(const struct relay_conn *c)
{
	return c->up_active && !c->up_done && !c->failed && pump_wants_feed(&c->up);
}

uint64_t
relay_conn_fed(const struct relay_conn *c)
{
	return c->up.bytes_in;
}

uint64_t
relay_conn_taken(const struct relay_conn *c)
{
	return pump_taken(&c->up);
}

void
relay_conn_feed(struct relay_conn *c, const void *mem, size_t len)
{
	pump_feed(&c->up, mem, len);
}

int
relay_conn_output_waited(struct relay_conn *c)
{
	int w = c->down.waited;

	c->down.waited = 0;
	return w;
}

static int
loop(struct relay_conn *c)
{
	struct pollfd pfd[3];
	int64_t now;
	int n;

	while (!relay_conn_over(c)) {
		now = clock_now_usec();
		relay_conn_poll(c, &pfd[0], &pfd[1], &pfd[2]);
		if ((n = poll(pfd, 3, duration_to_poll_ms(relay_conn_wait(c, now)))) == -1) {
			if (errno == EINTR)
				continue;
			relay_conn_abort(c, RELAY_FAIL_SYSTEM, "poll", errno);
			return -1;
		}
		/* Bytes that came with the deadline still count: move them first. */
		/* Through TLS, decrypted bytes may wait with no event: step after every wake. */
		if ((n > 0 || c->opt->sock_io != NULL) &&
		    relay_conn_step(c, pfd[0].revents, pfd[1].revents, pfd[2].revents) == -1)
			return -1;
		if ((n = relay_conn_timers(c, clock_now_usec())) != 0)
			return n == 1 ? 0 : -1;
	}
	return c->failed ? -1 : 0;
}

int
relay_run(int sock, int in_fd, int out_fd, const struct relay_options *opt, struct relay_stats *st)
{
	struct relay_conn c;
	int ret;

	if ((ret = relay_conn_start(&c, sock, in_fd, out_fd, opt)) == 0)
		ret = loop(&c);
	relay_conn_end(&c);
	*st = c.st;
	return ret;
}
