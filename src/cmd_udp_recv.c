/* cmd_udp_recv.c: receive UDP datagrams and write each one whole (raw, hex or JSON). */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "access.h"
#include "addr.h"
#include "cmd.h"
#include "dgram.h"
#include "hint.h"
#include "opts.h"
#include "parse.h"
#include "payload.h"
#include "report.h"
#include "sock.h"
#include "udp_session.h"
#include "unixsock_dgram.h"

enum {
	OPT_ECHO = OPT_LONG,
	OPT_HEX,
	OPT_BUFFER,
	OPT_REUSEADDR,
	OPT_NO_REUSEADDR,
	OPT_MULTICAST,
	OPT_ALLOW,
	OPT_DENY,
	OPT_ALLOW_FILE,
};
/* Apart from the list above, which grows at its end. */
enum { OPT_SESSION = OPT_LONG + 64, OPT_PEER };

static const struct opt options[] = {
	{ "count", 'c', required_argument, "N", "exit 0 after N datagrams (default: no limit)" },
	{ "timeout", 'w', required_argument, "D",
	    "exit 1 if no datagram arrives for D (default: wait forever)" },
	{ "session", OPT_SESSION, no_argument, NULL,
	    "two-way: lock onto the first sender, send it stdin lines" },
	{ "peer", OPT_PEER, required_argument, "HOST:PORT",
	    "--session with this peer from the start (also 'HOST PORT')" },
	{ "echo", OPT_ECHO, no_argument, NULL, "send each datagram back to its sender" },
	{ "hex", OPT_HEX, no_argument, NULL,
	    "write a hex dump (offset, hex bytes, printable column)" },
	{ "buffer", OPT_BUFFER, required_argument, "SIZE",
	    "receive buffer per datagram, 1-64k (default 64k, holds any)" },
	{ "no-reuseaddr", OPT_NO_REUSEADDR, no_argument, NULL,
	    "leave SO_REUSEADDR off: never share the port" },
	{ "reuseaddr", OPT_REUSEADDR, no_argument, NULL, "set SO_REUSEADDR (the default)" },
	{ "multicast", OPT_MULTICAST, required_argument, "GROUP[%IF]",
	    "join the IPv4 or IPv6 multicast GROUP (on interface IF)" },
	{ "allow", OPT_ALLOW, required_argument, "ADDR",
	    "take only datagrams an --allow matches (address, ADDR/BITS, name)" },
	{ "deny", OPT_DENY, required_argument, "ADDR",
	    "drop datagrams it matches (before --allow)" },
	{ "allow-file", OPT_ALLOW_FILE, required_argument, "FILE", "--allow each rule of FILE" },
	{ "interface", OPT_TUNABLE_INTERFACE, required_argument, "IFACE", TUNABLES_HELP_INTERFACE },
	{ "dgram", 'U', no_argument, NULL,
	    "receive on the Unix datagram socket PATH (or @NAME, abstract)" },
	{ NULL, 0, 0, NULL, NULL },
};

struct recv_options {
	long long count; /* 0: no limit */
	int64_t timeout; /* -1: none */
	int echo, no_reuseaddr;
	enum payload_format format;
	size_t buffer;
	const char *multicast;
	struct tunables tun;
	int session;
	const char *peer;
	struct access_list access; /* --allow, --deny, --allow-file */
	int unix_dgram; /* -U, --dgram: the operand is a Unix socket PATH */
};

struct receiver {
	const struct recv_options *o;
	struct bound b;
	struct dgram_batch batch;
	struct access_list *access; /* refused datagrams are dropped here, and counted */
	uint64_t got;
	int truncated; /* a datagram was larger than the buffer */
	int done; /* the count was reached or stdout went away */
	int status;
};

