/* scan_format.c: the pure half of connect -z: port sets, the order of addresses, what a result
 * means and how it is written. */
#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "report.h"
#include "scan.h"

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
	scan_result_json_fields(j, host, address, r);
	json_object_end(j);
}

void
scan_result_json_fields(struct json *j, const char *host, const char *address,
    const struct scan_result *r)
{
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
}

/* IPv6 first: the order of RFC 6724's default policy, which connect follows too. */
static int
family_rank(int family)
{
	return family == AF_INET6 ? 0 : family == AF_INET ? 1 : 2;
}

int
scan_target_compare(const struct scan_target *a, const struct scan_target *b)
{
	const struct sockaddr_in6 *a6 = (const void *)&a->addr, *b6 = (const void *)&b->addr;
	const struct sockaddr_in *a4 = (const void *)&a->addr, *b4 = (const void *)&b->addr;
	int fa = family_rank(a->addr.ss_family), fb = family_rank(b->addr.ss_family), c;

	if (fa != fb)
		return fa < fb ? -1 : 1;
	if (a->addr.ss_family == AF_INET)
		return memcmp(&a4->sin_addr, &b4->sin_addr, sizeof(a4->sin_addr));
	if (a->addr.ss_family != AF_INET6)
		return 0;
	if ((c = memcmp(&a6->sin6_addr, &b6->sin6_addr, sizeof(a6->sin6_addr))) != 0)
		return c;
	return a6->sin6_scope_id < b6->sin6_scope_id ? -1 : a6->sin6_scope_id > b6->sin6_scope_id;
}

static int
compare_for_qsort(const void *a, const void *b)
{
	return scan_target_compare(a, b);
}

size_t
scan_targets_sort(struct scan_target *t, size_t n)
{
	size_t kept = 0;

	if (n == 0)
		return 0;
	qsort(t, n, sizeof(*t), compare_for_qsort);
	for (size_t i = 1; i < n; i++)
		if (scan_target_compare(&t[kept], &t[i]) != 0)
			t[++kept] = t[i];
	return kept + 1;
}
