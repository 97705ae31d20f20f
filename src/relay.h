/* relay.h: the byte pump between a connected socket and stdin/stdout (listen, connect, send). */
#ifndef SOCKT_RELAY_H
#define SOCKT_RELAY_H

#include <stddef.h>
#include <stdint.h>

struct relay_options {
	int no_shutdown;	/* at input EOF keep the connection fully open */
	int recv_only;		/* never read the input */
	int send_only;		/* never write the output (the socket is still drained) */
	int64_t idle_usec;	/* close after this long with no bytes either way; -1 forever */
	const void *data;	/* when not NULL: send these bytes instead of reading in_fd */
	size_t data_len;
};

enum relay_closer {
	RELAY_CLOSER_NONE,	/* still open both ways, or ended by error/timeout */
	RELAY_CLOSER_LOCAL,	/* this side finished sending first (shutdown or close) */
	RELAY_CLOSER_PEER,	/* the peer's FIN came first */
};

struct relay_stats {
	uint64_t bytes_sent;		/* input -> socket */
	uint64_t bytes_received;	/* socket -> output */
	int64_t started_usec, ended_usec;
	enum relay_closer first_close;
	int idle_timeout;		/* ended by the idle timeout */
	int output_closed;		/* the output reader went away (EPIPE): not an error */
	int err;			/* errno of the failure, 0 if none */
	const char *failed_op;		/* "read from stdin", "send to peer", ... */
};

/*
 * Moves bytes both ways until both directions are finished (or the idle
 * timeout, or an error). Returns 0 when the relay ended normally, -1 with
 * stats->err and stats->failed_op set otherwise. Never closes sock.
 */
int relay_run(int sock, int in_fd, int out_fd, const struct relay_options *, struct relay_stats *);

/*
 * The -v close summary, e.g. "closed: 12 bytes sent, 4096 received in 0.52 s;
 * this side closed first and will hold TIME_WAIT". Pure.
 */
void relay_format_summary(const struct relay_stats *, int linger0, char *buf, size_t len);

#endif
