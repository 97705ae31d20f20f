/* tunables.c: TTL, TOS and interface options read once and set on any socket. */
#include "config.h"

#include <sys/socket.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opts.h"
#include "parse.h"
#include "tunables.h"

/* A byte in decimal, or in hex after 0x: a TOS is usually written 0x10, as ping -Q takes it. */
static int
byte_option(const struct command *cmd, const char *name, const char *arg, long long min)
{
	unsigned long v;
	long long d;
	char *end;

	/* strtoul alone would take blanks, a sign and "0x" with no digits. */
	if (arg[0] == '0' && (arg[1] == 'x' || arg[1] == 'X') && isxdigit((unsigned char)arg[2])) {
		errno = 0;
		v = strtoul(arg + 2, &end, 16);
		if (*end == '\0' && errno == 0 && v <= 255 && (long long)v >= min)
			return (int)v;
	} else if (parse_number(arg, min, 255, &d, NULL) == 0)
		return (int)d;
	opt_usage_error(cmd, "invalid %s '%s': must be %lld-255%s", name, arg, min,
	    min == 0 ? ", as 16 or 0x10" : "");
}

int
tunables_option(struct tunables *t, const struct command *cmd, int key, const char *arg)
{
	switch (key) {
	case OPT_TUNABLE_TTL: t->ttl = byte_option(cmd, "TTL", arg, 1); return 1;
	case OPT_TUNABLE_TOS:
		t->tos = byte_option(cmd, "TOS", arg, 0);
		t->tos_set = 1;
		return 1;
	case OPT_TUNABLE_INTERFACE:
		/* The kernel's limit (IFNAMSIZ less the NUL): a longer name is no interface. */
		if (arg[0] == '\0' || strlen(arg) > 15)
			opt_usage_error(cmd, "invalid interface '%s': a name of 1-15 characters",
			    arg);
		t->device = arg;
		return 1;
	}
	return 0;
}

static int
set_int(int fd, int level, int name, int value)
{
	return setsockopt(fd, level, name, &value, sizeof(value));
}

static int
set_ttl(int fd, int family, int ttl)
{
	/* The multicast TTL as well: a group is no different a destination to the user. */
	if (family == AF_INET6)
		return set_int(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, ttl) == -1 ||
			       set_int(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, ttl) == -1
			   ? -1
			   : 0;
	return set_int(fd, IPPROTO_IP, IP_TTL, ttl) == -1 ||
		       set_int(fd, IPPROTO_IP, IP_MULTICAST_TTL, ttl) == -1
		   ? -1
		   : 0;
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
