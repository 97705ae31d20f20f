/*
 * hint_port.c: what holds a port when a bind says EADDRINUSE (TIME_WAIT, a process, a
 * shared UDP port), found through the kernel's socket table (sockt-state(1)).
 */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <errno.h>
#include <sys/stat.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "hint.h"
#include "report.h"
#include "sockdiag.h"

/* What sockdiag says about one local port. */
struct port_use {
	size_t total;
	size_t states[SOCKDIAG_STATE_MAX];
	size_t waiting; /* TIME_WAIT, and FIN_WAIT_2 left to the kernel */
	uint32_t longest_wait_ms;
	size_t holders; /* sockets a process holds (not waiting ones) */
};

/* Sockets in TIME_WAIT, or orphaned in FIN_WAIT_2, belong to no process: only time frees them. */
static int
waiting(const struct sockdiag_socket *s)
{
	return s->state == SOCKDIAG_TIME_WAIT || (s->state == SOCKDIAG_FIN_WAIT2 && s->inode == 0);
}

static void
count_port(const struct sockdiag_table *t, uint16_t port, struct port_use *u)
{
	memset(u, 0, sizeof(*u));
	for (size_t i = 0; i < t->n; i++) {
		const struct sockdiag_socket *s = &t->v[i];
		if (s->local_port != port)
			continue;
		u->total++;
		if (s->state < SOCKDIAG_STATE_MAX)
			u->states[s->state]++;
		if (waiting(s)) {
			u->waiting++;
			if (s->expires_ms > u->longest_wait_ms)
				u->longest_wait_ms = s->expires_ms;
		} else
			u->holders++;
	}
}

/*
 * Whether SO_REUSEADDR would get past the sockets now on the port: the
 * kernel lets a SO_REUSEADDR socket share a port with TIME_WAIT ones only
 * if they had SO_REUSEADDR too, which nothing reports; a test bind (never
 * listening, closed at once) asks the kernel itself. 1 yes, 0 no, -1 unknown.
 */
static int
reuseaddr_would_work(uint16_t port, int socktype)
{
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6, .sin6_port = htons(port) };
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port) };
	struct sockaddr *sa = (struct sockaddr *)&sin6;
	socklen_t salen = sizeof(sin6);
	int fd, one = 1, zero = 0, rc;

	/* [::] with V6ONLY off meets every socket on the port, as listen's own does. */
	if ((fd = socket(AF_INET6, socktype | SOCK_CLOEXEC, 0)) != -1) {
		if (setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero)) == -1) {
			close(fd);
			return -1;
		}
	} else if ((fd = socket(AF_INET, socktype | SOCK_CLOEXEC, 0)) != -1) {
		sa = (struct sockaddr *)&sin;
		salen = sizeof(sin);
	} else
		return -1;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == -1) {
		close(fd);
		return -1;
	}
	rc = bind(fd, sa, salen) == 0 ? 1 : errno == EADDRINUSE ? 0 : -1;
	close(fd);
	return rc;
}

/* "python3 (pid 1234)" for the processes holding sockets on the port, at most three. */
static size_t
owners_text(const struct sockdiag_table *t, uint16_t port, char *buf, size_t len)
{
	int seen[3];
	size_t n = 0, used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < t->n && n < 3; i++) {
		const struct sockdiag_socket *s = &t->v[i];
		size_t k;
		if (s->local_port != port || s->pid == 0)
			continue;
		for (k = 0; k < n && seen[k] != s->pid; k++)
			;
		if (k < n)
			continue;
		seen[n++] = s->pid;
		used += (size_t)snprintf(buf + used, len - used, "%s%s (pid %d)", n > 1 ? ", " : "",
		    s->process, s->pid);
		if (used >= len)
			break;
	}
	return n;
}

static unsigned
seconds_up(uint32_t ms)
{
	return (unsigned)((ms + 999) / 1000);
}

/*
 * Only TIME_WAIT: how long, and whether SO_REUSEADDR (listen's default)
 * gets past it. reuse_off: the failed bind had --no-reuseaddr.
 */
static void
hint_only_waiting(const struct port_use *u, uint16_t port, int socktype, int reuse_off)
{
	int reuse = reuseaddr_would_work(port, socktype);
	const char *them = u->waiting == 1 ? "it" : "them";
	char when[128];

	if (u->waiting == 1)
		snprintf(when, sizeof(when),
		    "1 connection on port %u is in TIME_WAIT and leaves it in %u s", port,
		    seconds_up(u->longest_wait_ms));
	else
		snprintf(when, sizeof(when),
		    "%zu connections on port %u are in TIME_WAIT, the last "
		    "leaves it in %u s",
		    u->waiting, port, seconds_up(u->longest_wait_ms));
	if (reuse == 0 || (reuse == -1 && !reuse_off))
		report_hint("%s; the program that made %s did not set SO_REUSEADDR, so only "
			    "waiting helps",
		    when, them);
	else if (reuse_off)
		report_hint("%s; wait, or leave out --no-reuseaddr%s%s%s", when,
		    reuse == 1 ? " (SO_REUSEADDR binds over " : " if the program that made ", them,
		    reuse == 1 ? ")" : " set SO_REUSEADDR");
	else
		/* Our SO_REUSEADDR bind failed, the test bind a moment later did not. */
		report_hint("%s; SO_REUSEADDR binds over them now: try again", when);
}

