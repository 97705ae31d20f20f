/* scan.c: concurrent non-blocking connects for connect -z, over every address of a host at once;
 * a filtered batch costs one timeout. */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "addr.h"
#include "clock.h"
#include "parse.h"
#include "scan.h"
#include "sock.h"

/* One connect in flight; its pollfd sits at the same index in scanner.pfd. */
struct slot {
	size_t ordinal; /* index into scanner.results */
	int64_t started_usec;
};

struct scanner {
	const struct scan_options *opt;
	struct scan_stats *stats;
	const struct scan_target *targets;
	struct scan_result *results;
	unsigned char *done;
	size_t n, next, emitted;
	size_t next_target; /* the address, and the port of the set to look for next */
	uint32_t next_port;
	struct slot *slots;
	struct pollfd *pfd;
	size_t *free_slots, nfree;
	size_t active;
	int *spare[2]; /* per family (IPv4, IPv6): sockets whose connect failed, to connect again */
	size_t nspare[2];
	int no_reuse; /* the system refused to connect such a socket again */
};

static void
emit_ready(struct scanner *sc)
{
	while (sc->emitted < sc->next && sc->done[sc->emitted]) {
		const struct scan_result *r = &sc->results[sc->emitted];

		sc->stats->count[r->state]++;
		if (r->state == SCAN_ERROR && sc->stats->first_error == 0) {
			sc->stats->first_error = r->err;
			sc->stats->first_error_port = r->port;
			sc->stats->first_error_target = r->target;
		}
		if (sc->opt->on_result != NULL)
			sc->opt->on_result(r, sc->opt->ctx);
		sc->emitted++;
	}
}

static void
record(struct scanner *sc, size_t ordinal, int err, int64_t rtt)
{
	struct scan_result *r = &sc->results[ordinal];

	r->state = scan_classify(err);
	r->err = err;
	r->rtt_usec = rtt;
	sc->done[ordinal] = 1;
}

/* The address of a port's connect, with its port: the length. */
static socklen_t
target_of(const struct scanner *sc, size_t ordinal, struct sockaddr_storage *ss)
{
	const struct scan_target *t = &sc->targets[sc->results[ordinal].target];

	memcpy(ss, &t->addr, t->len);
	addr_set_port((struct sockaddr *)ss, sc->results[ordinal].port);
	return t->len;
}

/* Which spare list a socket for this port's address belongs to. */
static int
family_of(const struct scanner *sc, size_t ordinal)
{
	return sc->targets[sc->results[ordinal].target].addr.ss_family;
}

static size_t
spare_list(int family)
{
	return family == AF_INET6;
}

static void
release(struct scanner *sc, size_t s, int open, int reusable)
{
	size_t list = spare_list(family_of(sc, sc->slots[s].ordinal));

	if (reusable && !sc->no_reuse)
		sc->spare[list][sc->nspare[list]++] = sc->pfd[s].fd;
	else {
		if (open && sc->opt->linger0)
			(void)sock_linger_zero(sc->pfd[s].fd);
		close(sc->pfd[s].fd);
	}
	sc->pfd[s].fd = -1;
	sc->free_slots[sc->nfree++] = s;
	sc->active--;
}

/*
 * A connect to one's own port on loopback can pick that very port as its
 * ephemeral source and connect to itself (TCP simultaneous open). Nothing
 * listens there: it is a closed port, not an open one.
 */
static int
connected_to_itself(int fd)
{
	struct sockaddr_storage local, peer;
	socklen_t llen = sizeof(local), plen = sizeof(peer);

	if (getsockname(fd, (struct sockaddr *)&local, &llen) == -1 ||
	    getpeername(fd, (struct sockaddr *)&peer, &plen) == -1)
		return 0;
	return llen == plen && memcmp(&local, &peer, llen) == 0;
}

static void
finish_slot(struct scanner *sc, size_t s, int err, int64_t now, int reusable)
{
	int open = err == 0;

	if (open && connected_to_itself(sc->pfd[s].fd)) {
		err = ECONNREFUSED;
		open = 0;
	}
	record(sc, sc->slots[s].ordinal, err,
	    err == ETIMEDOUT ? -1 : now - sc->slots[s].started_usec);
	release(sc, s, open, reusable && !open);
}

/* The next address and port to scan: every port of the set on one address, then the next. */
static void
take_next_port(struct scanner *sc, const struct scan_ports *ports, struct scan_result *r)
{
	for (;; sc->next_port++) {
		if (sc->next_port > UINT16_MAX) {
			sc->next_port = 0;
			sc->next_target++;
		}
		if (scan_ports_has(ports, (uint16_t)sc->next_port))
			break;
	}
	r->target = sc->next_target;
	r->port = (uint16_t)sc->next_port++;
}

