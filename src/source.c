/* source.c: outgoing TCP sockets: the tunables set, bound to -s and -p's address and port. */
#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "source.h"

static int
family_slot(int family)
{
	if (family == AF_INET)
		return 0;
	if (family == AF_INET6)
		return 1;
	return -1;
}

int
source_resolve(const char *host, const char *port, struct source *src)
{
	struct tunables tun = src->tun;
	struct addrinfo *res, *ai;
	int eai, slot;

	memset(src, 0, sizeof(*src));
	src->tun = tun;
	if (host == NULL && port == NULL)
		return 0;
	src->given = 1;
	src->port_given = port != NULL;
	/* A NULL host gets AI_PASSIVE: the wildcard address of each family. */
	if ((eai = addr_resolve(host, port != NULL ? port : "0", SOCK_STREAM, 0, &res)) != 0)
		return eai;
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		if ((slot = family_slot(ai->ai_family)) == -1 || src->have[slot] ||
		    ai->ai_addrlen > sizeof(src->addr[slot]))
			continue;
		memcpy(&src->addr[slot], ai->ai_addr, ai->ai_addrlen);
		src->addrlen[slot] = ai->ai_addrlen;
		src->have[slot] = 1;
	}
	freeaddrinfo(res);
	return 0;
}

int
source_has_family(const struct source *src, int family)
{
	int slot = family_slot(family);

	return src == NULL || !src->given || (slot != -1 && src->have[slot]);
}

const struct sockaddr *
source_addr(const struct source *src, int family)
{
	int slot = family_slot(family);

	if (src == NULL || !src->given || slot == -1 || !src->have[slot])
		return NULL;
	return (const struct sockaddr *)&src->addr[slot];
}

/*
 * Several attempts (or a whole scan) share one -p port: SO_REUSEADDR lets
 * sockets that never listen bind it together. Without -p the kernel picks
 * the port at connect time (IP_BIND_ADDRESS_NO_PORT), so that -s does not
 * use up ports that only need to be unique per destination.
 */
static int
bind_source(int fd, int family, const struct source *src)
{
	const struct sockaddr *sa = source_addr(src, family);
	int one = 1;

	if (sa == NULL)
		return 0;
	if (family == AF_INET6 &&
	    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) == -1)
		return -1;
	if (src->port_given) {
		if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == -1)
			return -1;
	} else
		(void)setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof(one));
	return bind(fd, sa, src->addrlen[family == AF_INET ? 0 : 1]);
}

enum tunable
source_failed_tunable(int in_bind)
{
	return in_bind > SOURCE_FAILED_BIND ? (enum tunable)(in_bind - 1) : TUNABLE_NONE;
}

int
source_socket(int family, const struct source *src, int *in_bind)
{
	enum tunable failed = TUNABLE_NONE;
	int fd, err;

	*in_bind = 0;
	if ((fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP)) == -1)
		return -1;
	if (src != NULL && tunables_apply(fd, family, &src->tun, &failed) == -1)
		*in_bind = SOURCE_FAILED_TUNABLE(failed);
	else if (bind_source(fd, family, src) == -1)
		*in_bind = SOURCE_FAILED_BIND;
	if (*in_bind != 0) {
		err = errno;
		close(fd);
		errno = err;
		return -1;
	}
	return fd;
}

int
source_check(const struct source *src, int family, int *in_bind)
{
	int fd;

	if ((fd = source_socket(family, src, in_bind)) == -1)
		return -1;
	close(fd);
	return 0;
}
