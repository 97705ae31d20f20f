/* relay.h: the byte pump between a connected socket and stdin/stdout (listen, connect, send). */
#ifndef SOCKT_RELAY_H
#define SOCKT_RELAY_H

#include <stddef.h>
#include <stdint.h>
#include <poll.h>
#include <sys/socket.h>

#include "pump.h"
#include "tcpinfo.h"

struct dump;
struct relay_taps;

struct relay_options {
	int no_shutdown; /* at input EOF keep the connection fully open */
	int recv_only; /* never read the input */
	int send_only; /* never write the output (the socket is still drained) */
	int64_t idle_usec; /* close after this long with no bytes either way; 0 or -1 forever */
	const void *data; /* when not NULL: send these bytes instead of reading in_fd */
	size_t data_len;
	int no_recv; /* finished once the input is sent: the socket is never read (send --no-recv)
		      */
	int64_t deadline_usec; /* clock_now_usec() time at which to give up; 0 for none (send -w) */
	int64_t max_time_usec; /* give up this long after the start; 0 for no limit (listen -k) */
	/*
	 * The caller closes with SO_LINGER 0 (--linger 0). That changes how the
	 * connection ends, not when: at input EOF no FIN is sent (a FIN sent
	 * first commits this side to TIME_WAIT), the relay reads on until the
	 * peer closes, waits until the peer has acknowledged every byte sent,
	 * and the caller's close sends RST.
	 */
	int linger0;
	int echo; /* what the peer sends goes back to it (RFC 862); in_fd and out_fd unused */
	int fed_input; /* the input is memory handed over with relay_conn_feed (listen -k) */
	int whole_writes; /* each read reaches out_fd whole (an output shared by many) */
	int close_output; /* once the peer's EOF is written out, close out_fd */
	int end_at_peer_eof; /* once the peer's EOF is in, read no more input */
	struct dump *dump; /* --dump: every byte each way goes there too (dump.h) */
	int crlf; /* -C: a lone LF from the input goes out as CRLF */
	const struct pump_io *sock_io; /* the socket side through TLS (pump.h), or NULL */
};

/* Where a relay failed, so that the caller can word it and choose the status. */
enum relay_failure {
	RELAY_FAIL_NONE,
	RELAY_FAIL_INPUT, /* reading stdin: a local failure (status 4) */
	RELAY_FAIL_SEND, /* sending to the peer, or shutting down the write side */
	RELAY_FAIL_RECEIVE, /* receiving from the peer */
	RELAY_FAIL_OUTPUT, /* writing stdout (not EPIPE, which is output_closed): local */
	RELAY_FAIL_IDLE, /* the idle timeout (err ETIMEDOUT) */
	RELAY_FAIL_DEADLINE, /* deadline_usec was reached (err ETIMEDOUT) */
	RELAY_FAIL_MAX_TIME, /* max_time_usec was reached (err ETIMEDOUT) */
	RELAY_FAIL_QUEUE, /* the peer did not take its input in time (listen -k --max-queue) */
	RELAY_FAIL_SYSTEM, /* poll, pipe, memory: a local failure */
	RELAY_FAIL_DUMP, /* writing the --dump: a local failure */
};

enum relay_closer {
	RELAY_CLOSER_NONE, /* still open both ways, or ended by error/timeout */
	RELAY_CLOSER_LOCAL, /* this side finished sending first (shutdown or close) */
	RELAY_CLOSER_PEER, /* the peer's FIN came first */
};

struct relay_stats {
	uint64_t bytes_sent; /* input -> socket */
	uint64_t bytes_input; /* read from the input: fewer than sent when -C added CRs */
	int crlf; /* -C was on: the summary says bytes_input too */
	uint64_t bytes_received; /* read from the socket */
	uint64_t bytes_written; /* of those, written to the output (or echoed back) */
	uint64_t input_unsent; /* input read (or queued, listen -k) that the peer did not take */
	uint64_t
	    unacked; /* with --linger 0, sent but not acknowledged at the end: the RST drops it */
	int64_t started_usec, ended_usec;
	int64_t first_byte_usec; /* when the first byte came from the peer; 0 if none did */
	struct tcpinfo tcp; /* TCP_INFO as the relay ended, before the caller's close */
	enum relay_closer first_close;
	int idle_timeout; /* ended by the idle timeout */
	int output_closed; /* the output reader went away (EPIPE): not an error */
	int err; /* errno of the failure, 0 if none */
	const char *failed_op; /* "read from stdin", "send to peer", ... */
	enum relay_failure failure;
	int fin_sent; /* this side shut down its sending side */
	int fin_received; /* the peer's FIN came (EOF) */
	int local_socket; /* a Unix socket: no TIME_WAIT on either side */
};

