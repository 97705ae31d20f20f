/*
 * tls_io.c: the relay's socket side through a TLS session (pump.h's
 * pump_io). SSL_read may have to write and SSL_write to read: the events
 * the last call wanted are kept for the relay's poll; bytes the session has
 * decrypted already are read without waiting for poll.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <sys/socket.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "tls_private.h"

/* SSL_read's or SSL_write's result as read(2) says it: n, 0 at EOF, or -1 with errno. */
static ssize_t
result(struct tls_session *s, int writing, int r, size_t done)
{
	int e = SSL_get_error(s->ssl, r);

	s->want[writing] = 0;
	if (r > 0)
		return (ssize_t)done;
	switch (e) {
	case SSL_ERROR_ZERO_RETURN: return 0; /* close_notify: the peer's EOF */
	case SSL_ERROR_WANT_READ: s->want[writing] = POLLIN; break;
	case SSL_ERROR_WANT_WRITE: s->want[writing] = POLLOUT; break;
	case SSL_ERROR_SYSCALL:
		if (errno == 0)
			errno = ECONNRESET;
		return -1;
	default:
		/* A protocol failure: said by tls_report_relay_error. */
		s->lib_err = ERR_peek_error();
		errno = EPROTO;
		return -1;
	}
	errno = EAGAIN;
	return -1;
}

static ssize_t
tls_read(void *ctx, void *buf, size_t n)
{
	struct tls_session *s = ctx;
	size_t done = 0;
	int r;

	ERR_clear_error();
	r = SSL_read_ex(s->ssl, buf, n, &done);
	return result(s, 0, r, done);
}

static ssize_t
tls_write(void *ctx, const void *buf, size_t n)
{
	struct tls_session *s = ctx;
	size_t done = 0;
	int r;

	ERR_clear_error();
	r = SSL_write_ex(s->ssl, buf, n, &done);
	return result(s, 1, r, done);
}

/* The half-close: close_notify, then the TCP FIN for a peer that does not read TLS's end. */
static int
tls_shutdown(void *ctx)
{
	struct tls_session *s = ctx;

	ERR_clear_error();
	if (!s->shut && SSL_shutdown(s->ssl) < 0 &&
	    SSL_get_error(s->ssl, -1) != SSL_ERROR_WANT_WRITE) {
		ERR_clear_error();
		errno = errno ? errno : EPIPE;
		return -1;
	}
	s->shut = 1;
	return shutdown(s->fd, SHUT_WR);
}

static short
tls_events(void *ctx, int writing)
{
	struct tls_session *s = ctx;

	if (s->want[writing] != 0)
		return s->want[writing];
	return writing ? POLLOUT : POLLIN;
}

static int
tls_pending(void *ctx)
{
	return SSL_pending(((struct tls_session *)ctx)->ssl) > 0;
}

void
tls_io_init(struct tls_session *s)
{
	s->io = (struct pump_io){ tls_read, tls_write, tls_shutdown, tls_events, tls_pending, s };
}