/*
 * A socket for the next connect: one whose last connect failed if there is
 * one (Linux lets it connect again, which saves a socket(2) and a close(2)
 * per closed port), else a new one.
 */
static int
take_socket(struct scanner *sc, int family, int *in_bind, int *reused)
{
	size_t list = spare_list(family), other = !list;
	int fd;

	*in_bind = 0;
	*reused = sc->nspare[list] > 0;
	if (*reused)
		return sc->spare[list][--sc->nspare[list]];
	fd = source_socket(family, sc->opt->src, in_bind);
	/* The other family's spares may hold the descriptors: a socket of this one needs them. */
	if (fd == -1 && (errno == EMFILE || errno == ENFILE) && sc->nspare[other] > 0) {
		while (sc->nspare[other] > 0)
			close(sc->spare[other][--sc->nspare[other]]);
		fd = source_socket(family, sc->opt->src, in_bind);
	}
	return fd;
}

/* connect(2) on a slot's socket, and what came of it if it ended at once. */
static void
start_connect(struct scanner *sc, size_t s, int reused)
{
	struct sockaddr_storage ss;
	struct sockaddr *sa = (struct sockaddr *)&ss;
	socklen_t len = target_of(sc, sc->slots[s].ordinal, &ss);
	int fd = sc->pfd[s].fd, in_bind, err;

	for (;;) {
		if (connect(fd, sa, len) == 0) {
			finish_slot(sc, s, 0, clock_now_usec(), 0);
			return;
		}
		if (errno == EINPROGRESS || errno == EINTR)
			return;
		if (!reused || (errno != EISCONN && errno != EALREADY && errno != EINVAL)) {
			finish_slot(sc, s, errno, clock_now_usec(), 1);
			return;
		}
		/* This system will not connect a socket again after a failure: stop reusing. */
		sc->no_reuse = 1;
		close(fd);
		if ((fd = source_socket(sa->sa_family, sc->opt->src, &in_bind)) == -1) {
			err = errno;
			sc->pfd[s].fd = -1;
			sc->free_slots[sc->nfree++] = s;
			sc->active--;
			record(sc, sc->slots[s].ordinal, err, -1);
			return;
		}
		sc->pfd[s].fd = fd;
		reused = 0;
	}
}

/* Starts the next port's connect; 0, or -1 when out of descriptors with others in flight. */
static int
start_one(struct scanner *sc, const struct scan_ports *ports)
{
	int fd, in_bind, reused;
	size_t s, ordinal = sc->next;
	uint32_t port = sc->next_port;
	size_t target = sc->next_target;

	take_next_port(sc, ports, &sc->results[ordinal]);
	if ((fd = take_socket(sc, family_of(sc, ordinal), &in_bind, &reused)) == -1) {
		if ((errno == EMFILE || errno == ENFILE) && sc->active > 0) {
			/* Not taken after all: the same port is tried again once a slot frees. */
			sc->next_port = port;
			sc->next_target = target;
			return -1;
		}
		sc->next++;
		record(sc, ordinal, errno, -1);
		return 0;
	}
	sc->next++;
	s = sc->free_slots[--sc->nfree];
	sc->slots[s] = (struct slot){ ordinal, clock_now_usec() };
	sc->pfd[s] = (struct pollfd){ .fd = fd, .events = POLLOUT };
	sc->active++;
	start_connect(sc, s, reused);
	return 0;
}

/* The poll timeout: until the oldest connect in flight reaches its timeout. */
static int64_t
earliest_deadline(const struct scanner *sc, size_t nslots)
{
	int64_t first = -1;

	for (size_t s = 0; s < nslots; s++) {
		if (sc->pfd[s].fd == -1)
			continue;
		if (first == -1 || sc->slots[s].started_usec < first)
			first = sc->slots[s].started_usec;
	}
	return first == -1 || sc->opt->timeout_usec < 0 ? -1 : first + sc->opt->timeout_usec;
}

/*
 * A connect that ended: its error. After a refusal, connect(2) again
 * returns the error (as SO_ERROR would) and also leaves the socket ready for
 * another connect (*reusable). An ICMP error can leave the socket still
 * trying (EALREADY): SO_ERROR then has the error, and the socket is closed.
 */
static int
connect_result(struct scanner *sc, size_t s, int *reusable)
{
	int fd = sc->pfd[s].fd, err = 0;
	short revents = sc->pfd[s].revents;
	socklen_t len = sizeof(err), salen;
	struct sockaddr_storage ss;

	*reusable = 0;
	if (revents & POLLERR) {
		/* The same address and port: should the connect start anew, it is still right. */
		salen = target_of(sc, sc->slots[s].ordinal, &ss);
		if (connect(fd, (struct sockaddr *)&ss, salen) == 0 || errno == EISCONN)
			return 0;
		if (errno != EALREADY && errno != EINPROGRESS && errno != EINTR) {
			*reusable = 1;
			return errno;
		}
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1)
		err = errno;
	if (err == 0 && (revents & POLLERR))
		return EINPROGRESS;
	return err;
}

