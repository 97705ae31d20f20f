/*
 * trace.c: the probe schedule. Up to `parallel` probes are in flight at
 * once, lowest TTL first, so silent hops cost one wait, not one per probe;
 * hops are handed on in TTL order as soon as all their probes are done.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "addr.h"
#include "clock.h"
#include "parse.h"
#include "trace_answer.h"
#include "trace_probe.h"

/* The sizes every link carries: the IPv4 minimum reassembly size and IPv6's minimum MTU. */
#define SMALL_V4 576
#define SMALL_V6 1280
#define RAW_BUFFER 65536
/*
 * traceroute's -w MAX,HERE,NEAR: a probe waits at most HERE times the round
 * trip of an answer from its own hop, or NEAR times one from a later hop, so
 * that a silent router costs little once the hops past it have answered; but
 * never less than MIN_ADAPTIVE_WAIT, against a busy machine's scheduling.
 */
#define WAIT_HERE 3
#define WAIT_NEAR 10
#define MIN_ADAPTIVE_WAIT 20000

static uint32_t
small_size(const struct trace *t)
{
	return t->family == AF_INET6 ? SMALL_V6 : SMALL_V4;
}

static void
plan_probes(struct trace *t)
{
	for (size_t i = 0; i < t->nprobe; i++) {
		struct trace_probe *p = &t->probe[i];
		p->ttl = t->opt.first_ttl + (int)(i / (size_t)t->opt.probes);
		p->seq = (uint16_t)(i + 1);
		p->fd = -1;
		p->size = t->opt.mtu ? t->path_mtu : t->opt.size;
	}
}

int
trace_init(struct trace *t, const struct trace_options *o, const struct sockaddr *dest,
    socklen_t destlen, struct trace_failure *f)
{
	size_t hops = (size_t)(o->max_ttl - o->first_ttl + 1);

	memset(t, 0, sizeof(*t));
	memset(f, 0, sizeof(*f));
	t->opt = *o;
	t->raw_fd = -1;
	memcpy(&t->dest, dest, destlen);
	t->destlen = destlen;
	t->family = dest->sa_family;
	t->stop_ttl = INT_MAX;
	t->next_hop = o->first_ttl;
	t->echo_id = (uint16_t)(getpid() ^ (uint16_t)clock_now_usec());
	t->nprobe = hops * (size_t)o->probes;
	t->buflen = RAW_BUFFER;
	t->probe = calloc(t->nprobe, sizeof(*t->probe));
	t->buf = malloc(t->buflen);
	t->hop_rtt = calloc(hops, sizeof(*t->hop_rtt));
	t->beyond_rtt = calloc(hops, sizeof(*t->beyond_rtt));
	t->pfd = calloc((size_t)o->parallel + 1, sizeof(*t->pfd));
	t->polled = calloc((size_t)o->parallel + 1, sizeof(*t->polled));
	if (t->probe == NULL || t->buf == NULL || t->pfd == NULL || t->polled == NULL ||
	    t->hop_rtt == NULL || t->beyond_rtt == NULL) {
		f->call = "allocate probes";
		f->err = ENOMEM;
		return -1;
	}
	if (o->mtu && (t->path_mtu = trace_route_mtu(dest, destlen)) == 0)
		t->path_mtu = small_size(t);
	plan_probes(t);
	if (o->kind == TRACE_ICMP)
		return trace_raw_open(t, f);
	return 0;
}

void
trace_free(struct trace *t)
{
	for (size_t i = 0; t->probe != NULL && i < t->nprobe; i++)
		if (t->probe[i].fd != -1)
			close(t->probe[i].fd);
	if (t->raw_fd != -1)
		close(t->raw_fd);
	free(t->probe);
	free(t->buf);
	free(t->pfd);
	free(t->polled);
	free(t->hop_rtt);
	free(t->beyond_rtt);
	memset(t, 0, sizeof(*t));
	t->raw_fd = -1;
}

/* Puts p back in the queue to go out again at size bytes. */
static void
send_again(struct trace *t, struct trace_probe *p, size_t size)
{
	p->size = size;
	p->sent_at = 0;
	p->answer = TRACE_PENDING;
	memset(&p->from, 0, sizeof(p->from));
	t->resends++;
}

/* --mtu: a hop said the probe is too big; later probes go out at its size. */
static void
lower_mtu(struct trace *t, struct trace_probe *p)
{
	uint32_t mtu = p->mtu;

	if (mtu < small_size(t) / 2 || mtu >= p->size) {
		/* A size no link has, or no smaller: a hop that answers oddly, kept as it is. */
		p->answer = TRACE_UNREACHABLE;
		return;
	}
	if (mtu < t->path_mtu) {
		t->path_mtu = mtu;
		/* A refusal on this machine (its own link's MTU) names no hop. */
		if (p->from.ss_family != AF_UNSPEC) {
			memcpy(&t->mtu_from, &p->from, sizeof(t->mtu_from));
			t->mtu_from_ttl = p->ttl;
		}
	}
	send_again(t, p, t->path_mtu);
}

