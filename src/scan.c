/* scan.c: concurrent non-blocking connects for connect -z; a filtered batch costs one timeout. */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "addr.h"
#include "clock.h"
#include "parse.h"
#include "report.h"
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
	struct sockaddr_storage target;
	socklen_t targetlen;
	struct scan_result *results;
	unsigned char *done;
	size_t n, next, emitted;
	uint32_t next_port; /* the next port to look for in the set */
	struct slot *slots;
	struct pollfd *pfd;
	size_t *free_slots, nfree;
	size_t active;
	int *spare; /* sockets whose connect failed, ready to connect again */
	size_t nspare;
	int no_reuse; /* the system refused to connect such a socket again */
};

void
scan_ports_init(struct scan_ports *p)
{
	memset(p, 0, sizeof(*p));
}

int
scan_ports_has(const struct scan_ports *p, uint16_t port)
{
	return (p->bits[port / 8] >> (port % 8)) & 1;
}

void
scan_ports_add(struct scan_ports *p, uint16_t lo, uint16_t hi)
{
	for (uint32_t port = lo; port <= hi; port++) {
		if (scan_ports_has(p, (uint16_t)port))
			continue;
		p->bits[port / 8] |= (uint8_t)(1u << (port % 8));
		p->count++;
	}
}

int
scan_ports_parse(const char *word, struct scan_ports *p)
{
	uint16_t lo, hi;

	if (parse_port_range(word, "tcp", &lo, &hi) == -1)
		return -1;
	scan_ports_add(p, lo, hi);
	return 0;
}

enum scan_state
scan_classify(int err)
{
	switch (err) {
	case 0: return SCAN_OPEN;
	case ECONNREFUSED:
	case ECONNRESET: return SCAN_CLOSED;
	/* No answer, an ICMP error from the way, or a local firewall rule. */
	case ETIMEDOUT:
	case EHOSTUNREACH:
	case ENETUNREACH:
	case EHOSTDOWN:
	case ENETDOWN:
	case EACCES:
	case EPERM: return SCAN_FILTERED;
	default: return SCAN_ERROR;
	}
}

const char *
scan_state_name(enum scan_state s)
{
	switch (s) {
	case SCAN_OPEN: return "open";
	case SCAN_CLOSED: return "closed";
	case SCAN_FILTERED: return "filtered";
	default: return "error";
	}
}

void
scan_result_format(const struct scan_result *r, const char *address, int64_t timeout_usec,
    char *buf, size_t len)
{
	char d[32];
	int n =
	    snprintf(buf, len, "%s port %u (tcp) %s", address, r->port, scan_state_name(r->state));

	if (n < 0 || (size_t)n >= len)
		return;
	if (r->state == SCAN_OPEN)
		snprintf(buf + n, len - (size_t)n, " %.2f ms", (double)r->rtt_usec / 1000);
	else if (r->err == ETIMEDOUT && r->rtt_usec < 0) {
		duration_format(timeout_usec, d, sizeof(d));
		snprintf(buf + n, len - (size_t)n, " [timeout after %s]", d);
	} else
		snprintf(buf + n, len - (size_t)n, " [%s]", errno_name(r->err));
}

void
scan_result_json(struct json *j, const char *host, const char *address, const struct scan_result *r)
{
	json_object_begin(j);
	json_string(j, "host", host);
	json_string(j, "address", address);
	json_int(j, "port", r->port);
	json_string(j, "state", scan_state_name(r->state));
	if (r->rtt_usec >= 0)
		json_double(j, "rtt_ms", (double)r->rtt_usec / 1000, 3);
	else
		json_null(j, "rtt_ms");
	if (r->err != 0)
		json_string(j, "errno", errno_name(r->err));
	else
		json_null(j, "errno");
	json_object_end(j);
}