static int
wait_round(struct scanner *sc, size_t nslots)
{
	int64_t deadline = earliest_deadline(sc, nslots), now = clock_now_usec();
	int err, ready, reusable;

	ready = poll(sc->pfd, (nfds_t)nslots,
	    deadline == -1 ? -1 : duration_to_poll_ms(deadline > now ? deadline - now : 0));
	if (ready == -1)
		return errno == EINTR ? 0 : -1;
	now = clock_now_usec();
	for (size_t s = 0; s < nslots; s++) {
		if (sc->pfd[s].fd == -1)
			continue;
		if (sc->pfd[s].revents != 0 &&
		    (err = connect_result(sc, s, &reusable)) != EINPROGRESS)
			finish_slot(sc, s, err, now, reusable);
		else if (sc->opt->timeout_usec >= 0 &&
			 now - sc->slots[s].started_usec >= sc->opt->timeout_usec)
			finish_slot(sc, s, ETIMEDOUT, now, 0);
	}
	return 0;
}

static int
scan_loop(struct scanner *sc, const struct scan_ports *ports, size_t nslots)
{
	while (sc->emitted < sc->n) {
		while (sc->next < sc->n && sc->nfree > 0)
			if (start_one(sc, ports) == -1)
				break;
		emit_ready(sc);
		if (sc->active == 0)
			continue;
		if (wait_round(sc, nslots) == -1)
			return -1;
		emit_ready(sc);
	}
	return 0;
}

static int
scanner_alloc(struct scanner *sc, size_t nslots)
{
	size_t n = sc->n ? sc->n : 1;

	sc->results = calloc(n, sizeof(*sc->results));
	sc->done = calloc(n, 1);
	sc->slots = calloc(nslots, sizeof(*sc->slots));
	sc->pfd = calloc(nslots, sizeof(*sc->pfd));
	sc->free_slots = calloc(nslots, sizeof(*sc->free_slots));
	sc->spare[0] = calloc(nslots, sizeof(*sc->spare[0]));
	sc->spare[1] = calloc(nslots, sizeof(*sc->spare[1]));
	if (sc->results == NULL || sc->done == NULL || sc->slots == NULL || sc->pfd == NULL ||
	    sc->free_slots == NULL || sc->spare[0] == NULL || sc->spare[1] == NULL)
		return -1;
	for (size_t s = 0; s < nslots; s++) {
		sc->pfd[s].fd = -1;
		sc->free_slots[sc->nfree++] = nslots - 1 - s;
	}
	return 0;
}

static void
scanner_free(struct scanner *sc, size_t nslots)
{
	for (size_t s = 0; sc->pfd != NULL && s < nslots; s++)
		if (sc->pfd[s].fd != -1)
			close(sc->pfd[s].fd);
	for (size_t list = 0; list < 2; list++) {
		for (size_t k = 0; k < sc->nspare[list]; k++)
			close(sc->spare[list][k]);
		free(sc->spare[list]);
	}
	free(sc->results);
	free(sc->done);
	free(sc->slots);
	free(sc->pfd);
	free(sc->free_slots);
}

int
scan_run(const struct scan_target *targets, size_t ntargets, const struct scan_ports *ports,
    const struct scan_options *opt, struct scan_stats *stats)
{
	struct scanner sc = { .opt = opt, .stats = stats, .targets = targets };
	size_t nslots = opt->parallel > 0 ? (size_t)opt->parallel : 1;
	int status = -1, err;

	memset(stats, 0, sizeof(*stats));
	for (size_t i = 0; i < ntargets; i++)
		if (targets[i].len > sizeof(targets[i].addr))
			return (errno = EINVAL), -1;
	sc.n = ports->count * ntargets;
	if (nslots > sc.n)
		nslots = sc.n ? sc.n : 1;
	if (scanner_alloc(&sc, nslots) == 0)
		status = scan_loop(&sc, ports, nslots);
	err = errno;
	scanner_free(&sc, nslots);
	errno = err;
	return status;
}

/* A large --parallel needs as many descriptors: raise the soft limit toward the hard one. */
int
scan_fit_parallel(int want)
{
	const rlim_t spare = 32; /* stdio, the resolver, the sanitizers */
	rlim_t need = (rlim_t)want + spare, cur;
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1 || rl.rlim_cur == RLIM_INFINITY ||
	    rl.rlim_cur >= need)
		return want;
	cur = rl.rlim_cur;
	rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= need ? need : rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
		rl.rlim_cur = cur;
	if (rl.rlim_cur >= need)
		return want;
	return rl.rlim_cur > 2 * spare ? (int)(rl.rlim_cur - spare) : 1;
}
