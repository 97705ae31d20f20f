/* source.h: the local end of outgoing TCP connections: -s, -p and the tunables (TOS, -I...). */
#ifndef SOCKT_SOURCE_H
#define SOCKT_SOURCE_H

#include <stdint.h>
#include <sys/socket.h>

#include "tunables.h"

/* What -s and -p resolved to: at most one local address per family. */
struct source {
	int given; /* -s or -p was given */
	int port_given; /* -p was given: bind that port (SO_REUSEADDR) */
	int have[2]; /* [0] IPv4, [1] IPv6 */
	struct sockaddr_storage addr[2];
	socklen_t addrlen[2];
	struct tunables tun; /* set on every socket, -s/-p or not */
};

/* Where source_socket failed (its *in_bind): socket(2) itself (0), the bind, or a tunable. */
#define SOURCE_FAILED_BIND 1
#define SOURCE_FAILED_TUNABLE(t) (1 + (int)(t))
/* The tunable an *in_bind names, or TUNABLE_NONE. */
enum tunable source_failed_tunable(int in_bind);

/*
 * Resolves -s HOST (NULL for the wildcard) and -p PORT (NULL for an
 * ephemeral one), keeping the first address of each family; src->tun is
 * kept as the caller set it. Returns 0, or an EAI_ code (errno kept for
 * EAI_SYSTEM).
 */
int source_resolve(const char *host, const char *port, struct source *);
/* Whether an outgoing socket of this family can be bound as asked. */
int source_has_family(const struct source *, int family);
/* The address a socket of this family is bound to, or NULL when none is asked for. */
const struct sockaddr *source_addr(const struct source *, int family);

/*
 * A non-blocking, close-on-exec TCP socket of the family, with the
 * tunables set and bound as the source asks (src may be NULL). Returns it,
 * or -1 with errno and *in_bind saying which step failed (SOURCE_FAILED_...).
 */
int source_socket(int family, const struct source *src, int *in_bind);
/* Whether a socket of the family can be made as asked: 0, or -1 with errno and *in_bind. */
int source_check(const struct source *, int family, int *in_bind);

#endif
