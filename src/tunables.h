/*
 * tunables.h: the options any socket sockt opens may carry (TTL or hop limit,
 * TOS or traffic class, the interface), read from the command line once and
 * set by one function, whatever the command and the socket.
 */
#ifndef SOCKT_TUNABLES_H
#define SOCKT_TUNABLES_H

#include <stddef.h>
#include "cmd.h"

/* Zeroed, it asks for nothing: every socket keeps the system's settings. */
struct tunables {
	int ttl; /* IP_TTL / IPV6_UNICAST_HOPS and their multicast twins; 0: the system's */
	int tos_set; /* --tos was given */
	int tos; /* IP_TOS / IPV6_TCLASS */
	const char *device; /* SO_BINDTODEVICE, or NULL */
};

/* Which tunable a failure is about; 0 is none. */
enum tunable { TUNABLE_NONE, TUNABLE_DEVICE, TUNABLE_TOS, TUNABLE_TTL };

/* Option keys, above any command's own (which count up from OPT_LONG). */
enum { OPT_TUNABLE_TTL = OPT_KEYS_TUNABLES, OPT_TUNABLE_TOS, OPT_TUNABLE_INTERFACE = 'I' };

/*
 * A command's option table lists each as one line (written out, so that
 * the option's name can be found by grep), with these keys and help texts:
 *   { "ttl", OPT_TUNABLE_TTL, required_argument, "N", TUNABLES_HELP_TTL },
 *   { "tos", OPT_TUNABLE_TOS, required_argument, "N", TUNABLES_HELP_TOS },
 *   { "interface", 'I', required_argument, "IFACE", TUNABLES_HELP_INTERFACE },
 */
#define TUNABLES_HELP_TTL "TTL / hop limit, 1-255 (default: the system's)"
#define TUNABLES_HELP_TOS "TOS / traffic class byte, 0-255, as 16 or 0x10 (default 0)"
#define TUNABLES_HELP_INTERFACE "use only this network interface (SO_BINDTODEVICE)"

struct opt_parser;
/*
 * Reads the option opt_next just returned into *t, if key is one of the
 * tunables': returns 1, or 0 for another key. A bad value is a usage error
 * (the opt_ttl, opt_tos, opt_interface readers).
 */
int tunables_option(struct tunables *t, const struct opt_parser *p, int key);

/*
 * Sets every tunable given on a socket of the family: the interface first,
 * as it decides the route. Returns 0, or -1 with errno and *failed saying
 * which one the system refused.
 */
int tunables_apply(int fd, int family, const struct tunables *t, enum tunable *failed);

/* What was being done, for the error line: "bind to interface eth1", "set TOS 0x10". */
const char *tunables_describe(const struct tunables *t, enum tunable which, char *buf, size_t len);
#endif
