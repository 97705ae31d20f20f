/*
 * sockdiag.h: the kernel's table of TCP and UDP sockets (NETLINK_SOCK_DIAG, else /proc/net),
 * for state and for the hints on a failed bind.
 */
#ifndef SOCKT_SOCKDIAG_H
#define SOCKT_SOCKDIAG_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* Socket states as the kernel numbers them (include/net/tcp_states.h); UDP uses 1 and 7. */
enum sockdiag_state {
	SOCKDIAG_ESTABLISHED = 1,
	SOCKDIAG_SYN_SENT,
	SOCKDIAG_SYN_RECV,
	SOCKDIAG_FIN_WAIT1,
	SOCKDIAG_FIN_WAIT2,
	SOCKDIAG_TIME_WAIT,
	SOCKDIAG_CLOSE,
	SOCKDIAG_CLOSE_WAIT,
	SOCKDIAG_LAST_ACK,
	SOCKDIAG_LISTEN,
	SOCKDIAG_CLOSING,
	SOCKDIAG_NEW_SYN_RECV,
	SOCKDIAG_BOUND_INACTIVE,
	SOCKDIAG_STATE_MAX, /* one past the last */
};

/* The timer pending on a socket (idiag_timer, the "tr" column of /proc/net/tcp). */
enum sockdiag_timer {
	SOCKDIAG_TIMER_NONE = 0,
	SOCKDIAG_TIMER_RETRANSMIT = 1,
	SOCKDIAG_TIMER_KEEPALIVE = 2,
	SOCKDIAG_TIMER_TIME_WAIT = 3,
	SOCKDIAG_TIMER_PROBE = 4, /* zero-window probe */
};

enum sockdiag_source {
	SOCKDIAG_SOURCE_NONE,
	SOCKDIAG_SOURCE_NETLINK,
	SOCKDIAG_SOURCE_PROC,
};

/* What to list. The kernel filters by family, state and port where it can; parsers do it again. */
struct sockdiag_filter {
	int protocol; /* IPPROTO_TCP or IPPROTO_UDP */
	int family; /* AF_UNSPEC, AF_INET or AF_INET6 */
	uint32_t states; /* 1 << state for each wanted state; 0 for every state */
	int port; /* the local or the remote port; -1 for any */
};

struct sockdiag_socket {
	uint8_t family; /* AF_INET or AF_INET6 */
	uint8_t protocol; /* IPPROTO_TCP or IPPROTO_UDP */
	uint8_t state; /* enum sockdiag_state */
	uint8_t timer; /* enum sockdiag_timer */
	uint16_t local_port, remote_port;
	uint8_t local[16], remote[16]; /* network order; IPv4 in the first 4 bytes */
	uint32_t ifindex; /* bound device, 0 if none or unknown */
	uint32_t expires_ms; /* time left on the timer */
	uint32_t retransmits; /* retransmissions or probes so far */
	uint32_t recv_queue, send_queue;
	uint32_t uid;
	uint64_t inode; /* 0 for TIME_WAIT and request sockets, which no process holds */
	int pid; /* owner from sockdiag_find_owners; 0 when unknown */
	char process[64]; /* its name (comm), made safe to print with strvis */
};

struct sockdiag_table {
	struct sockdiag_socket *v;
	size_t n, cap;
	enum sockdiag_source source;
	int forced; /* the source was chosen by SOCKT_SOCKDIAG */
	int bad_mode; /* SOCKT_SOCKDIAG is none of auto, netlink, proc (errno EINVAL) */
	int netlink_err; /* errno that made netlink unusable, 0 if not tried or it worked */
	int kernel_port_filter; /* the kernel filtered by port (bytecode) */
	size_t skipped; /* malformed messages or lines ignored */
};

/*
 * Fills the table with the sockets the filter selects: from netlink, or
 * from /proc/net when netlink fails or SOCKT_SOCKDIAG=proc (=netlink
 * allows no fallback). Returns 0, or -1 with errno; the table is to be
 * freed either way.
 */
int sockdiag_list(const struct sockdiag_filter *, struct sockdiag_table *);
void sockdiag_table_free(struct sockdiag_table *);

