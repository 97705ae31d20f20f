/* report.h: every line sockt prints about its work, and the exit statuses. */
#ifndef SOCKT_REPORT_H
#define SOCKT_REPORT_H

#include <stdarg.h>

/* The exit statuses of sockt(1), EXIT STATUS, in one place. */
enum exit_status {
	EXIT_OK = 0,
	EXIT_NETWORK = 1, /* refused, reset, timed out, unreachable, no reply */
	EXIT_USAGE = 2,
	EXIT_RESOLVE = 3,
	EXIT_LOCAL = 4, /* bind refused, no permission, local I/O, resources */
};

/* The name after "sockt " in every diagnostic line. */
void report_set_command(const char *);
const char *report_command(void);

/* "sockt CMD: WHAT: strerror [ENAME, errno N]" */
void report_errno(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "sockt CMD: WHAT: gai_strerror [EAI_X]" (and the errno for EAI_SYSTEM) */
void report_eai(int eai, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* "sockt CMD: hint: ..." */
void report_hint(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "sockt CMD: ..." always (errors without an errno) */
void report_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "sockt CMD: ..." unless -q: notices that are not errors */
void report_notice(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "sockt CMD: ..." only when -v was given at least `level` times */
void report_verbose(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* "ECONNREFUSED"; "E123" for an unknown number. */
const char *errno_name(int);
/* "EAI_NONAME"; "EAI_123" for an unknown code. */
const char *eai_name(int);

/* The status an errno from a network operation means (1 or 4). */
int exit_status_for_errno(int);

#endif
