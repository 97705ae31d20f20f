/* trace_names.c: one thread per hop address, each a getnameinfo that must name the host. */
#include "config.h"

#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
/* The OpenBSD strvis, without libbsd's warning about NetBSD's strnvis. */
#define LIBBSD_OPENBSD_VIS 1
#include <vis.h>

#include "addr.h"
#include "trace_names.h"

/* A path has at most 255 hops of a few addresses each; beyond this, addresses stay bare. */
#define MAX_NAMES 1024

struct trace_name {
	struct sockaddr_storage addr;
	socklen_t addrlen;
	pthread_t thread;
	int joined; /* the thread is over and its result read */
	int found;
	char host[4 * NI_MAXHOST + 1]; /* escaped: a hosts file or a PTR record may hold anything */
};

static void *
lookup(void *arg)
{
	struct trace_name *e = arg;
	char raw[NI_MAXHOST];

	if (getnameinfo((struct sockaddr *)&e->addr, e->addrlen, raw, sizeof(raw), NULL, 0,
		NI_NAMEREQD) == 0) {
		strvis(e->host, raw, VIS_WHITE | VIS_OCTAL);
		e->found = 1;
	}
	return NULL;
}

void
trace_names_init(struct trace_names *names, int64_t patience)
{
	memset(names, 0, sizeof(*names));
	names->patience = patience;
}

static struct trace_name *
find(const struct trace_names *names, const struct sockaddr *sa)
{
	for (size_t i = 0; i < names->n; i++)
		if (addr_same_host((struct sockaddr *)&names->entry[i]->addr, sa))
			return names->entry[i];
	return NULL;
}

static int
make_room(struct trace_names *names)
{
	struct trace_name **grown;
	size_t cap = names->cap == 0 ? 16 : names->cap * 2;

	if (names->n < names->cap)
		return 0;
	if (names->n >= MAX_NAMES ||
	    (grown = reallocarray(names->entry, cap, sizeof(*grown))) == NULL)
		return -1;
	names->entry = grown;
	names->cap = cap;
	return 0;
}

void
trace_names_request(struct trace_names *names, const struct sockaddr *sa)
{
	struct trace_name *e;

	if (find(names, sa) != NULL || make_room(names) == -1 ||
	    (e = calloc(1, sizeof(*e))) == NULL)
		return;
	e->addrlen =
	    sa->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
	memcpy(&e->addr, sa, e->addrlen);
	if (pthread_create(&e->thread, NULL, lookup, e) != 0) {
		/* No thread: no name, as with -n. */
		free(e);
		return;
	}
	names->entry[names->n++] = e;
}

const char *
trace_names_get(struct trace_names *names, const struct sockaddr *sa)
{
	struct trace_name *e = find(names, sa);
	struct timespec until;

	if (e == NULL)
		return NULL;
	if (!e->joined) {
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += (time_t)(names->patience / 1000000);
		until.tv_nsec += (long)(names->patience % 1000000) * 1000;
		if (until.tv_nsec >= 1000000000) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000;
		}
		if (pthread_timedjoin_np(e->thread, NULL, &until) != 0)
			return NULL;
		e->joined = 1;
	}
	return e->found ? e->host : NULL;
}

void
trace_names_free(struct trace_names *names)
{
	for (size_t i = 0; i < names->n; i++) {
		if (!names->entry[i]->joined)
			pthread_join(names->entry[i]->thread, NULL);
		free(names->entry[i]);
	}
	free(names->entry);
	memset(names, 0, sizeof(*names));
}