static void
emit_ready(struct scanner *sc)
{
	while (sc->emitted < sc->next && sc->done[sc->emitted]) {
		const struct scan_result *r = &sc->results[sc->emitted];

		sc->stats->count[r->state]++;
		if (r->state == SCAN_ERROR && sc->stats->first_error == 0) {
			sc->stats->first_error = r->err;
			sc->stats->first_error_port = r->port;
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

static void
release(struct scanner *sc, size_t s, int open, int reusable)
{
	if (reusable && !sc->no_reuse)
		sc->spare[sc->nspare++] = sc->pfd[s].fd;
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

static uint16_t
take_next_port(struct scanner *sc, const struct scan_ports *ports)
{
	while (!scan_ports_has(ports, (uint16_t)sc->next_port))
		sc->next_port++;
	return (uint16_t)sc->next_port++;
}

/*
 * A socket for the next connect: one whose last connect failed if there is
 * one (Linux lets it connect again, which saves a socket(2) and a close(2)
 * per closed port), else a new one.
 */
static int
take_socket(struct scanner *sc, int *in_bind)
{
	*in_bind = 0;
	if (sc->nspare > 0)
		return sc->spare[--sc->nspare];
	return source_socket(sc->target.ss_family, sc->opt->src, in_bind);
}

/* connect(2) on a slot's socket, and what came of it if it ended at once. */
static void
start_connect(struct scanner *sc, size_t s, int reused)
{
	struct sockaddr *sa = (struct sockaddr *)&sc->target;
	int fd = sc->pfd[s].fd, in_bind, err;

	for (;;) {
		if (connect(fd, sa, sc->targetlen) == 0) {
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
	int fd, in_bind, reused = sc->nspare > 0;
	size_t s, ordinal = sc->next;

	if ((fd = take_socket(sc, &in_bind)) == -1) {
		if ((errno == EMFILE || errno == ENFILE) && sc->active > 0)
			return -1;
		sc->results[ordinal].port = take_next_port(sc, ports);
		sc->next++;
		record(sc, ordinal, errno, -1);
		return 0;
	}
	sc->results[ordinal].port = take_next_port(sc, ports);
	sc->next++;
	addr_set_port((struct sockaddr *)&sc->target, sc->results[ordinal].port);
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
	socklen_t len = sizeof(err);

	*reusable = 0;
	if (revents & POLLERR) {
		/* The same address and port: should the connect start anew, it is still right. */
		addr_set_port((struct sockaddr *)&sc->target,
		    sc->results[sc->slots[s].ordinal].port);
		if (connect(fd, (struct sockaddr *)&sc->target, sc->targetlen) == 0 ||
		    errno == EISCONN)
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

int
scan_run(const struct sockaddr *sa, socklen_t salen, const struct scan_ports *ports,
    const struct scan_options *opt, struct scan_stats *stats)
{
	struct scanner sc = { .opt = opt, .stats = stats, .n = ports->count };
	size_t nslots = opt->parallel > 0 ? (size_t)opt->parallel : 1;
	int status = -1, err;

	memset(stats, 0, sizeof(*stats));
	if (nslots > sc.n)
		nslots = sc.n ? sc.n : 1;
	if (salen > sizeof(sc.target))
		return (errno = EINVAL), -1;
	memcpy(&sc.target, sa, salen);
	sc.targetlen = salen;
	sc.results = calloc(sc.n ? sc.n : 1, sizeof(*sc.results));
	sc.done = calloc(sc.n ? sc.n : 1, 1);
	sc.slots = calloc(nslots, sizeof(*sc.slots));
	sc.pfd = calloc(nslots, sizeof(*sc.pfd));
	sc.free_slots = calloc(nslots, sizeof(*sc.free_slots));
	sc.spare = calloc(nslots, sizeof(*sc.spare));
	if (sc.results != NULL && sc.done != NULL && sc.slots != NULL && sc.pfd != NULL &&
	    sc.free_slots != NULL && sc.spare != NULL) {
		for (size_t s = 0; s < nslots; s++) {
			sc.pfd[s].fd = -1;
			sc.free_slots[sc.nfree++] = nslots - 1 - s;
		}
		status = scan_loop(&sc, ports, nslots);
	}
	err = errno;
	for (size_t s = 0; sc.pfd != NULL && s < nslots; s++)
		if (sc.pfd[s].fd != -1)
			close(sc.pfd[s].fd);
	for (size_t k = 0; k < sc.nspare; k++)
		close(sc.spare[k]);
	free(sc.spare);
	free(sc.results);
	free(sc.done);
	free(sc.slots);
	free(sc.pfd);
	free(sc.free_slots);
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
