/*
 * tls.c: a TLS session on a connected socket (OpenSSL 3): the context from
 * the options, the handshake within a time limit, the close. The errors are
 * worded in tls_errors.c, the report in tls_report.c, the relay's reads and
 * writes in tls_io.c.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "addr.h"
#include "clock.h"
#include "cmd.h"
#include "io.h"
#include "parse.h"
#include "report.h"
#include "tls_private.h"

/* The index of the session in each SSL's ex_data, for the verify callback. */
static int session_index = -1;

/*
 * Records the first failure and, for a scan (record_only), goes on with the
 * handshake so that the certificate can still be read.
 */
static int
verify_cb(int ok, X509_STORE_CTX *store)
{
	SSL *ssl = X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx());
	struct tls_session *s = SSL_get_ex_data(ssl, session_index);
	X509 *cert;

	if (ok || s == NULL)
		return ok;
	if (s->verify_err == 0) {
		s->verify_err = X509_STORE_CTX_get_error(store);
		s->verify_depth = X509_STORE_CTX_get_error_depth(store);
		if ((cert = X509_STORE_CTX_get_current_cert(store)) != NULL && X509_up_ref(cert))
			s->verify_cert = cert;
	}
	return s->record_only;
}

/* The ALPN list "h2,http/1.1" in the wire's form: each name after its length byte. */
static int
alpn_wire(const char *list, unsigned char *out, size_t size, size_t *len)
{
	const char *name = list, *comma;
	size_t o = 0, n;

	if (strlen(list) + 1 > size)
		return -1;
	do {
		comma = strchr(name, ',');
		n = comma ? (size_t)(comma - name) : strlen(name);
		out[o++] = (unsigned char)n;
		memcpy(out + o, name, n);
		o += n;
		name = comma + 1;
	} while (comma != NULL);
	*len = o;
	return 0;
}

/* The server's choice: the first of --alpn the client offered too (session.alpn, the wire form). */
static int
alpn_select(SSL *ssl, const unsigned char **out, unsigned char *outlen, const unsigned char *in,
    unsigned int inlen, void *arg)
{
	struct tls_session *s = SSL_get_ex_data(ssl, session_index);
	unsigned char *chosen;

	(void)arg;
	/* The library reads both lists; chosen points into the first, ours, which lasts. */
	if (s == NULL || SSL_select_next_proto(&chosen, outlen, s->alpn, (unsigned int)s->alpn_len,
			     in, inlen) != OPENSSL_NPN_NEGOTIATED)
		return SSL_TLSEXT_ERR_ALERT_FATAL;
	*out = chosen;
	return SSL_TLSEXT_ERR_OK;
}

/* A failure to set the context up from the user's files: said with the library's reason. */
static int
setup_failed(const char *what, const char *file)
{
	unsigned long e, first = 0, sys = 0;
	char text[1024];

	/* The first error is the cause; a file that cannot be opened carries its errno. */
	while ((e = ERR_get_error()) != 0) {
		if (first == 0)
			first = e;
		if (sys == 0 && ERR_GET_LIB(e) == ERR_LIB_SYS)
			sys = e;
	}
	snprintf(text, sizeof(text), "%s%s%s", what, file ? " " : "", file ? file : "");
	if (sys != 0)
		report_errno(ERR_GET_REASON(sys), "%s", text);
	else
		tls_report_library(text, first);
	return -1;
}

static int
client_context(SSL_CTX *ctx, const struct tls_options *o)
{
	if (o->ca != NULL) {
		if (SSL_CTX_load_verify_file(ctx, o->ca) != 1)
			return setup_failed("read CA file", o->ca);
	} else if (SSL_CTX_set_default_verify_paths(ctx) != 1)
		return setup_failed("load the system's CA certificates", NULL);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, verify_cb);
	return 0;
}

