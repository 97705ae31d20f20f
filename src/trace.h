/*
 * trace.h: the path to a host probed hop by hop (TTL / hop limit 1, 2, ...),
 * several probes in flight at once, answers read from the ICMP error queue.
 * No output here: each finished hop is handed to the caller in order.
 */
#ifndef SOCKT_TRACE_H
#define SOCKT_TRACE_H

#include <sys/socket.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>

enum trace_kind {
	TRACE_UDP, /* datagrams to high ports, or to the port asked */
	TRACE_TCP, /* a SYN: a non-blocking connect */
	TRACE_ICMP, /* echo requests */
};

/* traceroute's first port: 33434 + probe number. */
#define TRACE_UDP_BASE_PORT 33434

struct trace_options {
	enum trace_kind kind;
	uint16_t port; /* 0: UDP to TRACE_UDP_BASE_PORT upward */
	int first_ttl, max_ttl;
	int probes; /* per hop */
	int parallel; /* probes in flight at once */
	int64_t wait; /* microseconds a probe waits for its answer */
	int mtu; /* --mtu: probes as large as the path allows, DF set */
	size_t size; /* probe packet bytes, IP header included */
};

/* What became of one probe. */
enum trace_answer {
	TRACE_PENDING,
	TRACE_SILENT, /* nothing within the wait: "*" */
	TRACE_HOP, /* time exceeded: a router on the way */
	TRACE_UNREACHABLE, /* destination unreachable from a router or the host: a mark */
	TRACE_PORT_OPEN, /* TCP SYN-ACK, or a UDP reply */
	TRACE_PORT_CLOSED, /* TCP RST, or ICMP port unreachable from the destination */
	TRACE_ECHO_REPLY, /* ICMP echo reply from the destination */
	TRACE_TOO_BIG, /* --mtu: "fragmentation needed" / "packet too big": sent again smaller */
	TRACE_SEND_FAILED, /* the probe could not go out: err */
};

struct trace_probe {
	int ttl;
	int fd; /* its own socket, or -1 (closed, or the shared raw socket) */
	uint16_t seq; /* ICMP sequence number, or UDP port offset */
	int64_t sent_at; /* monotonic microseconds; 0 not sent yet */
	enum trace_answer answer;
	struct sockaddr_storage from; /* who answered; ss_family 0 if none */
	int64_t rtt; /* microseconds */
	int icmp6;
	uint8_t type, code; /* of the ICMP message that answered */
	int err; /* the errno the answer stands for */
	size_t size; /* bytes it was sent with */
	uint32_t mtu; /* --mtu: the MTU a "too big" answer named */
	int small_retry; /* --mtu: sent again small after a large probe vanished */
};

/* A finished hop: every probe of one TTL answered or timed out. */
struct trace_hop {
	int ttl;
	const struct trace_probe *probe;
	int nprobes;
	uint32_t mtu; /* --mtu: the path MTU as this hop's probes found it */
	int mtu_from_ttl; /* the hop that said it is smaller, 0: none (the first MTU) */
	struct sockaddr_storage mtu_from; /* that hop's address */
	int black_hole; /* large probes vanished here while a small one came back */
	int last; /* the trace ends with this hop */
};

typedef int (*trace_hop_fn)(const struct trace_hop *, void *arg);

/* What failed, for the caller to report. */
struct trace_failure {
	const char *call; /* "socket", "setsockopt IP_TTL", "poll"... */
	int err;
	int raw_err; /* ICMP: the raw socket's refusal, where ping sockets were tried */
};

struct trace {
	struct trace_options opt;
	struct sockaddr_storage dest;
	socklen_t destlen;
	int family;
	trace_hop_fn on_hop; /* returns -1 to end the run (stdout gone) */
	/* Called as soon as an address answers, long before its hop is done (name lookups). */
	void (*on_address)(const struct sockaddr *, void *arg);
	void *arg;
	int raw_fd; /* ICMP over a raw socket; -1: ping sockets (or UDP, TCP) */
	/* Private to trace.c. */
	struct trace_probe *probe; /* (max_ttl - first_ttl + 1) * probes */
	size_t nprobe, next_send, inflight;
	int stop_ttl; /* the destination or an unreachable mark was seen here */
	int next_hop; /* the next TTL to hand to on_hop */
	uint16_t echo_id;
	uint32_t path_mtu; /* --mtu: the size probes go out with now */
	int mtu_from_ttl;
	struct sockaddr_storage mtu_from;
	uint8_t *buf;
	size_t buflen;
	int64_t *hop_rtt; /* per hop, the fastest answer so far; 0: none yet */
	int64_t *beyond_rtt; /* per hop, the fastest answer of any later hop */
	struct pollfd *pfd;
	struct trace_probe **polled;
	size_t resends; /* probes to send again (--mtu) */
};

/*
 * Sets up a trace of dest. For ICMP, opens the raw socket, or where that is
 * refused checks that ping sockets may be opened instead. Returns 0, or -1
 * with *f filled.
 */
int trace_init(struct trace *, const struct trace_options *, const struct sockaddr *dest,
    socklen_t destlen, struct trace_failure *f);
/*
 * Probes until the destination answers, a hop says it is unreachable, the
 * maximum TTL has been tried, *stop is set, or on_hop returns -1. Returns 0,
 * or -1 with *f filled for a local failure.
 */
int trace_run(struct trace *, volatile sig_atomic_t *stop, const sigset_t *waitmask,
    struct trace_failure *f);
void trace_free(struct trace *);

/* The first hop whose time-exceeded answers came from this address; 0 if none. */
int trace_hop_of(const struct trace *, const struct sockaddr *);
/* Whether a probe's answer ends the trace at its hop. */
int trace_answer_final(enum trace_answer);

#endif
