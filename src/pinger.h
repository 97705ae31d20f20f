/* pinger.h: echo requests to several hosts at once, replies matched, counted and timed. */
#ifndef SOCKT_PINGER_H
#define SOCKT_PINGER_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <time.h>

#include "icmp.h"
#include "tunables.h"

struct pinger_options {
	long long count; /* requests per host; 0: until stopped */
	int64_t interval; /* microseconds between a host's requests */
	int64_t timeout; /* microseconds a request waits for its reply */
	int64_t deadline; /* microseconds for the whole run; 0: none */
	size_t datalen; /* payload bytes */
	struct tunables tun; /* TTL, TOS, interface */
	const struct sockaddr *source; /* bind to it, or NULL */
	socklen_t sourcelen;
};

/* What one host's run came to; times in microseconds, as ping keeps them. */
struct ping_stats {
	long long transmitted, received, duplicates, corrupted, errors, damaged, lost;
	long long late; /* replies after the timeout, counted in received and not lost */
	long long tmin, tmax, tsum, tsum2;
	int pipe; /* the most requests in flight when one was answered */
	int64_t first_send, last_send;
};

/* A send record: kept for the requests that may still be answered. */
struct ping_sent {
	long long index; /* 1 for the first request */
	int64_t mono; /* monotonic microseconds */
	struct timespec real; /* CLOCK_REALTIME, against the kernel's receive stamp */
	int state;
};

struct ping_host {
	const char *name; /* as the user gave it */
	struct sockaddr_storage addr;
	socklen_t addrlen;
	int family;
	int fd; /* its socket (shared by the raw hosts of a family) */
	int dgram; /* a ping socket rather than a raw one */
	uint16_t id;
	struct ping_stats stats;
	/* Private to pinger.c. */
	struct ping_sent *ring;
	size_t ringmask;
	long long oldest; /* the first request not yet answered, failed or lost */
	int64_t next_send;
	struct icmp_seen seen;
};

enum ping_event_type {
	PING_EVENT_REPLY,
	PING_EVENT_LOSS, /* no reply within the timeout, or none by the end */
	PING_EVENT_ERROR, /* an ICMP error about one of the requests */
	PING_EVENT_SEND_ERROR, /* sendto failed: err */
	PING_EVENT_IGNORED, /* a packet that is not for this run (why) */
};

struct ping_event {
	enum ping_event_type type;
	struct ping_host *host; /* NULL for IGNORED packets that match no host */
	uint16_t seq;
	const struct sockaddr *from; /* replies, errors, ignored packets */
	socklen_t fromlen;
	/* Replies. */
	size_t bytes; /* ICMP bytes */
	int ttl; /* -1: unknown */
	long long rtt; /* microseconds */
	int dup, corrupted, different_address;
	int truncated; /* a reply shorter than the request; IGNORED: a packet cut (MSG_TRUNC) */
	int late; /* after the timeout: the request was reported lost, and no longer is */
	const uint8_t *data; /* the payload as received */
	size_t datalen;
	struct icmp_damage damage;
	const struct timespec *sent; /* for the expected bytes; NULL if no longer known */
	/* Errors. */
	uint8_t icmp_type, icmp_code;
	uint32_t info;
	int err;
	const char *why;
};

typedef int (*ping_event_fn)(const struct ping_event *, void *arg);

/* What failed while the sockets were set up, for the caller to report. */
struct pinger_failure {
	const char *call; /* "raw socket", "ping socket", "bind", "setsockopt IP_TTL"... */
	int err;
	int family;
	int raw_err; /* when ping sockets were tried after raw ones were refused */
	enum tunable tunable; /* which tunable the system refused (call "setsockopt") */
};

struct pinger {
	struct pinger_options opt;
	struct ping_host *hosts;
	size_t nhosts;
	int raw_fd[2]; /* IPv4, IPv6; -1 where not open */
	int raw_refused[2]; /* errno of the refused raw socket, where ping sockets are used */
	ping_event_fn on_event; /* returns -1 to end the run (stdout gone) */
	void *arg;
	/* Private to pinger.c. */
	uint8_t *packet, *rbuf;
	size_t packetlen, rbuflen;
	size_t hostcap; /* hosts allocated, while nhosts may shrink */
	uint16_t idbase;
	int64_t start;
	int stopped;
};

/*
 * Sets up a pinger for nhosts hosts, whose name, addr, addrlen and family
 * the caller fills; it may then lower nhosts (hosts that did not resolve).
 */
int pinger_init(struct pinger *, const struct pinger_options *, size_t nhosts);
/*
 * Opens the sockets: one raw socket per family, or where that is refused
 * (EPERM, EACCES) one ping socket per host; then sets their options (TTL,
 * source, filters, kernel timestamps). Returns 0, or -1 with *f filled.
 */
int pinger_open(struct pinger *, struct pinger_failure *f);
/*
 * The address the host's requests leave from, where -I named only an
 * interface: 0, or -1 with errno. Sends nothing.
 */
int pinger_source_of(const struct pinger *, const struct ping_host *, struct sockaddr_storage *);
/*
 * Runs until every host is done (count sent and answered or timed out), the
 * deadline, *stop becoming non-zero, or an event handler returning -1. The
 * signals that set *stop must be blocked; waitmask is the mask to wait with.
 * Requests still unanswered at the end are reported lost. Returns 0, or -1
 * with errno for a local failure.
 */
int pinger_run(struct pinger *, volatile sig_atomic_t *stop, const sigset_t *waitmask);
void pinger_free(struct pinger *);

/* Adds one round trip (microseconds) to the figures; before received is counted. */
void ping_stats_add_rtt(struct ping_stats *, long long rtt);
/* ping's summary figures, in microseconds: min, avg, max and mdev (as iputils computes it). */
void ping_stats_rtt(const struct ping_stats *, long long *min, long long *avg, long long *max,
    long long *mdev);
/* "0.046", "12.3", "123": a time in ms the way ping prints time=. */
void ping_format_rtt(long long usec, char *buf, size_t len);
/* The loss in percent, as ping computes it (through a float). */
double ping_stats_loss(const struct ping_stats *);
/* "rtt min/avg/max/mdev = 0.031/0.045/0.062/0.011 ms" into buf; snprintf's return. */
int ping_stats_rtt_text(const struct ping_stats *, char *buf, size_t len);
struct json;
/* The four figures as "rtt_min_ms" ... "rtt_mdev_ms" (null when nothing was received). */
void ping_stats_rtt_json(struct json *, const struct ping_stats *);

#endif