/* Sockets a process holds: who, and what to do about it. */
static void
hint_held(const struct sockdiag_table *t, const struct port_use *u, uint16_t port, int socktype,
    int hidden, int reuse_off)
{
	int protocol = socktype == SOCK_DGRAM ? IPPROTO_UDP : IPPROTO_TCP;
	char states[256], owners[256], wait[64] = "";
	size_t n;
	const char *what = u->states[SOCKDIAG_LISTEN] != 0 ? "a listening socket"
			   : socktype == SOCK_DGRAM	   ? "a UDP socket"
							   : "open connections";

	sockdiag_states_text(u->states, protocol, states, sizeof(states));
	if (u->waiting != 0)
		snprintf(wait, sizeof(wait), "; the last TIME_WAIT ends in %u s",
		    seconds_up(u->longest_wait_ms));
	report_hint("port %u has %zu %s socket%s: %s%s", port, u->total,
	    socktype == SOCK_DGRAM ? "UDP" : "TCP", u->total == 1 ? "" : "s", states, wait);
	if ((n = owners_text(t, port, owners, sizeof(owners))) > 0)
		report_hint("%s on it belong%s to %s; stop %s, or choose another port", what,
		    what[0] == 'a' ? "s" : "", owners, n > 1 ? "those processes" : "that process");
	else if (hidden > 0)
		report_hint("%s on it belong%s to a process this user cannot look into ('sockt "
			    "state "
			    "-v %s%u' as root names it); stop it, or choose another port",
		    what, what[0] == 'a' ? "s" : "", socktype == SOCK_DGRAM ? "-u " : "", port);
	else
		report_hint("%s on it belong%s to a process outside this PID namespace; stop it, "
			    "or "
			    "choose another port",
		    what, what[0] == 'a' ? "s" : "");
	/* UDP sockets share a port when every one of them set SO_REUSEADDR. */
	if (socktype == SOCK_DGRAM && reuse_off && reuseaddr_would_work(port, socktype) == 1)
		report_hint("the sockets there set SO_REUSEADDR: without --no-reuseaddr this one "
			    "would share the port");
}

/* EADDRINUSE on port: what holds it; reuse_off says the failed bind had no SO_REUSEADDR. */
void
hint_port_taken(uint16_t port, int socktype, int reuse_off)
{
	struct sockdiag_filter f = { socktype == SOCK_DGRAM ? IPPROTO_UDP : IPPROTO_TCP, AF_UNSPEC,
		0, port };
	struct sockdiag_table t;
	struct port_use u;
	int hidden = 0;

	if (sockdiag_list(&f, &t) == -1) {
		report_hint("another %s socket holds port %u; 'sockt state %s%u' shows which and "
			    "for how long%s",
		    addr_proto_name(socktype), port, socktype == SOCK_DGRAM ? "-u " : "", port,
		    reuse_off ? "; leave out --no-reuseaddr if it is only in TIME_WAIT" : "");
		sockdiag_table_free(&t);
		return;
	}
	count_port(&t, port, &u);
	if (u.holders != 0 && (hidden = sockdiag_find_owners(&t)) == -1)
		hidden = 0;
	if (u.total == 0)
		report_hint("no socket is on port %u now: it may have just been freed (try again), "
			    "or "
			    "be bound without listening, which the kernel does not list",
		    port);
	else if (u.holders == 0)
		hint_only_waiting(&u, port, socktype, reuse_off);
	else
		hint_held(&t, &u, port, socktype, hidden, reuse_off);
	sockdiag_table_free(&t);
}

void
hint_port_in_use(uint16_t port, int socktype)
{
	/* The callers outside listen and udp-recv bind with SO_REUSEADDR (connect -p). */
	hint_port_taken(port, socktype, 0);
}

/* Whether a socket of the table and one of ours (a, family) can both get a datagram sent to a. */
static int
same_or_wildcard(const struct sockdiag_socket *s, const struct sockaddr *sa)
{
	static const uint8_t any[16];
	const uint8_t *mine;
	size_t len;

	if (sa->sa_family == AF_INET6) {
		mine = ((const struct sockaddr_in6 *)sa)->sin6_addr.s6_addr;
		len = 16;
	} else {
		mine = (const uint8_t *)&((const struct sockaddr_in *)sa)->sin_addr;
		len = 4;
	}
	if (memcmp(mine, any, len) == 0 || memcmp(s->local, any, 16) == 0)
		return 1;
	return s->family == sa->sa_family && memcmp(s->local, mine, len) == 0;
}

void
hint_port_shared(const struct bound *b)
{
	uint16_t port = addr_port((const struct sockaddr *)&b->addr[0]);
	struct sockdiag_filter f = { IPPROTO_UDP, AF_UNSPEC, 0, port };
	struct sockdiag_table t;
	char owners[256];
	size_t others = 0;
	struct stat st;

	if (sockdiag_list(&f, &t) == 0) {
		for (size_t i = 0; i < t.n; i++) {
			int ours = 0, shared = 0;
			if (t.v[i].local_port != port)
				continue;
			for (int k = 0; k < b->n; k++) {
				ours |= fstat(b->fd[k], &st) == 0 && st.st_ino == t.v[i].inode;
				shared |=
				    same_or_wildcard(&t.v[i], (const struct sockaddr *)&b->addr[k]);
			}
			if (ours || !shared)
				t.v[i].local_port = 0; /* not counted, nor named below */
			else
				others++;
		}
	}
	if (others > 0) {
		sockdiag_find_owners(&t);
		owners_text(&t, port, owners, sizeof(owners));
		report_notice("port %u is also bound by %zu other UDP socket%s%s%s%s, all with "
			      "SO_REUSEADDR: a unicast datagram reaches only one of them; "
			      "--no-reuseaddr refuses to share",
		    port, others, others == 1 ? "" : "s", owners[0] ? " (" : "", owners,
		    owners[0] ? ")" : "");
	}
	sockdiag_table_free(&t);
}
