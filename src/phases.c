/* phases.c: the phases of an outgoing connection timed, and said at its end. */
#include "config.h"

#include <sys/socket.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "clock.h"
#include "cmd.h"
#include "json.h"
#include "phases.h"
#include "report.h"

int
phases_wanted(void)
{
	return (globals.verbose >= 1 && !globals.quiet) || globals.json;
}

static size_t
count(const struct addrinfo *res)
{
	size_t n = 0;

	for (; res != NULL; res = res->ai_next)
		n++;
	return n;
}

static int
same_address(const struct addrinfo *a, const struct addrinfo *b)
{
	return a->ai_addrlen == b->ai_addrlen && memcmp(a->ai_addr, b->ai_addr, a->ai_addrlen) == 0;
}

/*
 * An address listed twice goes (glibc's hosts file answers an IPv4 lookup
 * of a name on a ::1 line with 127.0.0.1 once more): each node is freed on
 * its own, as glibc allocates them (see join).
 */
static void
drop_repeats(struct addrinfo *res)
{
	struct addrinfo *keep = res, *next;

	while (keep != NULL && keep->ai_next != NULL) {
		int seen = 0;
		for (struct addrinfo *p = res; p != keep->ai_next && !seen; p = p->ai_next)
			seen = same_address(p, keep->ai_next);
		if (!seen) {
			keep = keep->ai_next;
			continue;
		}
		next = keep->ai_next;
		keep->ai_next = next->ai_next;
		next->ai_next = NULL;
		freeaddrinfo(next);
	}
}

/* The family of every address in the list, or AF_UNSPEC when they differ. */
static int
one_family(const struct addrinfo *res)
{
	for (const struct addrinfo *ai = res; ai != NULL; ai = ai->ai_next)
		if (ai->ai_family != res->ai_family)
			return AF_UNSPEC;
	return res->ai_family;
}

static int
lookup(struct phases *ph, int family, const char *host, const char *port, int socktype,
    struct addrinfo **res)
{
	struct phases_lookup *l = &ph->lookup[ph->nlookups++];
	int saved = globals.family;
	int64_t start = clock_now_usec();

	globals.family = family;
	l->eai = addr_resolve(host, port, socktype, 0, res);
	globals.family = saved;
	l->usec = clock_now_usec() - start;
	ph->resolve_usec += l->usec;
	l->family = family;
	if (l->eai == 0 && family != AF_UNSPEC)
		drop_repeats(*res);
	l->addresses = l->eai == 0 ? count(*res) : 0;
	if (l->eai == 0 && family == AF_UNSPEC)
		l->family = one_family(*res);
	if (l->eai != 0)
		*res = NULL;
	return l->eai;
}

/* RFC 6724 section 2.1, the default policy table's precedence of an address. */
static int
precedence(const struct sockaddr *sa)
{
	static const struct {
		uint8_t prefix[4];
		int bits, prec;
	} table[] = {
		{ { 0x20, 0x02 }, 16, 30 },
		{ { 0x20, 0x01, 0, 0 }, 32, 5 },
		{ { 0xfc }, 7, 3 },
		{ { 0xfe, 0xc0 }, 10, 1 },
		{ { 0x3f, 0xfe }, 16, 1 },
	};
	const uint8_t *a = ((const struct sockaddr_in6 *)sa)->sin6_addr.s6_addr;

	if (sa->sa_family != AF_INET6 || IN6_IS_ADDR_V4MAPPED(a))
		return 35;
	if (IN6_IS_ADDR_LOOPBACK(a))
		return 50;
	if (IN6_IS_ADDR_V4COMPAT(a))
		return 1;
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		int whole = table[i].bits / 8, rest = table[i].bits % 8;
		if (memcmp(a, table[i].prefix, (size_t)whole) == 0 &&
		    (rest == 0 || ((a[whole] ^ table[i].prefix[whole]) >> (8 - rest)) == 0))
			return table[i].prec;
	}
	return 40;
}

/* RFC 6724 rule 1: whether the kernel has a route and source for it (a UDP connect sends nothing).
 */
