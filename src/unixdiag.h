/*
 * unixdiag.h: the kernel's table of Unix domain sockets (NETLINK_SOCK_DIAG
 * with UNIX_DIAG, else /proc/net/unix), for state -x.
 */
#ifndef SOCKT_UNIXDIAG_H
#define SOCKT_UNIXDIAG_H

#include <stddef.h>
#include <stdint.h>

#include "sockdiag.h"
#include "unixsock.h"

/* A Unix socket's state as UNIX_DIAG numbers it (the TCP numbers of sockdiag.h). */
enum {
	UNIXDIAG_CONNECTED = SOCKDIAG_ESTABLISHED,
	UNIXDIAG_CONNECTING = SOCKDIAG_SYN_SENT,
	UNIXDIAG_UNCONNECTED = SOCKDIAG_CLOSE,
	UNIXDIAG_LISTEN = SOCKDIAG_LISTEN,
};

struct unixdiag_socket {
	uint8_t type; /* SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET */
	uint8_t state;
	uint64_t inode;
	uint64_t peer; /* the peer's inode; 0 for none or unknown (/proc) */
	int has_uid; /* UNIX_DIAG_UID came (Linux 5.3 on; never from /proc) */
	uint32_t uid;
	uint32_t recv_queue, send_queue; /* a listener's: connections waiting, and its backlog */
	char path[UNIX_TEXT_MAX]; /* "/run/x.sock", "@name" escaped; "" when unbound */
	int pid; /* the owner, from unixdiag_find_owners; 0 when unknown */
	char process[64];
};

struct unixdiag_table {
	struct unixdiag_socket *v;
	size_t n, cap;
	enum sockdiag_source source;
	int forced; /* SOCKT_SOCKDIAG chose the source */
	int bad_mode; /* SOCKT_SOCKDIAG is none of auto, netlink, proc */
	int netlink_err; /* errno that made netlink unusable */
	size_t skipped; /* malformed messages or lines */
};

/* Fills the table, from netlink or else /proc/net/unix (SOCKT_SOCKDIAG as for sockdiag_list). */
int unixdiag_list(struct unixdiag_table *);
void unixdiag_table_free(struct unixdiag_table *);
/* Pure: appends a socket (copied); 0 or -1 with errno ENOMEM. */
int unixdiag_add(struct unixdiag_table *, const struct unixdiag_socket *);
/* The owners from /proc/PID/fd; as sockdiag_find_owners. */
int unixdiag_find_owners(struct unixdiag_table *);

/* Pure: the UNIX_DIAG dump request into buf (UNIXDIAG_REQUEST_MAX bytes); returns its length. */
#define UNIXDIAG_REQUEST_MAX 64
size_t unixdiag_request(uint32_t seq, void *buf);
/* Pure: one datagram of the reply, as sockdiag_parse_netlink: 1 at the end, 0 more, -1 errno. */
int unixdiag_parse_netlink(const void *, size_t, uint32_t seq, struct unixdiag_table *);
/* Pure: one line of /proc/net/unix into a socket; 0, or -1 for the header or a bad line. */
int unixdiag_parse_proc_line(const char *, size_t, struct unixdiag_socket *);

/* "LISTEN", "CONNECTED", "UNCONNECTED", "CONNECTING" */
const char *unixdiag_state_name(int state);
/* "stream", "dgram", "seqpacket" */
const char *unixdiag_type_name(int type);
struct json;
/* Pure: the socket as one JSON object ("type":"unix", ...), with pid and process if owners. */
void unixdiag_json(struct json *, const struct unixdiag_socket *, int owners);

#endif