/* "239.1.2.3", "ff02::1%eth0", "239.1.2.3%eth0": the group and the interface to join it on. */
static int
parse_group(const char *arg, struct sockaddr_storage *group, socklen_t *len, unsigned *ifindex,
    const char **why)
{
	struct addrinfo hints = { .ai_flags = AI_NUMERICHOST, .ai_socktype = SOCK_DGRAM }, *res;
	char host[ADDR_STRLEN], *pct;

	if (strlcpy(host, arg, sizeof(host)) >= sizeof(host)) {
		*why = "too long";
		return -1;
	}
	*ifindex = 0;
	if ((pct = strchr(host, '%')) != NULL) {
		*pct++ = '\0';
		if ((*ifindex = if_nametoindex(pct)) == 0) {
			*why = "no such interface";
			return -1;
		}
	}
	if (getaddrinfo(host, NULL, &hints, &res) != 0) {
		*why = "must be an IPv4 or IPv6 address literal";
		return -1;
	}
	memcpy(group, res->ai_addr, res->ai_addrlen);
	*len = res->ai_addrlen;
	freeaddrinfo(res);
	if (!dgram_is_multicast((struct sockaddr *)group)) {
		*why = "not a multicast address (224.0.0.0/4 or ff00::/8)";
		return -1;
	}
	if (globals.family != AF_UNSPEC && globals.family != group->ss_family) {
		*why =
		    globals.family == AF_INET ? "an IPv6 group with -4" : "an IPv4 group with -6";
		return -1;
	}
	return 0;
}

/* An IPv4 group goes on the IPv4 socket, or else on the dual-stack IPv6 one. */
static int
join_group(struct receiver *r, const struct sockaddr *group, socklen_t len, unsigned ifindex)
{
	char text[ADDR_STRLEN], ifname[IF_NAMESIZE];
	int fd = -1;

	for (int i = 0; i < r->b.n && fd == -1; i++)
		if (r->b.addr[i].ss_family == group->sa_family)
			fd = r->b.fd[i];
	for (int i = 0; i < r->b.n && fd == -1; i++)
		if (r->b.addr[i].ss_family == AF_INET6)
			fd = r->b.fd[i];
	addr_format(group, text, sizeof(text));
	if (fd == -1 || dgram_join(fd, group, len, ifindex) == -1) {
		int err = fd == -1 ? EAFNOSUPPORT : errno;
		report_errno(err, "join multicast group %s", text);
		if (err == ENODEV)
			report_hint("no route for the group picks an interface: name one "
				    "(%s%%eth0) "
				    "or add a route ('%s dev eth0')",
			    text,
			    group->sa_family == AF_INET6 ? "ip -6 route add ff00::/8"
							 : "ip route add 224.0.0.0/4");
		return EXIT_LOCAL;
	}
	report_verbose(1, "joined multicast group %s on %s", text,
	    ifindex == 0 ? "the interface its route picks" : if_indextoname(ifindex, ifname));
	return EXIT_OK;
}

/* sendto back to the sender; a full send buffer is waited out briefly, then the echo is dropped. */
static void
echo_back(int fd, const struct sockaddr *to, socklen_t tolen, const void *data, size_t len)
{
	struct pollfd pfd = { .fd = fd, .events = POLLOUT };
	char text[ADDR_STRLEN];
	uint16_t port;
	int err;

	for (int tries = 0; tries < 2; tries++) {
		if (sendto(fd, data, len, MSG_DONTWAIT | MSG_NOSIGNAL, to, tolen) != -1)
			return;
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			break;
		(void)poll(&pfd, 1, 1000);
	}
	err = errno;
	port = dgram_address(to, text, sizeof(text));
	report_errno(err, "echo to %s port %u (udp)", text, port);
}

/* The datagram is written as far as it was kept, and a cut one is said so: never silently. */
static void
report_truncated(const struct receiver *r, const struct sockaddr *from, size_t size)
{
	dgram_report_truncated(from, size, r->o->buffer);
}

/* Writes the batch out; 0, or -1 with errno from stdout. */
static int
write_batch(struct receiver *r, int fd, unsigned n)
{
	char text[ADDR_STRLEN];

	/* Raw and quiet: one writev for the whole batch. */
	if (r->o->format == PAYLOAD_RAW && globals.verbose == 0 && !r->o->echo) {
		for (unsigned i = 0; i < n; i++)
			if (dgram_kept(&r->batch, i) < dgram_size(&r->batch, i)) {
				report_truncated(r, dgram_from(&r->batch, i),
				    dgram_size(&r->batch, i));
				r->truncated = 1;
			}
		return dgram_write_payloads(1, &r->batch, 0, n);
	}
	for (unsigned i = 0; i < n; i++) {
		const struct sockaddr *from = dgram_from(&r->batch, i);
		size_t kept = dgram_kept(&r->batch, i), size = dgram_size(&r->batch, i);
		uint16_t port = dgram_address(from, text, sizeof(text));
		report_verbose(1, "%zu byte%s from %s port %u", size, size == 1 ? "" : "s", text,
		    port);
		if (kept < size) {
			report_truncated(r, from, size);
			r->truncated = 1;
		}
		if (payload_write(r->o->format, from, dgram_data(&r->batch, i), kept, size) == -1)
			return -1;
		if (r->o->echo)
			echo_back(fd, from, dgram_fromlen(&r->batch, i), dgram_data(&r->batch, i),
			    kept);
	}
	return 0;
}