/* An address answered: its name can be looked up, and its round trip bounds the waits. */
static void
note_answer(struct trace *t, struct trace_probe *p)
{
	size_t hop = (size_t)(p->ttl - t->opt.first_ttl);

	if (t->on_address != NULL)
		t->on_address((struct sockaddr *)&p->from, t->arg);
	if (t->hop_rtt[hop] == 0 || p->rtt < t->hop_rtt[hop])
		t->hop_rtt[hop] = p->rtt > 0 ? p->rtt : 1;
	for (size_t i = 0; i < hop; i++)
		if (t->beyond_rtt[i] == 0 || t->hop_rtt[hop] < t->beyond_rtt[i])
			t->beyond_rtt[i] = t->hop_rtt[hop];
}

static void
probe_done(struct trace *t, struct trace_probe *p)
{
	int64_t now = clock_now_usec();

	p->rtt = now - p->sent_at;
	if (p->fd != -1) {
		close(p->fd);
		p->fd = -1;
	}
	t->inflight--;
	if (p->answer == TRACE_TOO_BIG && t->opt.mtu) {
		lower_mtu(t, p);
		return;
	}
	if (p->answer == TRACE_TOO_BIG)
		p->answer = TRACE_UNREACHABLE;
	if (p->from.ss_family != AF_UNSPEC)
		note_answer(t, p);
	if ((trace_answer_final(p->answer) || p->answer == TRACE_SEND_FAILED) &&
	    p->ttl < t->stop_ttl)
		t->stop_ttl = p->ttl;
}

/* No answer in time: "*", unless --mtu tries it once more at a size every link carries. */
static void
probe_expired(struct trace *t, struct trace_probe *p)
{
	if (p->fd != -1) {
		close(p->fd);
		p->fd = -1;
	}
	t->inflight--;
	if (t->opt.mtu && !p->small_retry && p->size > small_size(t)) {
		p->small_retry = 1;
		send_again(t, p, small_size(t));
		return;
	}
	p->answer = TRACE_SILENT;
}

static int
send_one(struct trace *t, struct trace_probe *p, struct trace_failure *f)
{
	p->sent_at = clock_now_usec();
	if (trace_probe_send(t, p, f) == -1)
		return -1;
	t->inflight++;
	if (p->answer != TRACE_PENDING)
		probe_done(t, p);
	return 0;
}

/* The next probe to send: one to send again first, then the next new one. */
static struct trace_probe *
next_probe(struct trace *t)
{
	if (t->resends > 0) {
		for (size_t i = 0; i < t->next_send; i++) {
			if (t->probe[i].sent_at == 0) {
				t->resends--;
				if (t->probe[i].ttl <= t->stop_ttl)
					return &t->probe[i];
			}
		}
		t->resends = 0;
	}
	if (t->next_send < t->nprobe && t->probe[t->next_send].ttl <= t->stop_ttl) {
		struct trace_probe *p = &t->probe[t->next_send++];
		/* What earlier probes learned of the path MTU, this one goes out with. */
		if (t->opt.mtu && p->size > t->path_mtu)
			p->size = t->path_mtu;
		return p;
	}
	return NULL;
}

static int
send_more(struct trace *t, struct trace_failure *f)
{
	struct trace_probe *p;

	while (t->inflight < (size_t)t->opt.parallel && (p = next_probe(t)) != NULL)
		if (send_one(t, p, f) == -1)
			return -1;
	return 0;
}

static int64_t
bounded(int64_t wait, int64_t rtt, int factor)
{
	int64_t w = rtt * factor;

	if (rtt == 0)
		return wait;
	if (w < MIN_ADAPTIVE_WAIT)
		w = MIN_ADAPTIVE_WAIT;
	return w < wait ? w : wait;
}

/* How long p may wait, given what its hop and the later ones have answered. */
static int64_t
probe_wait(const struct trace *t, const struct trace_probe *p)
{
	size_t hop = (size_t)(p->ttl - t->opt.first_ttl);
	int64_t w = bounded(t->opt.wait, t->hop_rtt[hop], WAIT_HERE);

	return bounded(w, t->beyond_rtt[hop], WAIT_NEAR);
}

/* Expires the probes whose wait is over; returns the poll timeout until the next one, in ms. */
static int
expire(struct trace *t)
{
	int64_t now = clock_now_usec(), next = -1, wait;

	for (size_t i = 0; i < t->next_send; i++) {
		struct trace_probe *p = &t->probe[i];
		if (p->answer != TRACE_PENDING || p->sent_at == 0)
			continue;
		wait = probe_wait(t, p);
		if (now - p->sent_at >= wait)
			probe_expired(t, p);
		else if (next == -1 || p->sent_at + wait - now < next)
			next = p->sent_at + wait - now;
	}
	/* Whole milliseconds, rounded up, so a wait never ends just short of its time. */
	return duration_to_poll_ms(next == -1 ? t->opt.wait : next);
}

