/* udp_target.h: udp-send's destination: names resolved, source bound, socket opened and connected.
 */
#ifndef SOCKT_UDP_TARGET_H
#define SOCKT_UDP_TARGET_H

#include <sys/socket.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "sock.h"
#include "tunables.h"

struct udp_target_options {
	int broadcast; /* SO_BROADCAST, and answers from anyone */
	struct tunables tun; /* --ttl, --tos, -I */
	const char *source; /* -s, or NULL */
	const char *source_port; /* -p, or NULL */
};

struct udp_target {
	int fd;
	int family;
	int connected; /* connect(2)ed: errors come back on the socket itself */
	int multi; /* broadcast or multicast: many may answer, from other addresses */
	struct sockaddr_storage to;
	socklen_t tolen;
	const struct sockaddr *to_sa; /* &to */
	char text[ADDR_STRLEN]; /* the destination, printed */
	uint16_t port;
};

/* Why no address could be used, one entry per address tried (the first few). */
#define UDP_TARGET_FAILURES 8
struct udp_target_failures {
	int n;
	struct sock_failure f[UDP_TARGET_FAILURES]; /* call "source": no source of that family */
	int family[UDP_TARGET_FAILURES];
	const char *name; /* for a getaddrinfo failure: the name that failed */
};

/*
 * Resolves the endpoint (and the source), then opens a socket to each
 * address in getaddrinfo's order until one works. A datagram socket is
 * connected unless the destination is multicast or --broadcast is given,
 * so that answers from other addresses are taken too. Returns 0, or -1
 * with *why filled.
 */
int udp_target_open(struct udp_target *, const struct endpoint *, const struct udp_target_options *,
    struct udp_target_failures *why);
void udp_target_close(struct udp_target *);

/*
 * The error lines (and hints) for a failed udp_target_open, one per address
 * tried, as connect reports them; returns the exit status (sockt-udp-send(1), EXIT STATUS).
 */
int udp_target_report_failures(const struct udp_target_failures *,
    const struct udp_target_options *);
struct errqueue_entry;
/* The line for an error-queue entry: the ICMP message, who sent it, about which datagram. */
void udp_target_report_error(const struct udp_target *, const struct errqueue_entry *);
/* sockt-udp-send(1): "datagram of N bytes is over the IPv4 limit of 65507" [EMSGSIZE]; 4. */
int udp_target_report_too_long(const struct udp_target *, size_t size);
/* "WHAT ADDRESS port PORT (udp): ... [EXXX]" and its hint; returns the exit status. */
int udp_target_report_errno(const struct udp_target *, int err, const char *what);

#endif
