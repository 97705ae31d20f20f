/*
 * child.h: --exec and --sh-exec, a program per connection (listen, connect): the socket is
 * the program's stdin and stdout, its stderr stays sockt's (sockt-listen(1), Programs).
 */
#ifndef SOCKT_CHILD_H
#define SOCKT_CHILD_H

#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "sock.h"

struct child_prog {
	const char *text; /* as given, for the lines that name it */
	const char *option; /* "--exec" or "--sh-exec" */
	int shell; /* --sh-exec */
	char *buf; /* --exec: the value, split in place */
	char **argv; /* NULL-terminated; NULL: no program */
};

/*
 * --exec PROGRAM [ARGS...]: the value split on blanks (spaces and tabs),
 * with no quoting and no shell; --sh-exec COMMAND: /bin/sh -c COMMAND.
 * Returns -1 (errno EINVAL) for a value with no word.
 */
int child_prog_parse(struct child_prog *, const char *value, int shell);
void child_prog_free(struct child_prog *);
struct opt_parser;
/* The option's value, read as above; an empty one, or a second program, is a usage error. */
void child_option(struct child_prog *, const struct opt_parser *, int shell);
/* Whether the program can be run, found as execvp(3) would: 0, or status 4 after the lines. */
int child_prog_check(const struct child_prog *);

/*
 * Runs one program on a connected socket and waits for it; max_time_usec
 * above 0 ends it then (SIGTERM, SIGKILL a second later). who names the
 * peer. Returns the status (sockt-listen(1), Programs): 0 if it exited 0, 1
 * otherwise, 4 if it could not be started.
 */
int child_run_one(const struct child_prog *, int sock, const char *who, int64_t max_time_usec);

struct child_serve_options {
	int max_conns; /* programs running at once; further clients wait in the backlog */
	int64_t accept_timeout_usec; /* give up when no connection came this long; -1 never */
	int64_t max_time_usec; /* end a program running this long; 0 never */
	int linger0; /* the connections close with RST */
	/* Whether to serve a peer (--allow, --deny); refused ones are closed. May be NULL. */
	int (*admit)(const struct sockaddr_storage *, void *ctx);
	void *ctx;
};

/*
 * listen -k --exec: accepts connections and hands each to a program of its
 * own, reaping them as they end. Returns only on a failure: the status,
 * once reported.
 */
int child_serve(struct bound *, const struct child_prog *, const struct child_serve_options *);

#endif
