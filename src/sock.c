/* sock.c: binding the local sockets of listen and udp-recv, dual-stack when no host is given. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "sock.h"

static void
fail(struct sock_failure *f, const char *call, int err, const struct sockaddr *sa)
{
	f->call = call;
	f->err = err;
	f->eai = 0;
	if (sa != NULL) {
		addr_format(sa, f->addr, sizeof(f->addr));
		f->port = addr_port(sa);
	}
}

/* One socket bound (and listening) on sa; v6only is -1 to leave the system default. */
static int
bind_one(const struct sockaddr *sa, socklen_t salen, int socktype, int v6only,
    const struct bind_options *opt, struct sock_failure *f)
{
	int fd, one = 1, err;

	f->tunable = TUNABLE_NONE;
	if ((fd = socket(sa->sa_family, socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) == -1) {
		fail(f, "socket", errno, sa);
		return -1;
	}
	if (tunables_apply(fd, sa->sa_family, &opt->tun, &f->tunable) == -1) {
		f->tun = &opt->tun;
		goto failed_setsockopt;
	}
	/*
	 * Set by default, as nc.openbsd and ncat do: a restarted listener binds
	 * over its own connections' TIME_WAIT. It never lets two TCP listeners
	 * share a port on Linux; SO_REUSEPORT, which would, is never set.
	 */
	f->reuseaddr_off = opt->no_reuseaddr;
	if (!opt->no_reuseaddr && setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == -1)
		goto failed_setsockopt;
	if (sa->sa_family == AF_INET6 && v6only != -1 &&
	    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof(v6only)) == -1)
		goto failed_setsockopt;
	if (bind(fd, sa, salen) == -1) {
		fail(f, "bind", errno, sa);
		goto failed;
	}
	if (socktype == SOCK_STREAM && listen(fd, opt->backlog) == -1) {
		fail(f, "listen", errno, sa);
		goto failed;
	}
	return fd;
failed_setsockopt:
	fail(f, "setsockopt", errno, sa);
failed:
	err = errno;
	close(fd);
	errno = err;
	return -1;
}

static int
keep(struct bound *b, int fd)
{
	socklen_t len = sizeof(b->addr[b->n]);

	if (getsockname(fd, (struct sockaddr *)&b->addr[b->n], &len) == -1)
		return -1;
	b->fd[b->n++] = fd;
	return 0;
}

/*
 * No host: one [::] socket that also takes IPv4 (V6ONLY off); where IPv6 is
 * missing or dual-stack refused, 0.0.0.0 and [::] each get their own socket,
 * the second on the port the first was given.
 */
static int
bind_any(const char *port, int socktype, const struct bind_options *opt, struct bound *b,
    struct sock_failure *f)
{
	struct addrinfo *res, *ai;
	int eai, fd;
	uint16_t given = 0;

	if ((eai = addr_resolve(NULL, port, socktype, 0, &res)) != 0) {
		fail(f, "getaddrinfo", errno, NULL);
		f->eai = eai;
		return -1;
	}
	if (globals.family == AF_UNSPEC) {
		for (ai = res; ai != NULL; ai = ai->ai_next) {
			if (ai->ai_family != AF_INET6)
				continue;
			if ((fd = bind_one(ai->ai_addr, ai->ai_addrlen, socktype, 0, opt, f)) !=
			    -1) {
				freeaddrinfo(res);
				return keep(b, fd);
			}
			if (f->err != EAFNOSUPPORT && f->err != EINVAL && f->err != ENOPROTOOPT &&
			    f->err != EADDRNOTAVAIL) {
				freeaddrinfo(res);
				return -1;
			}
			break;
		}
	}
	for (ai = res; ai != NULL && b->n < 2; ai = ai->ai_next) {
		if (given != 0)
			addr_set_port(ai->ai_addr, given);
		fd = bind_one(ai->ai_addr, ai->ai_addrlen, socktype, 1, opt, f);
		if (fd == -1) {
			/* An IPv6-less machine still serves IPv4. */
			if (ai->ai_family == AF_INET6 && f->err == EAFNOSUPPORT && b->n > 0)
				continue;
			sock_close_bound(b);
			freeaddrinfo(res);
			return -1;
		}
		if (keep(b, fd) == -1) {
			fail(f, "getsockname", errno, ai->ai_addr);
			close(fd);
			sock_close_bound(b);
			freeaddrinfo(res);
			return -1;
		}
		given = addr_port((struct sockaddr *)&b->addr[b->n - 1]);
	}
	freeaddrinfo(res);
	return b->n > 0 ? 0 : -1;
}

static int
has_family(const struct addrinfo *res, int family)
{
	for (; res != NULL; res = res->ai_next)
		if (res->ai_family == family)
			return 1;
	return 0;
}

/*
 * A named host: the first address of each family that is on this machine,
 * so that a dual-stack name (a stock Debian's localhost is ::1 and
 * 127.0.0.1) takes the clients of both families, as no host does; the
 * second socket on the port the first was given. An address not on this
 * machine is passed over; any other refusal (EADDRINUSE, EACCES) is the
 * answer, rather than serving the name's other family alone.
 */
static int
bind_named(struct addrinfo *res, int socktype, const struct bind_options *opt, struct bound *b,
    struct sock_failure *f)
{
	int v6only = has_family(res, AF_INET) && has_family(res, AF_INET6) ? 1 : -1, fd;
	uint16_t given = 0;

	for (struct addrinfo *ai = res; ai != NULL && b->n < 2; ai = ai->ai_next) {
		if (b->n == 1 && ai->ai_family == b->addr[0].ss_family)
			continue;
		if (given != 0)
			addr_set_port(ai->ai_addr, given);
		if ((fd = bind_one(ai->ai_addr, ai->ai_addrlen, socktype, v6only, opt, f)) == -1) {
			if (f->err == EADDRNOTAVAIL || f->err == EAFNOSUPPORT)
				continue;
			sock_close_bound(b);
			return -1;
		}
		if (keep(b, fd) == -1) {
			fail(f, "getsockname", errno, ai->ai_addr);
			close(fd);
			sock_close_bound(b);
			return -1;
		}
		given = addr_port((struct sockaddr *)&b->addr[b->n - 1]);
	}
	return b->n > 0 ? 0 : -1;
}

int
sock_bind_local(const struct endpoint *ep, int socktype, const struct bind_options *opt,
    struct bound *b, struct sock_failure *f)
{
	struct addrinfo *res;
	int eai, fd;

	memset(b, 0, sizeof(*b));
	memset(f, 0, sizeof(*f));
	b->fd[0] = b->fd[1] = -1;
	if (ep->host == NULL)
		return bind_any(ep->port, socktype, opt, b, f);
	if ((eai = addr_resolve(ep->host, ep->port, socktype, 0, &res)) != 0) {
		fail(f, "getaddrinfo", errno, NULL);
		f->eai = eai;
		return -1;
	}
	fd = bind_named(res, socktype, opt, b, f);
	freeaddrinfo(res);
	return fd;
}

void
sock_close_bound(struct bound *b)
{
	for (int i = 0; i < b->n; i++)
		close(b->fd[i]);
	b->n = 0;
}

int
sock_linger_zero(int fd)
{
	struct linger l = { .l_onoff = 1, .l_linger = 0 };

	return setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
}
