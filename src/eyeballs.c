/* eyeballs.c: RFC 8305 (Happy Eyeballs v2) connection racing with non-blocking connects and poll.
 */
#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "eyeballs.h"
#include "io.h"
#include "parse.h"
#include "source.h"

/* The state of one race: the addresses in the order they will be tried, and the open sockets. */
struct race {
	const struct eyeballs_options *opt;
	struct eyeballs_result *r;
	struct source src;
	const struct addrinfo **order;
	size_t norder, next;
	int *fds; /* per attempt; -1 once it has ended */
	int64_t deadline; /* -1: none */
	int64_t last_start;
	int failed_since_start; /* an attempt failed after the last one started */
};

static int
same_sockaddr(const struct addrinfo *a, const struct addrinfo *b)
{
	return a->ai_addrlen == b->ai_addrlen && memcmp(a->ai_addr, b->ai_addr, a->ai_addrlen) == 0;
}

/* getaddrinfo may list an address more than once; each is tried once. */
static int
listed_before(const struct addrinfo *res, const struct addrinfo *ai)
{
	for (const struct addrinfo *p = res; p != ai; p = p->ai_next)
		if (same_sockaddr(p, ai))
			return 1;
	return 0;
}

/*
 * RFC 8305 section 4: keep getaddrinfo's (RFC 6724) order within each
 * family, start with the family of its first answer, then alternate, so a
 * broken family costs one Connection Attempt Delay and not one per address.
 */
static void
interleave(const struct addrinfo **list, size_t n)
{
	const struct addrinfo **first, **other;
	size_t nf = 0, no = 0, i = 0, f = 0, o = 0;

	if (n < 2 || (first = calloc(n, sizeof(*first))) == NULL)
		return;
	if ((other = calloc(n, sizeof(*other))) == NULL) {
		free(first);
		return;
	}
	for (size_t k = 0; k < n; k++) {
		if (list[k]->ai_family == list[0]->ai_family)
			first[nf++] = list[k];
		else
			other[no++] = list[k];
	}
	while (f < nf || o < no) {
		if (f < nf)
			list[i++] = first[f++];
		if (o < no)
			list[i++] = other[o++];
	}
	free(first);
	free(other);
}

static int
build_order(struct race *race, const struct addrinfo *res)
{
	size_t n = 0;

	for (const struct addrinfo *ai = res; ai != NULL; ai = ai->ai_next)
		n++;
	if ((race->order = calloc(n ? n : 1, sizeof(*race->order))) == NULL)
		return -1;
	for (const struct addrinfo *ai = res; ai != NULL; ai = ai->ai_next) {
		if ((ai->ai_family != AF_INET && ai->ai_family != AF_INET6) ||
		    ai->ai_addrlen > sizeof(struct sockaddr_storage) || listed_before(res, ai))
			continue;
		if (!source_has_family(&race->src, ai->ai_family)) {
			race->r->skipped++;
			continue;
		}
		race->order[race->norder++] = ai;
	}
	interleave(race->order, race->norder);
	return 0;
}

static void
event(struct race *race, size_t i)
{
	if (race->opt->on_event != NULL)
		race->opt->on_event(&race->r->attempts[i], race->opt->ctx);
}

/*
 * The socket's error queue (IP_RECVERR, on from its start): an ICMP error that
 * failed the connect names the router or host that sent it; a RST leaves none.
 */
static void
read_icmp(int fd, struct eyeballs_attempt *a)
{
	if (errqueue_read(fd, &a->icmp, NULL, 0) != 1)
		memset(&a->icmp, 0, sizeof(a->icmp));
}

/* Once connected, ICMP errors go back to being soft, as on any TCP socket without IP_RECVERR. */
static void
recverr_off(int fd, int family)
{
	int zero = 0;

	if (family == AF_INET6)
		(void)setsockopt(fd, IPPROTO_IPV6, IPV6_RECVERR, &zero, sizeof(zero));
	else
		(void)setsockopt(fd, IPPROTO_IP, IP_RECVERR, &zero, sizeof(zero));
}

static void
end_attempt(struct race *race, size_t i, enum eyeballs_state state, int err)
{
	struct eyeballs_attempt *a = &race->r->attempts[i];

	a->state = state;
	a->err = err;
	a->ended_usec = clock_now_usec();
	if (state == EYEBALLS_FAILED && race->fds[i] != -1)
		read_icmp(race->fds[i], a);
	else if (state == EYEBALLS_CONNECTED)
		recverr_off(race->fds[i], a->addr.ss_family);
	if (state != EYEBALLS_CONNECTED && race->fds[i] != -1) {
		close(race->fds[i]);
		race->fds[i] = -1;
	}
	if (state == EYEBALLS_FAILED)
		race->failed_since_start = 1;
	else if (state == EYEBALLS_CONNECTED)
		race->r->winner = (int)i;
	event(race, i);
}

static void
start_attempt(struct race *race)
{
	const struct addrinfo *ai = race->order[race->next++];
	size_t i = race->r->n++;
	struct eyeballs_attempt *a = &race->r->attempts[i];
	int fd;

	memcpy(&a->addr, ai->ai_addr, ai->ai_addrlen);
	a->addrlen = ai->ai_addrlen;
	a->state = EYEBALLS_STARTED;
	a->started_usec = race->last_start = clock_now_usec();
	race->failed_since_start = 0;
	race->fds[i] = -1;
	event(race, i);
	if ((fd = source_socket(ai->ai_family, &race->src, &a->in_bind)) == -1) {
		if (a->in_bind && race->r->source_err == 0)
			race->r->source_err = errno;
		end_attempt(race, i, EYEBALLS_FAILED, errno);
		return;
	}
	race->fds[i] = fd;
	/* Best effort: without it the failure is only missing who reported it. */
	(void)errqueue_enable(fd, ai->ai_family);
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
		end_attempt(race, i, EYEBALLS_CONNECTED, 0);
	else if (errno != EINPROGRESS && errno != EINTR)
		end_attempt(race, i, EYEBALLS_FAILED, errno);
}