static int
usable(const struct addrinfo *ai)
{
	int fd, ok;

	if ((fd = socket(ai->ai_family, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		return 0;
	ok = connect(fd, ai->ai_addr, ai->ai_addrlen) == 0;
	close(fd);
	return ok;
}

/* Whether the IPv6 list goes before the IPv4 one, as getaddrinfo would sort them together. */
static int
ipv6_first(const struct addrinfo *v6, const struct addrinfo *v4)
{
	int u6 = usable(v6), u4 = usable(v4);

	if (u6 != u4)
		return u6;
	return precedence(v6->ai_addr) >= precedence(v4->ai_addr);
}

/*
 * Both lists in one. glibc allocates every addrinfo node on its own and
 * freeaddrinfo frees them one by one along ai_next, so a joined list is
 * released by one freeaddrinfo like any other.
 */
static struct addrinfo *
join(struct addrinfo *first, struct addrinfo *second)
{
	struct addrinfo *tail = first;

	while (tail->ai_next != NULL)
		tail = tail->ai_next;
	tail->ai_next = second;
	return first;
}

/* Whether a lookup's failure only says the name has no address of that family. */
static int
no_address(int eai)
{
	return eai == EAI_NONAME || eai == EAI_NODATA || eai == EAI_ADDRFAMILY;
}

/* Of two failures, the one that says more than "no such name" (a server down, a system error). */
static int
worse(int eai6, int eai4)
{
	if (no_address(eai4))
		return no_address(eai6) ? EAI_NONAME : eai6;
	return eai4;
}

int
phases_resolve(struct phases *ph, const char *host, const char *port, int socktype,
    struct addrinfo **res)
{
	struct addrinfo *v6, *v4;
	int eai6, eai4, err;

	memset(ph, 0, sizeof(*ph));
	ph->host = host;
	ph->connect_usec = -1;
	ph->start_usec = clock_now_usec();
	if (!phases_wanted() || globals.family != AF_UNSPEC || globals.numeric || host == NULL ||
	    addr_is_literal(host))
		return lookup(ph, globals.family, host, port, socktype, res);
	eai6 = lookup(ph, AF_INET6, host, port, socktype, &v6);
	err = errno;
	eai4 = lookup(ph, AF_INET, host, port, socktype, &v4);
	if (eai6 != 0 && eai4 != 0) {
		errno = eai4 == EAI_SYSTEM ? errno : err;
		return worse(eai6, eai4);
	}
	if (eai6 != 0 || eai4 != 0)
		*res = eai6 == 0 ? v6 : v4;
	else
		*res = ipv6_first(v6, v4) ? join(v6, v4) : join(v4, v6);
	return 0;
}

static const char *
family_text(int family)
{
	return family == AF_INET6 ? "IPv6" : family == AF_INET ? "IPv4" : "any";
}

static double
ms(int64_t usec)
{
	return (double)usec / 1000;
}

void
phases_say_resolved(const struct phases *ph)
{
	char line[256];
	size_t used = 0;

	if (globals.verbose < 1 || ph->host == NULL || addr_is_literal(ph->host))
		return;
	for (size_t i = 0; i < ph->nlookups && used < sizeof(line); i++) {
		const struct phases_lookup *l = &ph->lookup[i];
		char what[48];
		if (l->eai != 0 && !no_address(l->eai))
			snprintf(what, sizeof(what), "failed: %s", eai_name(l->eai));
		else
			snprintf(what, sizeof(what), "%zu address%s", l->addresses,
			    l->addresses == 1 ? "" : "es");
		snprintf(line + used, sizeof(line) - used, "%s%s %.3f ms (%s)", i > 0 ? ", " : "",
		    family_text(l->family), ms(l->usec), what);
		used += strlen(line + used);
	}
	report_verbose(1, "resolved %s in %.3f ms: %s", ph->host, ms(ph->resolve_usec), line);
}

void
phases_connected(struct phases *ph, const struct eyeballs_result *r)
{
	for (size_t i = 0; i < r->n && i < PHASES_MAX_ATTEMPTS; i++) {
		struct phases_attempt *a = &ph->attempts[ph->nattempts++];
		a->addr = r->attempts[i].addr;
		a->state = r->attempts[i].state;
		a->err = r->attempts[i].err;
		a->usec = r->attempts[i].ended_usec - r->attempts[i].started_usec;
	}
	if (r->n == 0 || r->winner < 0)
		return;
	ph->connected_at = r->attempts[r->winner].ended_usec;
	ph->connect_usec = ph->connected_at - r->attempts[0].started_usec;
}

/* First byte: from the connect to the first byte read (none: -1). */
static int64_t
first_byte(const struct phases *ph, const struct relay_stats *st)
{
	if (st == NULL || st->first_byte_usec == 0 || ph->connected_at == 0)
		return -1;
	return st->first_byte_usec - ph->connected_at;
}

static void
say_timing(const struct phases *ph, const struct relay_stats *st, int64_t now)
{
	char fb[48] = "no byte received";
	int64_t t = first_byte(ph, st);

	if (ph->connect_usec < 0) {
		report_verbose(1, "timing: resolve %.3f ms, no connection, total %.3f ms",
		    ms(ph->resolve_usec), ms(now - ph->start_usec));
		return;
	}
	if (t >= 0)
		snprintf(fb, sizeof(fb), "first byte %.3f ms", ms(t));
	report_verbose(1, "timing: resolve %.3f ms, connect %.3f ms, %s, total %.3f ms",
	    ms(ph->resolve_usec), ms(ph->connect_usec), fb, ms(now - ph->start_usec));
}

static const char *
closer_name(enum relay_closer c)
{
	return c == RELAY_CLOSER_LOCAL ? "local" : c == RELAY_CLOSER_PEER ? "peer" : "none";
}

static void
json_close(const char *who, const struct sockaddr *peer, const struct relay_stats *st)
{
	char addr[ADDR_STRLEN];
	struct json j;

	json_init(&j);
	json_object_begin(&j);
	json_string(&j, "type", "close");
	if (who != NULL)
		json_string(&j, "connection", who);
	/* A Unix socket's peer is named by the -v lines, not here. */
	if (peer != NULL && (peer->sa_family == AF_INET || peer->sa_family == AF_INET6)) {
		json_string(&j, "address", addr_format(peer, addr, sizeof(addr)));
		json_int(&j, "port", addr_port(peer));
	}
	json_int(&j, "bytes_sent", (long long)st->bytes_sent);
	json_int(&j, "bytes_received", (long long)st->bytes_received);
	json_int(&j, "bytes_written", (long long)st->bytes_written);
	json_double(&j, "seconds", (double)(st->ended_usec - st->started_usec) / 1e6, 6);
	json_string(&j, "first_close", closer_name(st->first_close));
	tcpinfo_json(&j, &st->tcp);
	json_object_end(&j);
	fflush(stderr);
	(void)json_write_fd(&j, STDERR_FILENO);
	json_free(&j);
}

static const char *
attempt_result(const struct phases_attempt *a)
{
	switch (a->state) {
	case EYEBALLS_CONNECTED: return "connected";
	case EYEBALLS_ABANDONED: return "abandoned";
	case EYEBALLS_FAILED: return errno_name(a->err);
	default: return "started";
	}
}

static void
json_attempts(struct json *j, const struct phases *ph)
{
	char addr[ADDR_STRLEN];

	json_array_begin(j, "attempts");
	for (size_t i = 0; i < ph->nattempts; i++) {
		const struct sockaddr *sa = (const struct sockaddr *)&ph->attempts[i].addr;
		json_object_begin(j);
		json_string(j, "address", addr_format(sa, addr, sizeof(addr)));
		json_int(j, "port", addr_port(sa));
		json_string(j, "result", attempt_result(&ph->attempts[i]));
		json_double(j, "ms", ms(ph->attempts[i].usec), 3);
		json_object_end(j);
	}
	json_array_end(j);
}

static void
json_timing(const struct phases *ph, const struct relay_stats *st, int64_t now)
{
	int64_t t = first_byte(ph, st);
	struct json j;

	json_init(&j);
	json_object_begin(&j);
	json_string(&j, "type", "timing");
	json_string(&j, "host", ph->host != NULL ? ph->host : "");
	json_array_begin(&j, "resolve");
	for (size_t i = 0; i < ph->nlookups; i++) {
		json_object_begin(&j);
		json_string(&j, "family", family_text(ph->lookup[i].family));
		json_double(&j, "ms", ms(ph->lookup[i].usec), 3);
		json_int(&j, "addresses", (long long)ph->lookup[i].addresses);
		if (ph->lookup[i].eai != 0 && !no_address(ph->lookup[i].eai))
			json_string(&j, "error", eai_name(ph->lookup[i].eai));
		json_object_end(&j);
	}
	json_array_end(&j);
	json_double(&j, "resolve_ms", ms(ph->resolve_usec), 3);
	json_attempts(&j, ph);
	if (ph->connect_usec >= 0)
		json_double(&j, "connect_ms", ms(ph->connect_usec), 3);
	else
		json_null(&j, "connect_ms");
	if (t >= 0)
		json_double(&j, "first_byte_ms", ms(t), 3);
	else
		json_null(&j, "first_byte_ms");
	json_double(&j, "total_ms", ms(now - ph->start_usec), 3);
	json_object_end(&j);
	fflush(stderr);
	(void)json_write_fd(&j, STDERR_FILENO);
	json_free(&j);
}

void
phases_report_close(const struct phases *ph, const char *who, const struct sockaddr *peer,
    const struct relay_stats *st)
{
	int64_t now = clock_now_usec();
	char info[256];

	tcpinfo_format(&st->tcp, info, sizeof(info));
	if (info[0] != '\0')
		report_verbose(1, "%s%stcp_info: %s", who ? who : "", who ? ": " : "", info);
	if (ph != NULL)
		say_timing(ph, st, now);
	if (!globals.json)
		return;
	for (size_t i = 0; ph != NULL && peer == NULL && i < ph->nattempts; i++)
		if (ph->attempts[i].state == EYEBALLS_CONNECTED)
			peer = (const struct sockaddr *)&ph->attempts[i].addr;
	json_close(who, peer, st);
	if (ph != NULL)
		json_timing(ph, st, now);
}

void
phases_report_failed(const struct phases *ph)
{
	int64_t now = clock_now_usec();

	say_timing(ph, NULL, now);
	if (globals.json)
		json_timing(ph, NULL, now);
}
