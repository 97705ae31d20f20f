/*
 * unixsock_proc.h: Unix sockets as /proc/net/unix lists them, and the
 * processes that hold them (for listen -U's hint on a live socket).
 */
#ifndef SOCKT_UNIXSOCK_PROC_H
#define SOCKT_UNIXSOCK_PROC_H

#include <sys/types.h>
#include <stddef.h>
#include <stdint.h>

/* __SO_ACCEPTCON in the Flags column: the socket listens. */
#define UNIX_PROC_LISTENING 0x10000

struct unix_proc_entry {
	unsigned long flags;
	unsigned type; /* SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET */
	unsigned state; /* SS_UNCONNECTED 1, SS_CONNECTING 2, SS_CONNECTED 3 ... */
	uint64_t inode;
	const char *path; /* into the line: "/run/x", "@name", or "" when unbound */
	size_t path_len;
};

/*
 * Pure: one line of /proc/net/unix. Returns 0, or -1 for the header line
 * or a malformed one.
 */
int unix_proc_parse_line(const char *, size_t, struct unix_proc_entry *);

/*
 * The process holding a socket bound to name ("/path" or "@name", raw),
 * preferring one that listens: its pid and name (made printable), or 0
 * when none is found (another user's, without the privilege to look).
 */
int unix_proc_holder(const char *name, size_t len, char *process, size_t plen);

struct unix_addr;
/* How many sockets /proc/net/unix shows bound to a's name; -1 with errno if unreadable. */
int unix_proc_bound(const struct unix_addr *);
/* unix_proc_holder for a's name. */
int unix_proc_addr_holder(const struct unix_addr *, char *process, size_t plen);

/* The name of process pid (its comm), made printable with strvis; "?" if unknown. */
void unix_proc_comm(pid_t, char *, size_t);

#endif
