/* pinger.c: the loop that pings several hosts at once: sending on time, expiring, ending. */
#include "config.h"

#include <sys/socket.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "pinger_private.h"

int
pinger_family_index(int family)
{
	return family == AF_INET6;
}

static size_t
ring_size(const struct pinger_options *o)
{
	/* Past the timeout, a reply is still taken (as late) for a while. */
	int64_t need = (o->timeout + PINGER_LATE_WINDOW) / (o->interval > 0 ? o->interval : 1) + 2;
	size_t size = 16;

	/* Sequence numbers have 16 bits: more in flight cannot be told apart anyway. */
	while (size < 65536 && (int64_t)size < need)
		size <<= 1;
	return size;
}

int
pinger_init(struct pinger *p, const struct pinger_options *o, size_t nhosts)
{
	size_t ring = ring_size(o);

	memset(p, 0, sizeof(*p));
	p->opt = *o;
	p->raw_fd[0] = p->raw_fd[1] = -1;
	p->nhosts = p->hostcap = nhosts;
	p->idbase = (uint16_t)arc4random_uniform(65536);
	p->packetlen = ICMP_HEADER_LEN + o->datalen;
	p->rbuflen = PINGER_RECV_MAX;
	if ((p->hosts = calloc(nhosts, sizeof(*p->hosts))) == NULL ||
	    (p->packet = malloc(p->packetlen)) == NULL || (p->rbuf = malloc(p->rbuflen)) == NULL) {
		pinger_free(p);
		return -1;
	}
	for (size_t i = 0; i < nhosts; i++) {
		p->hosts[i].fd = -1;
		p->hosts[i].ringmask = ring - 1;
		p->hosts[i].oldest = 1;
		if ((p->hosts[i].ring = calloc(ring, sizeof(struct ping_sent))) == NULL) {
			pinger_free(p);
			return -1;
		}
	}
	return 0;
}

void
pinger_free(struct pinger *p)
{
	for (size_t i = 0; p->hosts != NULL && i < p->hostcap; i++) {
		if (p->hosts[i].dgram && p->hosts[i].fd != -1)
			close(p->hosts[i].fd);
		free(p->hosts[i].ring);
	}
	for (int i = 0; i < 2; i++)
		if (p->raw_fd[i] != -1)
			close(p->raw_fd[i]);
	free(p->hosts);
	free(p->packet);
	free(p->rbuf);
	memset(p, 0, sizeof(*p));
	p->raw_fd[0] = p->raw_fd[1] = -1;
}

/* A handler returning -1 ends the run (its output is gone): that is no failure of the loop. */
int
pinger_emit(struct pinger *p, struct ping_event *ev)
{
	if (p->stopped || p->on_event(ev, p->arg) == -1) {
		p->stopped = 1;
		return -1;
	}
	return 0;
}

struct ping_sent *
pinger_sent_record(struct ping_host *h, uint16_t seq)
{
	struct ping_sent *e = &h->ring[seq & h->ringmask];

	if (e->state == SENT_FREE || (uint16_t)e->index != seq)
		return NULL;
	return e;
}

int
pinger_lose(struct pinger *p, struct ping_host *h, struct ping_sent *e)
{
	struct ping_event ev = { .type = PING_EVENT_LOSS, .host = h, .seq = (uint16_t)e->index };

	e->state = SENT_LOST;
	h->stats.lost++;
	return pinger_emit(p, &ev);
}

static int
send_one(struct pinger *p, struct ping_host *h, int64_t now)
{
	long long index = h->stats.transmitted + 1;
	struct ping_sent *e = &h->ring[index & (long long)h->ringmask];
	uint16_t seq = (uint16_t)index;
	struct ping_event ev = { .type = PING_EVENT_SEND_ERROR, .host = h, .seq = seq };
	size_t len;

	/* Only when the loop fell far behind: the oldest record must make room. */
	if (e->state == SENT_PENDING && pinger_lose(p, h, e) == -1)
		return -1;
	clock_gettime(CLOCK_REALTIME, &e->real);
	e->mono = now;
	e->index = index;
	e->state = SENT_PENDING;
	icmp_seen_clear(&h->seen, seq);
	len = icmp_build_echo(p->packet, p->packetlen, h->family, h->id, seq, &e->real,
	    p->opt.datalen);
	h->stats.transmitted = index;
	if (index == 1)
		h->stats.first_send = now;
	h->stats.last_send = now;
	if (sendto(h->fd, p->packet, len, 0, (struct sockaddr *)&h->addr, h->addrlen) == -1) {
		ev.err = errno;
		e->state = SENT_FAILED;
		h->stats.errors++;
		return pinger_emit(p, &ev);
	}
	return 0;
}