/*
 * One connection's relay: its two pumps (input to socket, socket to output),
 * the half-close, the wait for the peer's ACK before an RST, the idle timer,
 * the deadline and the failure. relay_run drives one; listen -k drives many
 * from one poll(2) loop. The pollfds and timers are the caller's, the rest
 * is in relay_conn_step.
 */
struct relay_conn {
	int sock, in_fd, out_fd;
	const struct relay_options *opt;
	struct relay_stats st;
	struct pump up, down; /* input -> socket, socket -> output (or back, --echo) */
	int up_active, down_active;
	int up_done, down_done;
	int failed;
	int64_t last_usec; /* the last byte either way, for the idle timeout */
	int64_t deadline_usec; /* the nearer of opt's deadline and max time; 0 none */
	struct relay_taps *taps; /* --dump and -C on the pumps (relay_taps.c); NULL: none */
};

/* Starts a relay on sock (made non-blocking). 0, or -1 with st's failure set. */
int relay_conn_start(struct relay_conn *, int sock, int in_fd, int out_fd,
    const struct relay_options *);
/* Fills the pollfds the relay waits on now (fd -1: none). */
void relay_conn_poll(const struct relay_conn *, struct pollfd *in, struct pollfd *sock,
    struct pollfd *out);
/* Moves what the events allow; 0, or -1 with st's failure set. */
int relay_conn_step(struct relay_conn *, short in_events, short sock_events, short out_events);
/* Microseconds until relay_conn_timers has something to do; -1 never. */
int64_t relay_conn_wait(const struct relay_conn *, int64_t now);
/* Fires the idle timer (returns 1) or the deadline (-1); 0 if neither is due. */
int relay_conn_timers(struct relay_conn *, int64_t now);
/* Both ways done (and, with --linger 0, every byte acknowledged), or failed. */
int relay_conn_over(const struct relay_conn *);
/* Counts the last bytes into st and frees the pumps; the socket stays open. */
void relay_conn_end(struct relay_conn *);
/* Ends the relay from outside: records the failure, as if a step had. */
void relay_conn_abort(struct relay_conn *, enum relay_failure, const char *op, int err);
/* With fed_input: whether it has sent all it was given, how much, and more to send. */
int relay_conn_wants_feed(const struct relay_conn *);
uint64_t relay_conn_fed(const struct relay_conn *);
uint64_t relay_conn_taken(const struct relay_conn *);
void relay_conn_feed(struct relay_conn *, const void *mem, size_t len);
void relay_conn_end_feed(struct relay_conn *);
/* Puts --dump and -C on the pumps (relay_taps.c); frees them. 0, or -1 with errno. */
int relay_taps_start(struct relay_conn *);
void relay_taps_end(struct relay_conn *);
/* Whether a whole write waited for the output since the last call (clears it). */
int relay_conn_output_waited(struct relay_conn *);

/*
 * Moves bytes both ways until both directions are finished (or the idle
 * timeout, or an error). Returns 0 when the relay ended without error: both
 * ways finished, the output's reader gone (output_closed), or the idle
 * timeout (idle_timeout, failure RELAY_FAIL_IDLE); -1 with stats->err,
 * failed_op and failure set otherwise. Never closes sock; leaves it
 * non-blocking.
 */
int relay_run(int sock, int in_fd, int out_fd, const struct relay_options *, struct relay_stats *);

/* Whether the failure was on this machine's side (stdin, stdout, resources): sockt(1) status 4. */
int relay_failure_is_local(enum relay_failure);

/*
 * The failed operation with the peer named as the lines of sockt(1), DIAGNOSTICS, name it:
 * "send to 127.0.0.1 port 80 (tcp)"; a local failure ("read from stdin")
 * is said as it is. peer may be NULL. Pure.
 */
void relay_format_failure(const struct relay_stats *, const struct sockaddr *peer, char *buf,
    size_t len);

/*
 * The -v close summary, e.g. "closed: 12 bytes sent, 4096 received in 0.52 s;
 * this side closed first and will hold TIME_WAIT". Pure.
 */
void relay_format_summary(const struct relay_stats *, int linger0, char *buf, size_t len);

#endif
