/*
 * tls_scan.c: connect -z --tls, a scan for expiring certificates: a
 * handshake on a new connection to each open port, whose verification
 * failures are recorded rather than fatal, so that the certificate's days
 * left are said even when it has expired.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>

#include "addr.h"
#include "clock.h"
#include "parse.h"
#include "report.h"
#include "tls_private.h"

/* A non-blocking connect within timeout_usec: the socket, or -1 with errno. */
static int
dial(const struct sockaddr *addr, socklen_t len, int64_t timeout_usec)
{
	struct pollfd pfd = { .events = POLLOUT };
	int fd, err = 0, n;
	socklen_t elen = sizeof(err);

	if ((fd = socket(addr->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	pfd.fd = fd;
	if (connect(fd, addr, len) == -1 && errno != EINPROGRESS)
		goto fail;
	while ((n = poll(&pfd, 1, duration_to_poll_ms(timeout_usec))) == -1 && errno == EINTR)
		;
	if (n == 0)
		errno = ETIMEDOUT;
	if (n <= 0)
		goto fail;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) == -1 || (errno = err) != 0)
		goto fail;
	return fd;
fail:
	err = errno;
	close(fd);
	errno = err;
	return -1;
}

/* A client context that accepts any version below `below` and any certificate. */
static SSL *
probe_ssl(int fd, int below)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	SSL *ssl = NULL;

	if (ctx == NULL)
		return NULL;
	SSL_CTX_set_security_level(ctx, 0);
	SSL_CTX_set_min_proto_version(ctx, TLS1_VERSION);
	SSL_CTX_set_max_proto_version(ctx, below - 1);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	if ((ssl = SSL_new(ctx)) != NULL && SSL_set_fd(ssl, fd) != 1) {
		SSL_free(ssl);
		ssl = NULL;
	}
	SSL_CTX_free(ctx); /* the SSL holds its own reference */
	return ssl;
}

int
tls_probe_version(const struct sockaddr *addr, socklen_t len, int below)
{
	int64_t deadline = clock_now_usec() + 2000000, left;
	struct pollfd pfd = { .events = POLLIN };
	int fd, r, e, version = 0, rounds = 0;
	SSL *ssl;

	if (below <= TLS1_VERSION || (fd = dial(addr, len, 2000000)) == -1)
		return 0;
	pfd.fd = fd;
	if ((ssl = probe_ssl(fd, below)) != NULL) {
		/* Bounded: a handshake is a few round trips, each waited for until the deadline. */
		while ((r = SSL_connect(ssl)) != 1 && rounds++ < 64) {
			e = SSL_get_error(ssl, r);
			left = deadline - clock_now_usec();
			pfd.events = e == SSL_ERROR_WANT_WRITE ? POLLOUT : POLLIN;
			if ((e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) || left <= 0 ||
			    poll(&pfd, 1, duration_to_poll_ms(left)) <= 0)
				break;
		}
		if (r == 1)
			version = SSL_version(ssl);
		SSL_free(ssl);
	}
	ERR_clear_error();
	close(fd);
	return version;
}

/* The verdict on the leaf certificate: its line text and fields; 1 when within warn_days. */
static int
verdict(struct tls_session *s, char *line, size_t size, struct json *j)
{
	X509 *leaf = SSL_get0_peer_certificate(s->ssl);
	char when[40], name[64];
	int days, used = (int)strlen(line);

	if (leaf == NULL) {
		snprintf(line + used, size - (size_t)used, ", tls %s, no certificate",
		    SSL_get_version(s->ssl));
		return 1;
	}
	tls_time_text(X509_get0_notAfter(leaf), when, sizeof(when));
	days = tls_days_left(X509_get0_notAfter(leaf));
	used += snprintf(line + used, size - (size_t)used,
	    ", tls %s, certificate %s %s (%d day%s %s)", SSL_get_version(s->ssl),
	    days < 0 ? "expired" : "expires", when, days < 0 ? -days : days,
	    days == 1 || days == -1 ? "" : "s", days < 0 ? "ago" : "left");
	if (s->verify_err != 0 && used > 0 && (size_t)used < size)
		snprintf(line + used, size - (size_t)used, " [%s]",
		    tls_verify_name(s->verify_err, name, sizeof(name)));
	if (j != NULL) {
		json_string(j, "tls_version", SSL_get_version(s->ssl));
		json_string(j, "not_after", when);
		json_int(j, "days_left", days);
		if (s->verify_err != 0)
			json_string(j, "verify_error",
			    tls_verify_name(s->verify_err, name, sizeof(name)));
		else
			json_null(j, "verify_error");
	}
	return days <= s->opt->warn_days || s->verify_err != 0;
}

int
tls_scan_port(const struct sockaddr *addr, socklen_t len, const char *host,
    const struct tls_options *o, int64_t timeout_usec, char *line, size_t size, struct json *j)
{
	int64_t start = clock_now_usec(), left;
	struct tls_session *s;
	char text[ADDR_STRLEN];
	int fd, status, r;
	size_t used = strlen(line);

	if ((fd = dial(addr, len, timeout_usec)) == -1) {
		report_errno(errno, "connect to %s port %u (tcp) for TLS",
		    addr_format(addr, text, sizeof(text)), addr_port(addr));
		snprintf(line + used, size - used, ", tls not checked [%s]", errno_name(errno));
		if (j != NULL)
			json_string(j, "tls_error", errno_name(errno));
		return 1;
	}
	left = timeout_usec - (clock_now_usec() - start);
	if ((s = tls_open(fd, o, host, addr, left > 0 ? left : 1, 1, &status)) == NULL) {
		snprintf(line + used, size - used, ", tls handshake failed");
		if (j != NULL)
			json_string(j, "tls_error", "handshake failed");
		close(fd);
		return 1;
	}
	r = verdict(s, line, size, j);
	tls_close(s);
	close(fd);
	return r;
}
