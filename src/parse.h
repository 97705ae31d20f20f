/* parse.h: numbers, durations, sizes, ports and escapes from the command line. Pure. */
#ifndef SOCKT_PARSE_H
#define SOCKT_PARSE_H

#include <stddef.h>
#include <stdint.h>

/* Durations are kept in microseconds; the longest accepted is DURATION_MAX. */
#define DURATION_MAX (INT64_C(1000000) * 86400 * 365)

/* "1.5", "250ms", "2s", "3m", "0.001": 0 on success, -1 (errno EINVAL/ERANGE). */
int parse_duration(const char *, int64_t *usec);
/* "64k", "1M", "512": powers of 1024, at most max. */
int parse_size(const char *, uint64_t max, uint64_t *out);
/* Whether s is one or more decimal digits and nothing else. */
int parse_is_decimal(const char *);
/* strtonum with the allowed range; errstr as strtonum's. */
int parse_number(const char *, long long min, long long max, long long *out, const char **errstr);
/*
 * A decimal port 0-65535 or a service name from the services database:
 * errno EINVAL or ERANGE for a malformed word, ENOENT for a name the
 * database does not have.
 */
int parse_port(const char *, const char *proto, uint16_t *port);
/* "80", "20-25", "http": lo..hi inclusive, lo <= hi. */
int parse_port_range(const char *, const char *proto, uint16_t *lo, uint16_t *hi);
/*
 * Decodes \r \n \t \\ \xHH (and \0) in place-safe fashion into out, which
 * must hold strlen(in) bytes. Returns the decoded length, or -1 with
 * *bad pointing at the offending backslash.
 */
long parse_escapes(const char *in, char *out, const char **bad);

/* Microseconds to a poll(2) timeout, rounded up; -1 stays -1 (forever). */
int duration_to_poll_ms(int64_t usec);
/* "2 s", "250 ms", "1.5 s": how a duration is said back to the user. */
void duration_format(int64_t usec, char *buf, size_t len);

#endif