static int
server_context(SSL_CTX *ctx, const struct tls_options *o)
{
	if (SSL_CTX_use_certificate_chain_file(ctx, o->cert) != 1)
		return setup_failed("read certificate", o->cert);
	if (SSL_CTX_use_PrivateKey_file(ctx, o->key ? o->key : o->cert, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_check_private_key(ctx) != 1) {
		setup_failed("read private key", o->key ? o->key : o->cert);
		report_hint("--key must hold the private key of the certificate in --cert, in PEM "
			    "(without --key: in the --cert file)");
		return -1;
	}
	if (o->alpn != NULL)
		SSL_CTX_set_alpn_select_cb(ctx, alpn_select, NULL);
	return 0;
}

static SSL_CTX *
make_context(const struct tls_options *o, int server)
{
	SSL_CTX *ctx;
	int r;

	if ((ctx = SSL_CTX_new(server ? TLS_server_method() : TLS_client_method())) == NULL) {
		setup_failed("set up TLS", NULL);
		return NULL;
	}
	/*
	 * Partial writes, so that the relay moves what the socket takes; a peer
	 * closing without close_notify ends the stream as a FIN does (as nc and
	 * socat see it).
	 */
	SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
	SSL_CTX_set_min_proto_version(ctx, o->min_version ? o->min_version : TLS1_2_VERSION);
	/* Below 1.2 the default security level refuses the handshake: the user asked for it. */
	if (o->min_version != 0 && o->min_version < TLS1_2_VERSION)
		SSL_CTX_set_security_level(ctx, 0);
	r = server ? server_context(ctx, o) : client_context(ctx, o);
	if (r == -1) {
		SSL_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

/* The name verified and sent as SNI, or the address verified. */
static int
set_peer_name(struct tls_session *s, const char *host)
{
	const char *name = s->opt->sni ? s->opt->sni : host;
	X509_VERIFY_PARAM *param = SSL_get0_param(s->ssl);

	snprintf(s->name, sizeof(s->name), "%s", name);
	if (s->opt->alpn != NULL &&
	    SSL_set_alpn_protos(s->ssl, s->alpn, (unsigned int)s->alpn_len) != 0)
		return -1;
	SSL_set_tlsext_status_type(s->ssl, TLSEXT_STATUSTYPE_ocsp);
	if (s->opt->no_verify)
		SSL_set_verify(s->ssl, SSL_VERIFY_NONE, NULL);
	if (addr_is_literal(name))
		return X509_VERIFY_PARAM_set1_ip_asc(param, name) == 1 ? 0 : -1;
	if (SSL_set_tlsext_host_name(s->ssl, name) != 1)
		return -1;
	X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
	return SSL_set1_host(s->ssl, name) == 1 ? 0 : -1;
}

void
tls_session_free(struct tls_session *s)
{
	if (s == NULL)
		return;
	SSL_free(s->ssl);
	SSL_CTX_free(s->ctx);
	X509_free(s->verify_cert);
	free(s);
}

static struct tls_session *
session_new(int fd, const struct tls_options *o, const struct sockaddr *peer, int server)
{
	struct tls_session *s;
	char addr[ADDR_STRLEN];

	if (session_index == -1)
		session_index = SSL_get_ex_new_index(0, NULL, NULL, NULL, NULL);
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		report_errno(errno, "set up TLS");
		return NULL;
	}
	s->fd = fd;
	s->server = server;
	s->opt = o;
	if (peer != NULL) {
		s->peer_len = peer->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6)
							  : sizeof(struct sockaddr_in);
		memcpy(&s->peer_addr, peer, s->peer_len);
	}
	if (peer != NULL)
		snprintf(s->peer, sizeof(s->peer), "%s port %u",
		    addr_format(peer, addr, sizeof(addr)), addr_port(peer));
	if ((s->ctx = make_context(o, server)) == NULL || (s->ssl = SSL_new(s->ctx)) == NULL ||
	    SSL_set_fd(s->ssl, fd) != 1 || SSL_set_ex_data(s->ssl, session_index, s) != 1) {
		if (s->ctx != NULL)
			setup_failed("set up TLS", NULL);
		tls_session_free(s);
		return NULL;
	}
	if (o->alpn != NULL && alpn_wire(o->alpn, s->alpn, sizeof(s->alpn), &s->alpn_len) == -1) {
		report_error("--alpn %s: longer than a handshake carries", o->alpn);
		tls_session_free(s);
		return NULL;
	}
	tls_io_init(s);
	return s;
}

/* Waits for what the handshake wants, up to the deadline: 0, or -1 with errno. */
static int
wait_for(struct tls_session *s, int ssl_error, int64_t deadline)
{
	struct pollfd pfd = { .fd = s->fd,
		.events = ssl_error == SSL_ERROR_WANT_WRITE ? POLLOUT : POLLIN };
	int64_t left;
	int n;

	for (;;) {
		left = deadline > 0 ? deadline - clock_now_usec() : -1;
		if (deadline > 0 && left <= 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		if ((n = poll(&pfd, 1, duration_to_poll_ms(left))) > 0)
			return 0;
		if (n == -1 && errno != EINTR)
			return -1;
	}
}

int
tls_handshake(struct tls_session *s, int64_t timeout_usec)
{
	int64_t start = clock_now_usec();
	int64_t deadline = timeout_usec > 0 ? start + timeout_usec : 0;
	int r, e;

	ERR_clear_error();
	while ((r = s->server ? SSL_accept(s->ssl) : SSL_connect(s->ssl)) != 1) {
		e = SSL_get_error(s->ssl, r);
		if ((e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) ||
		    wait_for(s, e, deadline) == -1) {
			if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
				e = SSL_ERROR_SYSCALL;
			else if (e != SSL_ERROR_SYSCALL)
				errno = 0;
			s->handshake_usec = clock_now_usec() - start;
			tls_report_handshake_error(s, e, errno);
			return -1;
		}
	}
	s->handshake_usec = clock_now_usec() - start;
	return 0;
}

struct tls_session *
tls_open(int fd, const struct tls_options *o, const char *host, const struct sockaddr *peer,
    int64_t timeout_usec, int record_only, int *status)
{
	struct tls_session *s;

	*status = EXIT_LOCAL;
	if (io_set_nonblock(fd, 1) == -1) {
		report_errno(errno, "set up TLS");
		return NULL;
	}
	if ((s = session_new(fd, o, peer, host == NULL)) == NULL)
		return NULL;
	s->record_only = record_only;
	if (host != NULL && set_peer_name(s, host) == -1) {
		setup_failed("set up TLS", NULL);
		tls_session_free(s);
		return NULL;
	}
	if (tls_handshake(s, timeout_usec) == -1) {
		/* The peer's refusal, or the network's: a local errno only from this machine. */
		*status = s->lib_err == 0 && s->verify_err == 0 && errno != 0 &&
				  exit_status_for_errno(errno) == EXIT_LOCAL
			      ? EXIT_LOCAL
			      : EXIT_NETWORK;
		tls_session_free(s);
		return NULL;
	}
	*status = EXIT_OK;
	return s;
}

static struct tls_session *
start(int fd, const struct tls_options *o, const char *host, const struct sockaddr *peer,
    int64_t timeout_usec, int *status)
{
	struct tls_session *s;

	if ((s = tls_open(fd, o, host, peer, timeout_usec, 0, status)) == NULL)
		return NULL;
	if (o->no_verify && host != NULL)
		report_error("warning: --no-verify: the certificate of %s was not verified",
		    s->name);
	tls_report_session(s);
	return s;
}

struct tls_session *
tls_connect(int fd, const struct tls_options *o, const char *host, const struct sockaddr *peer,
    int64_t timeout_usec, int *status)
{
	return start(fd, o, host, peer, timeout_usec, status);
}

struct tls_session *
tls_accept(int fd, const struct tls_options *o, const struct sockaddr *peer, int64_t timeout_usec,
    int *status)
{
	return start(fd, o, NULL, peer, timeout_usec, status);
}

int
tls_server_check(const struct tls_options *o)
{
	SSL_CTX *ctx;

	if ((ctx = make_context(o, 1)) == NULL)
		return -1;
	SSL_CTX_free(ctx);
	return 0;
}

const struct pump_io *
tls_pump_io(struct tls_session *s)
{
	return &s->io;
}

void
tls_close(struct tls_session *s)
{
	if (s == NULL)
		return;
	/* One try: close_notify is a few bytes, and a peer gone takes nothing anyway. */
	if (!s->shut)
		SSL_shutdown(s->ssl);
	ERR_clear_error();
	tls_session_free(s);
}
