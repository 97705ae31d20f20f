/* addr.h: endpoints (sockt(1), ADDRESSES): HOST PORT forms, getaddrinfo, printing addresses. */
#ifndef SOCKT_ADDR_H
#define SOCKT_ADDR_H

#include <sys/socket.h>
#include <netdb.h>
#include <netinet/in.h>
#include <net/if.h>
#include <stdint.h>

/* An address with its zone, as inet_ntop and if_indextoname write it. */
#define ADDR_STRLEN (INET6_ADDRSTRLEN + IF_NAMESIZE + 1)

/* HOST and PORT as the user gave them; host NULL means "every local address". */
struct endpoint {
	char *host;
	char *port;
};

/*
 * A remote endpoint from argv: "HOST PORT" (two words), "HOST:PORT" or
 * "[V6]:PORT" (one). Returns how many words were used (1 or 2), or -1 with
 * *why set to the reason. The strings point into argv or into storage that
 * endpoint_free releases.
 */
int endpoint_parse_remote(int argc, char **argv, struct endpoint *, const char **why);
/* A local endpoint: "[HOST] PORT", or one word HOST:PORT / [V6]:PORT. */
int endpoint_parse_local(int argc, char **argv, struct endpoint *, const char **why);
void endpoint_free(struct endpoint *);

/*
 * getaddrinfo with sockt's rules: the global -4/-6 and -n, AI_NUMERICSERV
 * for decimal ports, AI_PASSIVE for a NULL host. Returns 0 or an EAI_ code
 * (errno kept for EAI_SYSTEM). Every result is kept, in order.
 */
int addr_resolve(const char *host, const char *port, int socktype, int flags, struct addrinfo **);

/* inet_ntop with the zone ("fe80::1%eth0"); "?" for an unknown family. */
const char *addr_format(const struct sockaddr *, char *buf, size_t len);
uint16_t addr_port(const struct sockaddr *);
void addr_set_port(struct sockaddr *, uint16_t);
const char *addr_family_name(int); /* "inet", "inet6" */
const char *addr_proto_name(int socktype); /* "tcp", "udp", "raw" */
/*
 * An IPv4 peer of a dual-stack socket arrives as ::ffff:a.b.c.d: out gets it
 * as IPv4 (anything else copied as it is; in and out may be the same).
 * Returns out's length.
 */
socklen_t addr_unmap(const struct sockaddr *in, struct sockaddr_storage *out);
/*
 * Whether two socket addresses name the same host (ports aside); IPv6 zones
 * count only where both have one.
 */
int addr_same_host(const struct sockaddr *, const struct sockaddr *);
/* Whether the string is an IPv4 or IPv6 literal (with an optional zone). */
int addr_is_literal(const char *);
/* AF_INET or AF_INET6 for an address literal (zone allowed), AF_UNSPEC for a name. */
int addr_literal_family(const char *);

#endif