static int
sending_done(const struct pinger *p, const struct ping_host *h)
{
	return p->opt.count > 0 && h->stats.transmitted >= p->opt.count;
}

static int
host_done(const struct pinger *p, const struct ping_host *h)
{
	return sending_done(p, h) && h->oldest > h->stats.transmitted;
}

/* Requests unanswered for the timeout are lost, in the order they were sent. */
static int
expire(struct pinger *p, struct ping_host *h, int64_t now, int64_t *wake)
{
	while (h->oldest <= h->stats.transmitted) {
		struct ping_sent *e = &h->ring[h->oldest & (long long)h->ringmask];
		if (e->index == h->oldest && e->state == SENT_PENDING) {
			if (e->mono + p->opt.timeout > now) {
				if (e->mono + p->opt.timeout < *wake)
					*wake = e->mono + p->opt.timeout;
				return 0;
			}
			if (pinger_lose(p, h, e) == -1)
				return -1;
		}
		h->oldest++;
	}
	return 0;
}

/* Sends what is due, expires what is late; *wake becomes the next time anything is due. */
static int
tick(struct pinger *p, int64_t now, int64_t *wake, int *all_done)
{
	*all_done = 1;
	for (size_t i = 0; i < p->nhosts; i++) {
		struct ping_host *h = &p->hosts[i];
		if (!sending_done(p, h) && h->next_send <= now) {
			if (send_one(p, h, now) == -1)
				return -1;
			/* Keep the cadence; after a stall, start again from now rather than burst.
			 */
			h->next_send += p->opt.interval;
			if (h->next_send <= now)
				h->next_send = now + p->opt.interval;
		}
		if (!sending_done(p, h) && h->next_send < *wake)
			*wake = h->next_send;
		if (expire(p, h, now, wake) == -1)
			return -1;
		if (!host_done(p, h))
			*all_done = 0;
	}
	return 0;
}

static struct pollfd *
poll_set(struct pinger *p, size_t *n)
{
	struct pollfd *pfd = calloc(p->nhosts + 2, sizeof(*pfd));

	*n = 0;
	if (pfd == NULL)
		return NULL;
	for (int i = 0; i < 2; i++)
		if (p->raw_fd[i] != -1)
			pfd[(*n)++] = (struct pollfd){ .fd = p->raw_fd[i], .events = POLLIN };
	for (size_t i = 0; i < p->nhosts; i++)
		if (p->hosts[i].dgram)
			pfd[(*n)++] = (struct pollfd){ .fd = p->hosts[i].fd, .events = POLLIN };
	return pfd;
}

static int
wait_for(struct pollfd *pfd, size_t n, int64_t usec, const sigset_t *waitmask)
{
	struct timespec ts = { (time_t)(usec / 1000000), (long)(usec % 1000000) * 1000 };

	/* A signal leaves revents as they were: nothing must look ready then. */
	for (size_t i = 0; i < n; i++)
		pfd[i].revents = 0;
	if (ppoll(pfd, n, &ts, waitmask) == -1 && errno != EINTR)
		return -1;
	return 0;
}

static int
finish(struct pinger *p)
{
	for (size_t i = 0; i < p->nhosts; i++) {
		struct ping_host *h = &p->hosts[i];
		for (; h->oldest <= h->stats.transmitted; h->oldest++) {
			struct ping_sent *e = &h->ring[h->oldest & (long long)h->ringmask];
			if (e->index == h->oldest && e->state == SENT_PENDING &&
			    pinger_lose(p, h, e) == -1)
				return -1;
		}
	}
	return 0;
}

int
pinger_run(struct pinger *p, volatile sig_atomic_t *stop, const sigset_t *waitmask)
{
	int64_t now = clock_now_usec(),
		end = p->opt.deadline > 0 ? now + p->opt.deadline : INT64_MAX;
	struct pollfd *pfd;
	size_t npfd;
	int all_done, status = 0, err;

	if ((pfd = poll_set(p, &npfd)) == NULL)
		return -1;
	p->start = now;
	for (size_t i = 0; i < p->nhosts; i++)
		p->hosts[i].next_send = now;
	while (!*stop) {
		int64_t wake = end;
		now = clock_now_usec();
		if (now >= end)
			break;
		if (tick(p, now, &wake, &all_done) == -1 || all_done)
			break;
		if (wait_for(pfd, npfd, wake > now ? wake - now : 0, waitmask) == -1 ||
		    pinger_receive(p, pfd, npfd) == -1) {
			status = -1;
			break;
		}
	}
	err = errno;
	free(pfd);
	if (p->stopped)
		return 0;
	finish(p);
	errno = err;
	return status;
}
