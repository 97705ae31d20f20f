/*
 * tls_stub.c: tls.h in a build without OpenSSL. tls_options_check has
 * refused --tls already (status 4), so none of these is reached from a
 * command; each still says why, should one be.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>

#include "report.h"
#include "tls.h"

static void
not_built(int *status)
{
	report_error("--tls: this sockt was built without TLS");
	*status = EXIT_LOCAL;
}

struct tls_session *
tls_connect(int fd, const struct tls_options *o, const char *host, const struct sockaddr *peer,
    int64_t timeout_usec, int *status)
{
	(void)fd, (void)o, (void)host, (void)peer, (void)timeout_usec;
	not_built(status);
	return NULL;
}

struct tls_session *
tls_accept(int fd, const struct tls_options *o, const struct sockaddr *peer, int64_t timeout_usec,
    int *status)
{
	(void)fd, (void)o, (void)peer, (void)timeout_usec;
	not_built(status);
	return NULL;
}

int
tls_server_check(const struct tls_options *o)
{
	int status;

	(void)o;
	not_built(&status);
	return -1;
}

const struct pump_io *
tls_pump_io(struct tls_session *s)
{
	(void)s;
	return NULL;
}

void
tls_report_relay_error(struct tls_session *s)
{
	(void)s;
}

void
tls_close(struct tls_session *s)
{
	(void)s;
}

int
tls_scan_port(const struct sockaddr *addr, socklen_t len, const char *host,
    const struct tls_options *o, int64_t timeout_usec, char *line, size_t size, struct json *j)
{
	int status;

	(void)addr, (void)len, (void)host, (void)o, (void)timeout_usec, (void)j;
	not_built(&status);
	snprintf(line, size, "--tls: not built in");
	return 1;
}