static void
receive_from(struct receiver *r, int fd)
{
	unsigned max = DGRAM_BATCH;
	int n;

	while (!r->done) {
		if (r->o->count > 0 && (uint64_t)r->o->count - r->got < max)
			max = (unsigned)((uint64_t)r->o->count - r->got);
		if ((n = dgram_recv(fd, &r->batch, max)) == 0)
			return;
		if (n == -1) {
			report_errno(errno, "receive on port %u (udp)",
			    addr_port((struct sockaddr *)&r->b.addr[0]));
			r->status = exit_status_for_errno(errno);
			r->done = 1;
			return;
		}
		if ((n = (int)access_filter(r->access, &r->batch, (unsigned)n)) == 0)
			continue;
		r->got += (uint64_t)n;
		if (write_batch(r, fd, (unsigned)n) == -1) {
			/* sockt(1), EXIT STATUS: a reader gone (| head) ends sockt quietly. */
			if (errno != EPIPE) {
				report_errno(errno, "write to stdout");
				r->status = EXIT_LOCAL;
			}
			r->done = 1;
			return;
		}
		if (r->o->count > 0 && r->got >= (uint64_t)r->o->count)
			r->done = 1;
	}
}

static int
receive(struct receiver *r)
{
	struct pollfd pfd[2];
	int n, status = EXIT_OK;

	for (int i = 0; i < r->b.n; i++)
		pfd[i] = (struct pollfd){ .fd = r->b.fd[i], .events = POLLIN };
	while (!r->done) {
		n = poll(pfd, (nfds_t)r->b.n, duration_to_poll_ms(r->o->timeout));
		if (n == -1) {
			if (errno == EINTR)
				continue;
			report_errno(errno, "poll");
			return EXIT_LOCAL;
		}
		if (n == 0) {
			status = dgram_timed_out(r->o->timeout, r->got, r->o->count);
			break;
		}
		for (int i = 0; i < r->b.n && !r->done; i++)
			if (pfd[i].revents != 0)
				receive_from(r, pfd[i].fd);
	}
	if (status == EXIT_OK)
		status = r->status;
	return status == EXIT_OK && r->truncated ? EXIT_LOCAL : status;
}

/* --session, --peer: two-way with one sender (udp_session.c). */
static int
session(const struct recv_options *o, struct receiver *r)
{
	struct udp_session_options so = { o->timeout, o->count, o->buffer, o->format, o->peer,
		r->access };

	return udp_session_run(&r->b, &so);
}

static int
start(struct receiver *r, const struct endpoint *ep)
{
	struct bind_options bo = { .no_reuseaddr = r->o->no_reuseaddr, .tun = r->o->tun };
	struct sockaddr_storage group;
	struct sock_failure f;
	char text[ADDR_STRLEN];
	socklen_t glen = 0;
	unsigned ifindex = 0;
	const char *why;
	int status;

	if (r->o->multicast != NULL &&
	    parse_group(r->o->multicast, &group, &glen, &ifindex, &why) == -1)
		opt_usage_error(&cmd_udp_recv, "invalid multicast group '%s': %s", r->o->multicast,
		    why);
	if (sock_bind_local(ep, SOCK_DGRAM, &bo, &r->b, &f) == -1)
		return report_bind_failure(ep, &f, SOCK_DGRAM);
	if (!r->o->no_reuseaddr)
		hint_port_shared(&r->b);
	for (int i = 0; i < r->b.n; i++) {
		/* Room for bursts: a fast sender is not dropped while we write. */
		dgram_grow_rcvbuf(r->b.fd[i], 4 << 20);
		report_verbose(1, "listening on %s port %u",
		    addr_format((struct sockaddr *)&r->b.addr[i], text, sizeof(text)),
		    addr_port((struct sockaddr *)&r->b.addr[i]));
	}
	if (r->o->multicast != NULL &&
	    (status = join_group(r, (struct sockaddr *)&group, glen, ifindex)) != EXIT_OK)
		return status;
	if (dgram_batch_init(&r->batch, DGRAM_BATCH, r->o->buffer) == -1) {
		report_errno(errno, "allocate receive buffers");
		return EXIT_LOCAL;
	}
	return EXIT_OK;
}

