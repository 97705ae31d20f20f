/* sockdiag_text.c: the socket table as text and JSON: endpoints, timers, line order. Pure. */
#include "config.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "json.h"
#include "report.h"
#include "sockdiag.h"

/* Decimal digits of v at p; returns the end. */
static char *
put_decimal(char *p, unsigned long v)
{
	char digits[20];
	int n = 0;

	do {
		digits[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	while (n > 0)
		*p++ = digits[--n];
	return p;
}

/*
 * "127.0.0.1:4096", "[::1]:4096", "0.0.0.0:*". IPv4 is written here
 * rather than by inet_ntop, whose sprintf was half of the time of listing
 * 10,000 sockets; IPv6 (with its zone) goes through addr_format.
 */
size_t
sockdiag_endpoint_text(const struct sockdiag_socket *s, int remote, char *buf, size_t len)
{
	char tmp[ADDR_STRLEN + 16], *p = tmp;
	const uint8_t *a = remote ? s->remote : s->local;
	uint16_t port = remote ? s->remote_port : s->local_port;
	struct sockaddr_storage ss;
	size_t n;

	if (len == 0)
		return 0;
	if (s->family == AF_INET) {
		for (int i = 0; i < 4; i++) {
			p = put_decimal(p, a[i]);
			*p++ = i < 3 ? '.' : ':';
		}
	} else {
		sockdiag_sockaddr(s, remote, &ss);
		*p++ = '[';
		addr_format((struct sockaddr *)&ss, p, sizeof(tmp) - 9);
		p += strlen(p);
		*p++ = ']';
		*p++ = ':';
	}
	if (port != 0)
		p = put_decimal(p, port);
	else
		*p++ = '*';
	n = (size_t)(p - tmp);
	if (n >= len)
		n = len - 1;
	memcpy(buf, tmp, n);
	buf[n] = '\0';
	return n;
}

/* "41.2s" from 10 s up, "0.204s" below. */
static char *
put_seconds(char *p, uint32_t ms)
{
	if (ms >= 10000) {
		uint32_t tenths = (ms + 50) / 100;
		p = put_decimal(p, tenths / 10);
		*p++ = '.';
		*p++ = (char)('0' + tenths % 10);
	} else {
		p = put_decimal(p, ms / 1000);
		*p++ = '.';
		*p++ = (char)('0' + ms / 100 % 10);
		*p++ = (char)('0' + ms / 10 % 10);
		*p++ = (char)('0' + ms % 10);
	}
	*p++ = 's';
	return p;
}

size_t
sockdiag_timer_text(const struct sockdiag_socket *s, char *buf, size_t len)
{
	char tmp[64], *p = tmp;
	const char *kind;
	size_t n;

	if (len == 0)
		return 0;
	if (!sockdiag_timer_matters(s)) {
		*p++ = '-';
	} else {
		kind = sockdiag_timer_name(s->timer);
		n = strlen(kind);
		memcpy(p, kind, n);
		p += n;
		*p++ = ':';
		p = put_seconds(p, s->expires_ms);
		if (s->retransmits != 0 && s->timer != SOCKDIAG_TIMER_TIME_WAIT) {
			*p++ = '/';
			p = put_decimal(p, s->retransmits);
		}
	}
	n = (size_t)(p - tmp);
	if (n >= len)
		n = len - 1;
	memcpy(buf, tmp, n);
	buf[n] = '\0';
	return n;
}

/*
 * The order of the lines: local port, family, local address, remote
 * address, remote port, state. Two integer keys hold all of it for IPv4
 * (and the first 32 bits of each address for IPv6), so that sorting
 * 10,000 sockets rarely needs the full comparison.
 */
struct sort_entry {
	uint64_t k1, k2;
	const struct sockdiag_socket *s;
};

static uint32_t
first_word(const uint8_t *a)
{
	return (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 | (uint32_t)a[2] << 8 | a[3];
}

static int
compare_full(const struct sockdiag_socket *x, const struct sockdiag_socket *y)
{
	int c;

	if ((c = memcmp(x->local, y->local, sizeof(x->local))) != 0)
		return c;
	if ((c = memcmp(x->remote, y->remote, sizeof(x->remote))) != 0)
		return c;
	if (x->remote_port != y->remote_port)
		return x->remote_port < y->remote_port ? -1 : 1;
	return (int)x->state - (int)y->state;
}

static int
compare_entries(const void *a, const void *b)
{
	const struct sort_entry *x = a, *y = b;

	if (x->k1 != y->k1)
		return x->k1 < y->k1 ? -1 : 1;
	if (x->k2 != y->k2)
		return x->k2 < y->k2 ? -1 : 1;
	return compare_full(x->s, y->s);
}

const struct sockdiag_socket **
sockdiag_sorted(const struct sockdiag_table *t)
{
	const struct sockdiag_socket **order;
	struct sort_entry *e;

	if ((order = reallocarray(NULL, t->n ? t->n : 1, sizeof(*order))) == NULL)
		return NULL;
	if ((e = reallocarray(NULL, t->n ? t->n : 1, sizeof(*e))) == NULL) {
		free(order);
		return NULL;
	}
	for (size_t i = 0; i < t->n; i++) {
		const struct sockdiag_socket *s = &t->v[i];
		e[i].k1 = (uint64_t)s->local_port << 48 | (uint64_t)(s->family == AF_INET6) << 40 |
			  first_word(s->local);
		e[i].k2 = (uint64_t)first_word(s->remote) << 32 | (uint64_t)s->remote_port << 16 |
			  s->state;
		e[i].s = s;
	}
	qsort(e, t->n, sizeof(*e), compare_entries);
	for (size_t i = 0; i < t->n; i++)
		order[i] = e[i].s;
	free(e);
	return order;
}

void
sockdiag_json(struct json *j, const struct sockdiag_socket *s, int with_owner)
{
	struct sockaddr_storage ss;
	char addr[ADDR_STRLEN];
	const char *timer = sockdiag_timer_name(s->timer);

	json_object_begin(j);
	json_string(j, "type", "socket");
	json_string(j, "protocol", s->protocol == IPPROTO_UDP ? "udp" : "tcp");
	json_string(j, "family", addr_family_name(s->family));
	json_string(j, "state", sockdiag_state_name(s->protocol, s->state));
	sockdiag_sockaddr(s, 0, &ss);
	json_string(j, "local", addr_format((struct sockaddr *)&ss, addr, sizeof(addr)));
	json_int(j, "local_port", s->local_port);
	sockdiag_sockaddr(s, 1, &ss);
	json_string(j, "remote", addr_format((struct sockaddr *)&ss, addr, sizeof(addr)));
	json_int(j, "remote_port", s->remote_port);
	if (timer != NULL)
		json_string(j, "timer", timer);
	else
		json_null(j, "timer");
	json_int(j, "expires_ms", timer != NULL ? s->expires_ms : 0);
	json_int(j, "retransmits", s->retransmits);
	json_int(j, "recv_queue", s->recv_queue);
	json_int(j, "send_queue", s->send_queue);
	json_int(j, "uid", s->uid);
	json_int(j, "inode", (long long)s->inode);
	if (with_owner) {
		if (s->pid != 0) {
			json_int(j, "pid", s->pid);
			json_string(j, "process", s->process);
		} else {
			json_null(j, "pid");
			json_null(j, "process");
		}
	}
	json_object_end(j);
}

int
sockdiag_list_failed(int bad_mode, int netlink_err, int forced, int err, const char *what,
    const char *proc_path)
{
	if (bad_mode) {
		report_error("SOCKT_SOCKDIAG='%s': must be auto, netlink or proc",
		    getenv("SOCKT_SOCKDIAG"));
		return EXIT_USAGE;
	}
	if (netlink_err != 0)
		report_errno(netlink_err, "read the %s from netlink (NETLINK_SOCK_DIAG)", what);
	if (!forced || netlink_err == 0)
		report_errno(err, "read the %s from %s", what, proc_path);
	return EXIT_LOCAL;
}
