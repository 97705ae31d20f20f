/* sock.h: local sockets for listen and udp-recv: dual-stack binding, errors kept. */
#ifndef SOCKT_SOCK_H
#define SOCKT_SOCK_H

#include <stdint.h>
#include <sys/socket.h>

#include "addr.h"
#include "tunables.h"

struct bind_options {
	/* SO_REUSEADDR is set unless this is: a restart then binds over TIME_WAIT at once. */
	int no_reuseaddr;
	int backlog; /* listen(2) backlog for SOCK_STREAM */
	struct tunables tun; /* -I...: set before bind(2) */
};

/* The sockets bound for one local endpoint: one (dual-stack :: or a host), or one per family. */
struct bound {
	int n;
	int fd[2];
	struct sockaddr_storage addr[2]; /* as getsockname says, so port 0 is resolved */
};

/* What failed, for the caller to report. */
struct sock_failure {
	const char *call; /* "socket", "bind", "listen", "getaddrinfo" */
	int err; /* errno */
	int eai; /* for getaddrinfo */
	char addr[ADDR_STRLEN];
	uint16_t port;
	enum tunable tunable; /* a tunable (of *tun) was refused: call is "setsockopt" */
	const struct tunables *tun;
	int reuseaddr_off; /* the failed socket had no SO_REUSEADDR (--no-reuseaddr) */
};

/*
 * Binds (and listens, for SOCK_STREAM) the endpoint: with no host one "::"
 * socket with IPV6_V6ONLY off, or one socket per family where the system
 * refuses that; with a host its first local address of each family.
 * Sockets are non-blocking and close-on-exec.
 * Returns 0, or -1 with *failure filled and nothing left open.
 */
int sock_bind_local(const struct endpoint *, int socktype, const struct bind_options *,
    struct bound *, struct sock_failure *);
void sock_close_bound(struct bound *);
/* SO_LINGER 0: close(2) sends RST and this side keeps no TIME_WAIT (--linger 0). */
int sock_linger_zero(int fd);

#endif