static const struct trace_probe *
hop_probes(const struct trace *t, int ttl)
{
	return &t->probe[(size_t)(ttl - t->opt.first_ttl) * (size_t)t->opt.probes];
}

static void
describe_hop(const struct trace *t, int ttl, struct trace_hop *h)
{
	memset(h, 0, sizeof(*h));
	h->ttl = ttl;
	h->probe = hop_probes(t, ttl);
	h->nprobes = t->opt.probes;
	h->last = ttl >= t->stop_ttl || ttl == t->opt.max_ttl;
	if (!t->opt.mtu)
		return;
	/* The size that got through to this hop: the largest answered probe. */
	for (int i = 0; i < h->nprobes; i++) {
		const struct trace_probe *p = &h->probe[i];
		if (p->answer == TRACE_SILENT)
			continue;
		/* Answered small after a large probe vanished: a black hole before this hop. */
		if (p->small_retry)
			h->black_hole = 1;
		if (p->size > h->mtu)
			h->mtu = (uint32_t)p->size;
	}
	h->mtu_from_ttl = t->mtu_from_ttl <= ttl ? t->mtu_from_ttl : 0;
	memcpy(&h->mtu_from, &t->mtu_from, sizeof(h->mtu_from));
}

/*
 * Hands on every hop whose probes are all done, in order. Returns 1 when the
 * last hop has been handed on, 0 when more are to come, -1 if on_hop said stop.
 */
static int
emit_hops(struct trace *t)
{
	struct trace_hop h;

	while (t->next_hop <= t->opt.max_ttl && t->next_hop <= t->stop_ttl) {
		const struct trace_probe *p = hop_probes(t, t->next_hop);
		for (int i = 0; i < t->opt.probes; i++)
			if (p[i].answer == TRACE_PENDING)
				return 0;
		describe_hop(t, t->next_hop, &h);
		if (t->on_hop != NULL && t->on_hop(&h, t->arg) == -1)
			return -1;
		t->next_hop++;
		if (h.last)
			return 1;
	}
	return 1;
}

static nfds_t
poll_set(struct trace *t)
{
	nfds_t n = 0;

	if (t->raw_fd != -1) {
		t->pfd[n] = (struct pollfd){ t->raw_fd, POLLIN, 0 };
		t->polled[n++] = NULL;
	}
	for (size_t i = 0; i < t->next_send && n < (nfds_t)t->opt.parallel + 1; i++) {
		struct trace_probe *p = &t->probe[i];
		if (p->fd == -1 || p->answer != TRACE_PENDING || p->sent_at == 0)
			continue;
		/* A TCP probe connects (POLLOUT); UDP and ping sockets may get a reply (POLLIN). */
		t->pfd[n] =
		    (struct pollfd){ p->fd, t->opt.kind == TRACE_TCP ? POLLOUT : POLLIN, 0 };
		t->polled[n++] = p;
	}
	return n;
}

static int
wait_answers(struct trace *t, int timeout_ms, const sigset_t *waitmask, struct trace_failure *f)
{
	nfds_t n = poll_set(t);
	struct timespec ts = { timeout_ms / 1000, (long)(timeout_ms % 1000) * 1000000 };

	if (ppoll(t->pfd, n, &ts, waitmask) == -1) {
		if (errno == EINTR)
			return 0;
		f->call = "poll";
		f->err = errno;
		return -1;
	}
	for (nfds_t i = 0; i < n; i++) {
		if (t->pfd[i].revents == 0)
			continue;
		if (t->polled[i] == NULL)
			trace_raw_read(t, probe_done);
		else if (t->polled[i]->answer == TRACE_PENDING &&
			 trace_probe_read(t, t->polled[i], t->pfd[i].revents))
			probe_done(t, t->polled[i]);
	}
	return 0;
}

int
trace_run(struct trace *t, volatile sig_atomic_t *stop, const sigset_t *waitmask,
    struct trace_failure *f)
{
	int r, timeout;

	memset(f, 0, sizeof(*f));
	while (!*stop) {
		if (send_more(t, f) == -1)
			return -1;
		timeout = expire(t);
		if ((r = emit_hops(t)) != 0)
			return 0;
		/* Expiry may have queued probes to send again: send them before waiting. */
		if (t->resends > 0 && t->inflight < (size_t)t->opt.parallel)
			continue;
		if (wait_answers(t, timeout, waitmask, f) == -1)
			return -1;
	}
	return 0;
}

int
trace_hop_of(const struct trace *t, const struct sockaddr *sa)
{
	for (size_t i = 0; i < t->nprobe; i++)
		if (t->probe[i].answer == TRACE_HOP &&
		    addr_same_host((const struct sockaddr *)&t->probe[i].from, sa))
			return t->probe[i].ttl;
	return 0;
}