static size_t
in_flight(const struct race *race)
{
	size_t k = 0;

	for (size_t i = 0; i < race->r->n; i++)
		if (race->r->attempts[i].state == EYEBALLS_STARTED)
			k++;
	return k;
}

/* How long poll may sleep: until the next attempt is due or the set-up deadline; -1 forever. */
static int64_t
wait_usec(const struct race *race, int64_t now)
{
	int64_t wait = INT64_MAX;

	if (race->next < race->norder)
		wait = race->last_start + race->opt->attempt_delay_usec - now;
	if (race->deadline != -1 && race->deadline - now < wait)
		wait = race->deadline - now;
	if (wait == INT64_MAX)
		return -1;
	return wait < 0 ? 0 : wait;
}

/* One poll over the attempts in flight; the first to connect (in start order) wins. */
static int
poll_attempts(struct race *race, int64_t wait)
{
	struct pollfd *pfd;
	size_t *idx, np = 0;
	int ready, err;
	socklen_t len = sizeof(err);

	pfd = calloc(race->r->n, sizeof(*pfd));
	idx = calloc(race->r->n, sizeof(*idx));
	if (pfd == NULL || idx == NULL) {
		free(pfd);
		free(idx);
		return -1;
	}
	for (size_t i = 0; i < race->r->n; i++) {
		if (race->r->attempts[i].state != EYEBALLS_STARTED)
			continue;
		pfd[np] = (struct pollfd){ .fd = race->fds[i], .events = POLLOUT };
		idx[np++] = i;
	}
	ready = poll(pfd, (nfds_t)np, duration_to_poll_ms(wait));
	for (size_t k = 0; ready > 0 && k < np; k++) {
		if (pfd[k].revents == 0)
			continue;
		if (getsockopt(pfd[k].fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1)
			err = errno;
		if (err == 0 && race->r->winner == -1)
			end_attempt(race, idx[k], EYEBALLS_CONNECTED, 0);
		else if (err != 0)
			end_attempt(race, idx[k], EYEBALLS_FAILED, err);
	}
	free(pfd);
	free(idx);
	return ready == -1 && errno != EINTR ? -1 : 0;
}

static void
end_all_in_flight(struct race *race, enum eyeballs_state state, int err)
{
	for (size_t i = 0; i < race->r->n; i++)
		if (race->r->attempts[i].state == EYEBALLS_STARTED)
			end_attempt(race, i, state, err);
}

static int
run_race(struct race *race)
{
	int64_t now;

	for (;;) {
		now = clock_now_usec();
		if (race->r->winner != -1)
			return 0;
		if (race->deadline != -1 && now >= race->deadline) {
			race->r->timed_out = in_flight(race) > 0 || race->next < race->norder;
			end_all_in_flight(race, EYEBALLS_FAILED, ETIMEDOUT);
			return 0;
		}
		if (race->next < race->norder &&
		    (in_flight(race) == 0 || race->failed_since_start ||
			now - race->last_start >= race->opt->attempt_delay_usec)) {
			start_attempt(race);
			continue;
		}
		if (in_flight(race) == 0)
			return 0;
		if (poll_attempts(race, wait_usec(race, now)) == -1)
			return -1;
	}
}

static int
last_error(const struct eyeballs_result *r)
{
	for (size_t i = r->n; i > 0; i--)
		if (r->attempts[i - 1].err != 0)
			return r->attempts[i - 1].err;
	return ETIMEDOUT;
}

int
eyeballs_connect(const struct addrinfo *res, const struct eyeballs_options *opt,
    struct eyeballs_result *r)
{
	struct race race = { .opt = opt, .r = r, .deadline = -1 };
	int fd = -1, err;

	memset(r, 0, sizeof(*r));
	r->winner = -1;
	if (opt->source != NULL)
		race.src = *opt->source;
	else if ((r->source_eai = source_resolve(opt->source_host, opt->source_port, &race.src)) !=
		 0)
		return -1;
	if (build_order(&race, res) == -1)
		return -1;
	if (race.norder == 0) {
		free(race.order);
		r->source_err = errno = r->skipped > 0 ? EAFNOSUPPORT : EADDRNOTAVAIL;
		return -1;
	}
	r->attempts = calloc(race.norder, sizeof(*r->attempts));
	race.fds = calloc(race.norder, sizeof(*race.fds));
	if (r->attempts == NULL || race.fds == NULL) {
		free(race.order);
		free(race.fds);
		return -1;
	}
	if (opt->timeout_usec >= 0)
		race.deadline = clock_now_usec() + opt->timeout_usec;
	err = run_race(&race) == -1 ? errno : 0;
	if (r->winner != -1) {
		fd = race.fds[r->winner];
		race.fds[r->winner] = -1;
	}
	end_all_in_flight(&race, fd != -1 ? EYEBALLS_ABANDONED : EYEBALLS_FAILED, err);
	free(race.order);
	free(race.fds);
	if (fd != -1 && io_set_nonblock(fd, 0) == -1) {
		err = errno;
		close(fd);
		errno = err;
		return -1;
	}
	if (fd == -1)
		errno = err != 0 ? err : last_error(r);
	return fd;
}

void
eyeballs_result_free(struct eyeballs_result *r)
{
	free(r->attempts);
	r->attempts = NULL;
	r->n = 0;
}
