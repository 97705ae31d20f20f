/* attempts.h: the words for outgoing connection attempts, shared by connect and send. */
#ifndef SOCKT_ATTEMPTS_H
#define SOCKT_ATTEMPTS_H

#include <stdint.h>
#include <sys/socket.h>

#include "eyeballs.h"
#include "source.h"

/* "connect to HOST port PORT (tcp): ..." [errno]: the one wording of a failed connect. */
void attempts_report_connect(int err, const char *host, const char *port);
/* The same for an address (its number and port). */
void attempts_report_connect_to(int err, const struct sockaddr *);
/*
 * The local side's error line: a tunable refused, a -s/-p that could not be
 * bound, or no socket at all; in_bind is source_socket's.
 */
void attempts_report_source_error(int err, const struct source *src, int family, int in_bind);
/* One failed attempt's error line: the bind of -s/-p, or the connect. src may be NULL. */
void attempts_report_error(const struct eyeballs_attempt *, const struct source *src);
/* -vv: "route to ADDR: via GW dev IF src SRC", the kernel's route for an attempt (route.h). */
void attempts_report_route(const struct sockaddr *);
/* An eyeballs on_event callback for -v (ctx: the struct source, or NULL). */
void attempts_on_event(const struct eyeballs_attempt *, void *ctx);
/*
 * Every address failed: each one's own error line (unless -v printed them
 * as they happened), one hint per distinct cause. Returns the exit status.
 */
int attempts_report_all_failed(const struct eyeballs_result *, const struct source *src,
    int64_t timeout_usec);

#endif