static void
parse_options(struct opt_parser *p, struct recv_options *o)
{
	int ch;

	while ((ch = opt_next(p)) != -1) {
		switch (ch) {
		case 'c': o->count = opt_count(p); break;
		case 'w': o->timeout = opt_duration(p); break;
		case OPT_BUFFER: o->buffer = (size_t)opt_size(p, 1, DGRAM_BUFFER_DEFAULT); break;
		case OPT_ECHO: o->echo = 1; break;
		case OPT_HEX: o->format = PAYLOAD_HEX; break;
		case OPT_REUSEADDR: o->no_reuseaddr = 0; break;
		case OPT_NO_REUSEADDR: o->no_reuseaddr = 1; break;
		case OPT_MULTICAST: o->multicast = p->arg; break;
		case OPT_SESSION: o->session = 1; break;
		case OPT_PEER:
			udp_session_check_peer(p->cmd, p->arg);
			o->session = 1;
			o->peer = p->arg;
			break;
		case OPT_ALLOW: access_option(&o->access, p, 1, 0); break;
		case OPT_DENY: access_option(&o->access, p, 0, 0); break;
		case OPT_ALLOW_FILE: access_option(&o->access, p, 1, 1); break;
		case 'U': o->unix_dgram = 1; break;
		default: tunables_option(&o->tun, p, ch); break;
		}
	}
}

/* -U: the same on a Unix datagram socket, its file removed at exit (sockt(1), UNIX SOCKETS). */
static int
run_unix(const struct command *cmd, const struct recv_options *o, int argc, char **argv)
{
	struct unix_recv_options uo = { o->count, o->timeout, o->echo, o->format, o->buffer };
	struct unix_addr a;

	if (o->multicast != NULL || o->tun.device != NULL || o->no_reuseaddr || o->session)
		opt_usage_error(cmd, "-U takes none of --multicast, -I, --no-reuseaddr, --session");
	unix_operand(cmd, argc, argv, &a);
	if (argc > 1)
		opt_usage_error(cmd, "unexpected argument '%s' after PATH", argv[1]);
	return unix_dgram_recv(&a, &uo);
}

static int
run(const struct command *cmd, int argc, char **argv)
{
	struct recv_options o = { .timeout = -1, .buffer = DGRAM_BUFFER_DEFAULT };
	struct receiver r = { .o = &o, .access = &o.access };
	struct opt_parser p;
	struct endpoint ep;
	int status;

	opt_begin(&p, cmd, argc, argv);
	parse_options(&p, &o);
	opt_end(&p);
	if (globals.json) {
		if (o.format == PAYLOAD_HEX)
			opt_usage_error(cmd, "--hex and --json cannot be combined");
		o.format = PAYLOAD_JSON;
	}
	o.format = payload_for_stdout(o.format);
	argc -= p.optind;
	argv += p.optind;
	if (o.unix_dgram && access_active(&o.access))
		opt_usage_error(cmd, "--allow and --deny apply to UDP, not to -U");
	if (o.unix_dgram)
		return run_unix(cmd, &o, argc, argv);
	opt_local_endpoint(cmd, argc, argv, "udp", &ep);
	if (o.session && o.echo)
		opt_usage_error(cmd, "--echo and --session cannot be combined");
	if ((status = start(&r, &ep)) == EXIT_OK)
		status = o.session ? session(&o, &r) : receive(&r);
	access_summary(&o.access, "datagram");
	access_free(&o.access);
	dgram_batch_free(&r.batch);
	sock_close_bound(&r.b);
	endpoint_free(&ep);
	return status;
}

const struct command cmd_udp_recv = {
	"udp-recv",
	"receive UDP datagrams",
	"[OPTIONS] [HOST] PORT",
	options,
	run,
};