/*
 * Finds the process holding each socket by its inode under /proc/PID/fd.
 * Returns how many processes could not be looked into (another user's
 * without the privilege), or -1 with errno if /proc could not be read.
 */
int sockdiag_find_owners(struct sockdiag_table *);

/* Pure: whether the filter selects a socket. */
int sockdiag_match(const struct sockdiag_filter *, const struct sockdiag_socket *);
/* Pure: appends a socket (copied); 0 or -1 with errno ENOMEM. */
int sockdiag_add(struct sockdiag_table *, const struct sockdiag_socket *);

/*
 * Pure: the dump request for one family into buf (at least
 * SOCKDIAG_REQUEST_MAX bytes), with the port as bytecode when with_bytecode
 * and f->port is set. Returns its length.
 */
#define SOCKDIAG_REQUEST_MAX 128
size_t sockdiag_netlink_request(const struct sockdiag_filter *, int family, uint32_t seq,
    int with_bytecode, void *buf);
/*
 * Pure: parses one datagram of the dump's reply, adding the sockets the
 * filter selects. Returns 1 at the end of the dump (NLMSG_DONE), 0 when
 * more is to come, -1 with errno (the kernel's error, EPROTO for a
 * malformed reply, ENOMEM).
 */
int sockdiag_parse_netlink(const void *, size_t, uint32_t seq, const struct sockdiag_filter *,
    struct sockdiag_table *);
/*
 * Pure: one line of /proc/net/tcp, tcp6, udp or udp6 (family AF_INET or
 * AF_INET6; hz is the clock tick rate, sysconf(_SC_CLK_TCK)). Returns 0,
 * or -1 for the header line or a malformed one.
 */
int sockdiag_parse_proc_line(const char *, int family, int protocol, long hz,
    struct sockdiag_socket *);

/* The /proc/net reader behind sockdiag_list (sockdiag_proc.c); 0 or -1 with errno. */
int sockdiag_proc_list(const struct sockdiag_filter *, struct sockdiag_table *);

/* "TIME_WAIT", "LISTEN"; for UDP "UNCONNECTED" and "CONNECTED". */
const char *sockdiag_state_name(int protocol, int state);
/* The state for a name as sockdiag_state_name says it (any case, '-' for '_'); -1 if none. */
int sockdiag_state_from_name(int protocol, const char *);
/* Pure: "2 ESTABLISHED, 1 TIME_WAIT" from a count per state; returns how many states had any. */
int sockdiag_states_text(const size_t counts[SOCKDIAG_STATE_MAX], int protocol, char *, size_t);
/* "timewait", "retrans", "keepalive", "probe"; NULL for none. */
const char *sockdiag_timer_name(int timer);
/* Whether the time left is worth showing: TIME_WAIT, FIN_WAIT_2, retransmitting or probing. */
int sockdiag_timer_matters(const struct sockdiag_socket *);
/* Pure: the local or remote address as a sockaddr (port and scope included). */
void sockdiag_sockaddr(const struct sockdiag_socket *, int remote, struct sockaddr_storage *);

/* Pure (sockdiag_text.c): "127.0.0.1:4096", "[::1]:4096", "0.0.0.0:*"; returns the length. */
size_t sockdiag_endpoint_text(const struct sockdiag_socket *, int remote, char *, size_t);
/* Pure: "timewait:41.2s", "retrans:0.204s/2", or "-" when no timer matters; returns the length. */
size_t sockdiag_timer_text(const struct sockdiag_socket *, char *, size_t);
struct json;
/* Pure: the socket as one JSON object ("type":"socket", ...), with pid and process if with_owner.
 */
void sockdiag_json(struct json *, const struct sockdiag_socket *, int with_owner);
/*
 * The sockets in the order to print them: by local port, family, local
 * address, remote address, remote port, state. A new array to free, or
 * NULL with errno ENOMEM.
 */
const struct sockdiag_socket **sockdiag_sorted(const struct sockdiag_table *);

/*
 * Neither source of a socket table worked (state, state -x): each one's error
 * about `what` ("socket table", "Unix socket table", read from proc_path), then
 * the status, 4, or 2 for a bad SOCKT_SOCKDIAG. The fields are the table's.
 */
int sockdiag_list_failed(int bad_mode, int netlink_err, int forced, int err, const char *what,
    const char *proc_path);

#endif
