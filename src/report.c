/* report.c: the diagnostic lines of sockt(1), DIAGNOSTICS, and the errno/EAI names in them. */
#include "config.h"

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compat/compat.h"
#include "cmd.h"
#include "report.h"

static const char *command_name;

void
report_set_command(const char *name)
{
	command_name = name;
}

const char *
report_command(void)
{
	return command_name;
}

/* Writes "sockt CMD: " + the formatted text + an optional tail + newline, as one write. */
static void emit(const char *, const char *, va_list) __attribute__((format(printf, 2, 0)));

static void
emit(const char *tail, const char *fmt, va_list ap)
{
	char line[4096];
	int n;
	size_t used;

	if (command_name != NULL)
		n = snprintf(line, sizeof(line), "sockt %s: ", command_name);
	else
		n = snprintf(line, sizeof(line), "sockt: ");
	used = n < 0 ? 0 : (size_t)n;
	n = vsnprintf(line + used, sizeof(line) - used, fmt, ap);
	if (n > 0)
		used += (size_t)n;
	if (used >= sizeof(line))
		used = sizeof(line) - 1;
	if (tail != NULL) {
		used += strlcpy(line + used, tail, sizeof(line) - used);
		if (used >= sizeof(line))
			used = sizeof(line) - 1;
	}
	fflush(stdout);
	fprintf(stderr, "%.*s\n", (int)used, line);
}

const char *
errno_name(int err)
{
	static char unknown[16];
	const char *name = strerrorname_np(err);

	if (name != NULL)
		return name;
	snprintf(unknown, sizeof(unknown), "E%d", err);
	return unknown;
}

const char *
eai_name(int eai)
{
	static char unknown[24];

	switch (eai) {
	case EAI_AGAIN: return "EAI_AGAIN";
	case EAI_BADFLAGS: return "EAI_BADFLAGS";
	case EAI_FAIL: return "EAI_FAIL";
	case EAI_FAMILY: return "EAI_FAMILY";
	case EAI_MEMORY: return "EAI_MEMORY";
	case EAI_NONAME: return "EAI_NONAME";
	case EAI_SERVICE: return "EAI_SERVICE";
	case EAI_SOCKTYPE: return "EAI_SOCKTYPE";
	case EAI_SYSTEM: return "EAI_SYSTEM";
	case EAI_OVERFLOW: return "EAI_OVERFLOW";
#ifdef EAI_NODATA
	case EAI_NODATA: return "EAI_NODATA";
#endif
#ifdef EAI_ADDRFAMILY
	case EAI_ADDRFAMILY: return "EAI_ADDRFAMILY";
#endif
	}
	snprintf(unknown, sizeof(unknown), "EAI_%d", eai);
	return unknown;
}

void
report_errno(int err, const char *fmt, ...)
{
	char tail[256];
	va_list ap;

	snprintf(tail, sizeof(tail), ": %s [%s, errno %d]", strerror(err), errno_name(err), err);
	va_start(ap, fmt);
	emit(tail, fmt, ap);
	va_end(ap);
}

void
report_eai(int eai, int err, const char *fmt, ...)
{
	char tail[256];
	va_list ap;

	if (eai == EAI_SYSTEM)
		snprintf(tail, sizeof(tail), ": %s [EAI_SYSTEM, %s, errno %d]", strerror(err),
		    errno_name(err), err);
	else
		snprintf(tail, sizeof(tail), ": %s [%s]", gai_strerror(eai), eai_name(eai));
	va_start(ap, fmt);
	emit(tail, fmt, ap);
	va_end(ap);
}

void
report_hint(const char *fmt, ...)
{
	char body[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(body, sizeof(body), fmt, ap);
	va_end(ap);
	report_error("hint: %s", body);
}

void
report_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit(NULL, fmt, ap);
	va_end(ap);
}

void
report_notice(const char *fmt, ...)
{
	va_list ap;

	if (globals.quiet)
		return;
	va_start(ap, fmt);
	emit(NULL, fmt, ap);
	va_end(ap);
}

void
report_verbose(int level, const char *fmt, ...)
{
	va_list ap;

	if (globals.verbose < level || globals.quiet)
		return;
	va_start(ap, fmt);
	emit(NULL, fmt, ap);
	va_end(ap);
}

int
exit_status_for_errno(int err)
{
	switch (err) {
	case EADDRINUSE:
	case EADDRNOTAVAIL:
	case EACCES:
	case EPERM:
	case EMFILE:
	case ENFILE:
	case ENOBUFS:
	case ENOMEM:
	case ENOSPC:
	case EIO:
	case EBADF:
	case ENODEV:
	case EAFNOSUPPORT:
	case EPROTONOSUPPORT:
	case EINVAL: return EXIT_LOCAL;
	default: return EXIT_NETWORK;
	}
}
