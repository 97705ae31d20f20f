/* state_summary.c: state --summary: connections per remote address and port, by state. */
#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "json.h"
#include "state_summary.h"

/* The order that brings one destination's sockets together: family, address, port. */
static int
cmp_remote(const struct sockdiag_socket *a, const struct sockdiag_socket *b)
{
	int c;

	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	if ((c = memcmp(a->remote, b->remote, sizeof(a->remote))) != 0)
		return c;
	if (a->remote_port != b->remote_port)
		return a->remote_port < b->remote_port ? -1 : 1;
	return 0;
}

static int
cmp_socket(const void *x, const void *y)
{
	return cmp_remote(*(const struct sockdiag_socket *const *)x,
	    *(const struct sockdiag_socket *const *)y);
}

/* The busiest first; equal ones by address, so that the output is stable. */
static int
cmp_dest(const void *x, const void *y)
{
	const struct census_dest *a = x, *b = y;

	if (a->total != b->total)
		return a->total > b->total ? -1 : 1;
	return cmp_remote(a->first, b->first);
}

/* The sockets that have a destination (not listening, not unconnected UDP), grouped. */
static size_t
group(const struct sockdiag_socket **v, size_t nv, struct census_dest *d)
{
	size_t n = 0;

	qsort(v, nv, sizeof(*v), cmp_socket);
	for (size_t i = 0; i < nv; i++) {
		if (n == 0 || cmp_remote(d[n - 1].first, v[i]) != 0)
			d[n++] = (struct census_dest){ .first = v[i] };
		d[n - 1].total++;
		if (v[i]->state < SOCKDIAG_STATE_MAX)
			d[n - 1].states[v[i]->state]++;
	}
	return n;
}

struct census_dest *
state_census(const struct sockdiag_table *t, size_t *n)
{
	const struct sockdiag_socket **v;
	struct census_dest *d;
	size_t nv = 0;

	*n = 0;
	if (t->n == 0)
		return NULL;
	if ((v = calloc(t->n, sizeof(*v))) == NULL)
		return NULL;
	if ((d = calloc(t->n, sizeof(*d))) == NULL) {
		free(v);
		return NULL;
	}
	for (size_t i = 0; i < t->n; i++)
		if (t->v[i].remote_port != 0)
			v[nv++] = &t->v[i];
	*n = group(v, nv, d);
	qsort(d, *n, sizeof(*d), cmp_dest);
	free(v);
	return d;
}

static int
print_text(const struct census_dest *d, size_t n, int protocol, int no_header)
{
	char remote[ADDR_STRLEN + 16], states[512];
	size_t width = 6, total = 0;

	for (size_t i = 0; i < n; i++) {
		size_t len = sockdiag_endpoint_text(d[i].first, 1, remote, sizeof(remote));
		width = len > width ? len : width;
	}
	if (!no_header)
		printf("%-*s  %7s  %s\n", (int)width, "REMOTE", "SOCKETS", "STATES");
	for (size_t i = 0; i < n; i++) {
		sockdiag_endpoint_text(d[i].first, 1, remote, sizeof(remote));
		sockdiag_states_text(d[i].states, protocol, states, sizeof(states));
		printf("%-*s  %7zu  %s\n", (int)width, remote, d[i].total, states);
		total += d[i].total;
	}
	if (!no_header)
		printf("\n%zu %s connection%s to %zu destination%s\n", total,
		    protocol == IPPROTO_UDP ? "UDP" : "TCP", total == 1 ? "" : "s", n,
		    n == 1 ? "" : "s");
	return fflush(stdout) == EOF ? -1 : 0;
}

static int
json_dest(const struct census_dest *d, int protocol)
{
	struct sockaddr_storage ss;
	char addr[ADDR_STRLEN];
	struct json j;
	int rc;

	json_init(&j);
	json_object_begin(&j);
	json_string(&j, "type", "destination");
	json_string(&j, "protocol", protocol == IPPROTO_UDP ? "udp" : "tcp");
	json_string(&j, "family", addr_family_name(d->first->family));
	sockdiag_sockaddr(d->first, 1, &ss);
	json_string(&j, "remote", addr_format((struct sockaddr *)&ss, addr, sizeof(addr)));
	json_int(&j, "remote_port", d->first->remote_port);
	json_int(&j, "total", (long long)d->total);
	json_array_begin(&j, "states");
	for (int st = 1; st < SOCKDIAG_STATE_MAX; st++) {
		if (d->states[st] == 0)
			continue;
		json_object_begin(&j);
		json_string(&j, "state", sockdiag_state_name(protocol, st));
		json_int(&j, "count", (long long)d->states[st]);
		json_object_end(&j);
	}
	json_array_end(&j);
	json_object_end(&j);
	rc = json_write(&j);
	json_free(&j);
	return rc;
}

static int
json_total(size_t n, size_t total, int protocol)
{
	struct json j;
	int rc;

	json_init(&j);
	json_object_begin(&j);
	json_string(&j, "type", "census");
	json_string(&j, "protocol", protocol == IPPROTO_UDP ? "udp" : "tcp");
	json_int(&j, "destinations", (long long)n);
	json_int(&j, "total", (long long)total);
	json_object_end(&j);
	rc = json_write(&j);
	json_free(&j);
	return rc;
}

static int
print_json(const struct census_dest *d, size_t n, int protocol, int no_header)
{
	size_t total = 0;

	for (size_t i = 0; i < n; i++) {
		if (json_dest(&d[i], protocol) == -1)
			return -1;
		total += d[i].total;
	}
	return no_header ? 0 : json_total(n, total, protocol);
}

int
state_summary_print(const struct sockdiag_table *t, int protocol, int no_header, int json)
{
	struct census_dest *d;
	size_t n;
	int rc;

	if ((d = state_census(t, &n)) == NULL && t->n != 0)
		return -1;
	if (json)
		rc = print_json(d, n, protocol, no_header);
	else
		rc = print_text(d, n, protocol, no_header);
	free(d);
	return rc;
}
