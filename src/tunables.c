/* tunables.c: TTL, TOS and interface options read once and set on any socket. */
#include "config.h"

#include <sys/socket.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "opts.h"
#include "tunables.h"

int
tunables_option(struct tunables *t, const struct opt_parser *p, int key)
{
	switch (key) {
	case OPT_TUNABLE_TTL: t->ttl = opt_ttl(p); return 1;
	case OPT_TUNABLE_TOS:
		t->tos = opt_tos(p);
		t->tos_set = 1;
		return 1;
	case OPT_TUNABLE_INTERFACE: t->device = opt_interface(p); return 1;
	}
	return 0;
}

static int
set_int(int fd, int level, int name, int value)
{
	return setsockopt(fd, level, name, &value, sizeof(value));
}

/* The multicast TTL as well, where there is one: a group is no other destination to the user. */
static int
set_ttl(int fd, int family, int ttl)
{
	int type = SOCK_DGRAM;
	socklen_t len = sizeof(type);
	int v6 = family == AF_INET6;

	if (set_int(fd, v6 ? IPPROTO_IPV6 : IPPROTO_IP, v6 ? IPV6_UNICAST_HOPS : IP_TTL, ttl) == -1)
		return -1;
	/* TCP sockets refuse the multicast TTL (EINVAL). */
	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) == 0 && type == SOCK_STREAM)
		return 0;
	return set_int(fd, v6 ? IPPROTO_IPV6 : IPPROTO_IP,
	    v6 ? IPV6_MULTICAST_HOPS : IP_MULTICAST_TTL, ttl);
}

static int
set_tos(int fd, int family, int tos)
{
	if (family != AF_INET6)
		return set_int(fd, IPPROTO_IP, IP_TOS, tos);
	/* An IPv6 socket may still carry IPv4 (mapped addresses): both bytes are set. */
	if (set_int(fd, IPPROTO_IPV6, IPV6_TCLASS, tos) == -1)
		return -1;
	(void)set_int(fd, IPPROTO_IP, IP_TOS, tos);
	return 0;
}

int
tunables_apply(int fd, int family, const struct tunables *t, enum tunable *failed)
{
	*failed = TUNABLE_NONE;
	if (t == NULL)
		return 0;
	if (t->device != NULL && setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, t->device,
				     (socklen_t)strlen(t->device) + 1) == -1)
		*failed = TUNABLE_DEVICE;
	else if (t->tos_set && set_tos(fd, family, t->tos) == -1)
		*failed = TUNABLE_TOS;
	else if (t->ttl > 0 && set_ttl(fd, family, t->ttl) == -1)
		*failed = TUNABLE_TTL;
	return *failed == TUNABLE_NONE ? 0 : -1;
}

const char *
tunables_describe(const struct tunables *t, enum tunable which, char *buf, size_t len)
{
	switch (which) {
	case TUNABLE_DEVICE:
		snprintf(buf, len, "bind to interface %s (SO_BINDTODEVICE)", t->device);
		break;
	case TUNABLE_TOS: snprintf(buf, len, "set TOS 0x%02x", (unsigned)t->tos); break;
	case TUNABLE_TTL: snprintf(buf, len, "set TTL %d", t->ttl); break;
	default: snprintf(buf, len, "set socket options"); break;
	}
	return buf;
}
