/*
 * hint_exhaust.c: a connect that found no free local port (EADDRNOTAVAIL): the port range, the
 * sockets to that destination by state (sock_diag), the first TIME_WAIT to free, tcp_tw_reuse.
 */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "hint.h"
#include "parse.h"
#include "report.h"
#include "sockdiag.h"

/* The sockets to one destination address and port. */
struct dest_use {
	size_t total;
	size_t states[SOCKDIAG_STATE_MAX];
	uint32_t first_free_ms; /* the TIME_WAIT that ends first; UINT32_MAX if none */
};

/* A sysctl of this network namespace as text, without its newline; -1 if unreadable. */
static int
read_sysctl(const char *path, char *buf, size_t size)
{
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

static int
same_remote(const struct sockdiag_socket *s, const struct sockaddr *dst)
{
	if (s->family != dst->sa_family || s->remote_port != addr_port(dst))
		return 0;
	if (dst->sa_family == AF_INET)
		return memcmp(s->remote, &((const struct sockaddr_in *)dst)->sin_addr, 4) == 0;
	return memcmp(s->remote, &((const struct sockaddr_in6 *)dst)->sin6_addr, 16) == 0;
}

/* Counts the TCP sockets to dst by state; -1 if the socket table could not be read. */
static int
count_destination(const struct sockaddr *dst, struct dest_use *u)
{
	struct sockdiag_filter f = { .protocol = IPPROTO_TCP,
		.family = dst->sa_family,
		.port = addr_port(dst) };
	struct sockdiag_table t = { 0 };
	int rc;

	memset(u, 0, sizeof(*u));
	u->first_free_ms = UINT32_MAX;
	if ((rc = sockdiag_list(&f, &t)) == 0) {
		for (size_t i = 0; i < t.n; i++) {
			const struct sockdiag_socket *s = &t.v[i];
			if (!same_remote(s, dst) || s->state >= SOCKDIAG_STATE_MAX)
				continue;
			u->total++;
			u->states[s->state]++;
			if (s->state == SOCKDIAG_TIME_WAIT && s->expires_ms < u->first_free_ms)
				u->first_free_ms = s->expires_ms;
		}
	}
	sockdiag_table_free(&t);
	return rc;
}

/* "40000 40009 (10 ports)" from net.ipv4.ip_local_port_range. */
static void
port_range_text(char *out, size_t size)
{
	long long lo, hi;
	const char *errstr;
	char buf[64], *sep;

	if (read_sysctl("/proc/sys/net/ipv4/ip_local_port_range", buf, sizeof(buf)) == -1) {
		strlcpy(out, "unreadable", size);
		return;
	}
	sep = buf + strcspn(buf, "\t ");
	*sep++ = '\0';
	sep += strspn(sep, "\t ");
	if (parse_number(buf, 0, 65535, &lo, &errstr) == -1 ||
	    parse_number(sep, 0, 65535, &hi, &errstr) == -1 || hi < lo)
		snprintf(out, size, "%.20s %.20s", buf, sep);
	else
		snprintf(out, size, "%lld %lld (%lld ports)", lo, hi, hi - lo + 1);
}

/* "0 (off)", "1 (on)", "2 (loopback only)" for net.ipv4.tcp_tw_reuse. */
static void
tw_reuse_text(char *out, size_t size)
{
	char buf[8];

	if (read_sysctl("/proc/sys/net/ipv4/tcp_tw_reuse", buf, sizeof(buf)) == -1)
		strlcpy(out, "unreadable", size);
	else
		snprintf(out, size, "%s (%s)", buf,
		    strcmp(buf, "0") == 0   ? "off"
		    : strcmp(buf, "1") == 0 ? "on"
		    : strcmp(buf, "2") == 0 ? "loopback only"
					    : "unknown");
}

int
hint_ports_exhausted(const struct sockaddr *dst)
{
	char a[ADDR_STRLEN], range[64], states[256], reuse[40], when[32];
	struct dest_use u;

	if ((dst->sa_family != AF_INET && dst->sa_family != AF_INET6) ||
	    count_destination(dst, &u) == -1 || u.total == 0)
		return 0;
	addr_format(dst, a, sizeof(a));
	port_range_text(range, sizeof(range));
	sockdiag_states_text(u.states, IPPROTO_TCP, states, sizeof(states));
	report_hint("no local port was free to connect to %s port %u: "
		    "net.ipv4.ip_local_port_range is %s, and %zu connection%s to it hold%s "
		    "ports (%s)",
	    a, addr_port(dst), range, u.total, u.total == 1 ? "" : "s", u.total == 1 ? "s" : "",
	    states);
	tw_reuse_text(reuse, sizeof(reuse));
	if (u.first_free_ms != UINT32_MAX) {
		duration_format((int64_t)u.first_free_ms * 1000, when, sizeof(when));
		report_hint("the first TIME_WAIT frees in %s; net.ipv4.tcp_tw_reuse is %s", when,
		    reuse);
	} else
		report_hint("net.ipv4.tcp_tw_reuse is %s", reuse);
	report_hint("ways out: wait; sysctl -w net.ipv4.tcp_tw_reuse=1 (new connections reuse "
		    "TIME_WAIT ports); more destination addresses or ports; --linger 0 on the "
		    "client, which then closes with a RST and leaves no TIME_WAIT");
	return 1;
}
