/* relay.h: the byte pump between a connected socket and stdin/stdout (listen, connect, send). */
#ifndef SOCKT_RELAY_H
#define SOCKT_RELAY_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

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
	/*
	 * The caller closes with SO_LINGER 0 (--linger 0). A FIN sent first
	 * commits this side to TIME_WAIT, so at input EOF there is no
	 * half-close: the relay ends once the peer has acknowledged every byte
	 * sent, and the close's RST ends the connection.
	 */
	int linger0;
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
	RELAY_FAIL_SYSTEM, /* poll, pipe, memory: a local failure */
};

enum relay_closer {
	RELAY_CLOSER_NONE, /* still open both ways, or ended by error/timeout */
	RELAY_CLOSER_LOCAL, /* this side finished sending first (shutdown or close) */
	RELAY_CLOSER_PEER, /* the peer's FIN came first */
};

struct relay_stats {
	uint64_t bytes_sent; /* input -> socket */
	uint64_t bytes_received; /* socket -> output */
	int64_t started_usec, ended_usec;
	enum relay_closer first_close;
	int idle_timeout; /* ended by the idle timeout */
	int output_closed; /* the output reader went away (EPIPE): not an error */
	int err; /* errno of the failure, 0 if none */
	const char *failed_op; /* "read from stdin", "send to peer", ... */
	enum relay_failure failure;
	int fin_sent; /* this side shut down its sending side */
	int fin_received; /* the peer's FIN came (EOF) */
};

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
int relay_failure_is_local(const struct relay_stats *);

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
