/* phases.h: how long each phase of an outgoing connection took (connect and send, -v and --json):
 * name resolution per family, the attempts, the first byte, the total. */
#ifndef SOCKT_PHASES_H
#define SOCKT_PHASES_H

#include <stddef.h>
#include <stdint.h>
#include <netdb.h>

#include "eyeballs.h"
#include "relay.h"

/* One getaddrinfo call: of one family, or of both (AF_UNSPEC) where not split. */
struct phases_lookup {
	int family;
	int eai; /* 0, or why it found nothing */
	size_t addresses;
	int64_t usec;
};

/* One connection attempt of the race, for --json. */
struct phases_attempt {
	struct sockaddr_storage addr;
	enum eyeballs_state state;
	int err;
	int64_t usec; /* its start to its end */
};

#define PHASES_MAX_ATTEMPTS 16

struct phases {
	const char *host;
	struct phases_lookup lookup[2];
	size_t nlookups;
	int64_t start_usec; /* before the name was resolved */
	int64_t resolve_usec; /* the lookups' own time, added up */
	int64_t connect_usec; /* the first attempt's start to the winner's connect; -1: none */
	int64_t connected_at; /* clock time of the connect; 0: none */
	struct phases_attempt attempts[PHASES_MAX_ATTEMPTS]; /* the first ones, in start order */
	size_t nattempts;
};

/* Whether anything here will be said: -v (without -q) or --json. */
int phases_wanted(void);
/*
 * addr_resolve, timed. With phases_wanted(), a name and both families
 * allowed, IPv6 and IPv4 are looked up one after the other, each timed,
 * and the lists joined in the order RFC 6724 puts the families (rule 1,
 * a usable source, then rule 6, precedence). Returns 0 or the EAI_ code.
 */
int phases_resolve(struct phases *, const char *host, const char *port, int socktype,
    struct addrinfo **res);
/* The -v line of the resolution: "resolved HOST in ...: IPv6 ... (1 address), IPv4 ...". */
void phases_say_resolved(const struct phases *);
/* Takes the set-up's times from a race's result (won or not). */
void phases_connected(struct phases *, const struct eyeballs_result *);
/*
 * The end of a connection: the tcp_info line (-v) and the "close" and
 * "timing" JSON objects on stderr (--json), then the -v timing line. ph may
 * be NULL (listen: no resolution, no set-up of ours); who prefixes the lines
 * (listen -k), or NULL.
 */
void phases_report_close(const struct phases *, const char *who, const struct sockaddr *peer,
    const struct relay_stats *);
/* No connection was made: the timing line and object all the same (connect_ms null). */
void phases_report_failed(const struct phases *);

#endif
