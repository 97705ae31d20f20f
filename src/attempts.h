/* attempts.h: the words for outgoing connection attempts, shared by connect and send. */
#ifndef SOCKT_ATTEMPTS_H
#define SOCKT_ATTEMPTS_H

#include <stdint.h>

#include "eyeballs.h"
#include "source.h"

/* A -s/-p that could not be bound (or no socket at all): the local side's error line. */
void attempts_report_source_error(int err, const struct source *src, int family);
/* One failed attempt's error line: the bind of -s/-p, or the connect. src may be NULL. */
void attempts_report_error(const struct eyeballs_attempt *, const struct source *src);
/* An eyeballs on_event callback for -v (ctx: the struct source, or NULL). */
void attempts_on_event(const struct eyeballs_attempt *, void *ctx);
/*
 * Every address failed: each one's own error line (unless -v printed them
 * as they happened), one hint per distinct cause. Returns the exit status.
 */
int attempts_report_all_failed(const struct eyeballs_result *, const struct source *src,
    int64_t timeout_usec);

#endif
