/*
 * unixsock.h: Unix domain sockets for listen, connect, send, udp-send and
 * udp-recv (-U): the PATH or @NAME operand, connecting, binding over a stale
 * socket file, the peer's credentials and the hints (sockt(1), UNIX SOCKETS).
 */
#ifndef SOCKT_UNIXSOCK_H
#define SOCKT_UNIXSOCK_H

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <stdint.h>

#include "cmd.h"
#include "sock.h"

/* sun_path's size: a path or abstract name holds one byte less (a NUL, or the leading NUL). */
#define UNIX_PATH_LIMIT ((int)sizeof(((struct sockaddr_un *)0)->sun_path))
/* A name as printed: '@', each byte escaped in at most 4, a NUL. */
#define UNIX_TEXT_MAX (4 * UNIX_PATH_LIMIT + 2)

struct unix_addr {
	struct sockaddr_un sun;
	socklen_t len; /* an abstract name's exact length counts: "@a" is not "@a\0\0" */
	int abstract;
	char text[UNIX_TEXT_MAX]; /* "/run/x.sock", "@name" */
	dev_t dev; /* the socket file listen bound, removed at its exit if still the same */
	ino_t ino;
};

/*
 * PATH, or @NAME for the Linux abstract namespace. Returns 0, or -1 with
 * errno ENAMETOOLONG (over UNIX_PATH_LIMIT - 1 bytes) or EINVAL (empty).
 */
int unix_addr_parse(const char *, struct unix_addr *);
/*
 * The operand that starts argv, for a command given -U: a missing one is a
 * usage error; one too long is an error line with its hint, status 2.
 */
void unix_operand(const struct command *, int argc, char **argv, struct unix_addr *);
/* Pure: "/path", "@name" (escaped), or "unnamed" for an address of len <= sizeof(sa_family_t).
 */
const char *unix_addr_format(const struct sockaddr *, socklen_t, char *, size_t);
/*
 * Pure: the same for an address whose length was not kept, with NULs after
 * the name (an accepted peer's, zeroed first): "unnamed" when it has none.
 */
const char *unix_peer_format(const struct sockaddr *, char *, size_t);
/* "stream", "dgram", "seqpacket" */
const char *unix_type_name(int socktype);

/*
 * A socket of socktype connected to a (timeout_usec > 0: the limit, else
 * none). Returns it, or -1 with the failure reported and *status set.
 */
int unix_connect(const struct unix_addr *, int socktype, int64_t timeout_usec, int *status);
/*
 * listen -U and udp-recv -U: binds a (and listens, unless SOCK_DGRAM) into
 * b->fd[0]. A socket file nothing listens on is removed first, and said; a
 * live socket or another kind of file never is. Returns 0, or the exit
 * status once the failure is reported.
 */
int unix_bind(struct unix_addr *, int socktype, int backlog, struct bound *);
/* Closes b and removes the socket file unix_bind made, if it is still that one. */
void unix_unbind(const struct unix_addr *, struct bound *);
/* An unbound datagram socket given an autobound abstract address, so that replies reach it. */
int unix_dgram_client(int *status);

/* -v: "peer: pid N (name), uid U, gid G" from SO_PEERCRED, after who ("connection from x"). */
void unix_report_peer(int fd, const char *who);
/*
 * The hint for err from a call on a (binding: bind or listen, else connect or
 * send): the socket file, its directory, the user, the process holding it.
 */
void unix_hint(int err, const struct unix_addr *, int socktype, int binding);

#endif
