/* tls_private.h: the session shared by the TLS modules (tls.c, tls_io.c, tls_errors.c,
 * tls_report.c). */
#ifndef SOCKT_TLS_PRIVATE_H
#define SOCKT_TLS_PRIVATE_H

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "json.h"
#include "tls.h"

struct tls_session {
	SSL_CTX *ctx;
	SSL *ssl;
	int fd;
	int server;
	int record_only; /* verification failures are recorded, the handshake goes on (-z) */
	const struct tls_options *opt;
	struct pump_io io;
	short want[2]; /* the poll events the last read [0] or write [1] needs; 0: the usual */
	int shut; /* close_notify sent */
	int64_t handshake_usec;
	char name[256]; /* the name verified: --sni or HOST; "" for an address */
	char peer[128]; /* "127.0.0.1 port 4433", for the error lines */
	struct sockaddr_storage
	    peer_addr; /* for a second handshake that finds the peer's version */
	socklen_t peer_len;
	/* The first verification failure: its X509_V_ERR code, the certificate it is about. */
	int verify_err;
	int verify_depth;
	X509 *verify_cert;
	unsigned char alpn[1024]; /* --alpn in the wire's form: each name after its length */
	size_t alpn_len;
	unsigned long lib_err; /* the library's first error (ERR_get_error) of the last failure */
};

/*
 * A session on fd with its handshake done (host NULL: the server side); with
 * record_only, verification failures are kept in the session, not fatal.
 * NULL with the error reported and *status set.
 */
struct tls_session *tls_open(int fd, const struct tls_options *, const char *host,
    const struct sockaddr *peer, int64_t timeout_usec, int record_only, int *status);
void tls_session_free(struct tls_session *);
/* Runs the handshake to its end within timeout_usec: 0, or -1 with the error reported. */
int tls_handshake(struct tls_session *, int64_t timeout_usec);

/* tls_errors.c: the failed handshake's error line and hint (sockt(1), DIAGNOSTICS). */
void tls_report_handshake_error(struct tls_session *, int ssl_error, int err);
/* "WHAT: the library's reason [SSL_R_NAME]" for the library error e. */
void tls_report_library(const char *what, unsigned long e);
/* "X509_V_ERR_CERT_HAS_EXPIRED"; "X509_V_ERR_<n>" for one not in the table. */
const char *tls_verify_name(int code, char *buf, size_t len);
/* "SSL_R_WRONG_VERSION_NUMBER"; NULL for a reason not in the table. */
const char *tls_reason_name(unsigned long err);
/* "TLS 1.2" for 0x0303. */
const char *tls_version_text(int version);

/*
 * tls_scan.c: the highest version below `below` the server at addr speaks,
 * by a handshake that checks nothing else (within 2 s); 0 if none.
 */
int tls_probe_version(const struct sockaddr *addr, socklen_t len, int below);

/* tls_report.c: -v lines and the --json object of a session. */
void tls_report_session(struct tls_session *);
void tls_session_json(struct tls_session *, struct json *);
/* "2026-11-01 12:00 UTC" of an ASN1_TIME, and the whole days from now to it (negative: past). */
void tls_time_text(const ASN1_TIME *, char *buf, size_t len);
int tls_days_left(const ASN1_TIME *);
/* The certificate's names: "DNS:localhost, IP:127.0.0.1", escaped. */
void tls_cert_names(X509 *, char *buf, size_t len);
/* X509_NAME one line, escaped (strvis): "CN=localhost, O=sockt". */
void tls_name_text(const X509_NAME *, char *buf, size_t len);

/* tls_io.c: the pump_io of a session. */
void tls_io_init(struct tls_session *);

#endif
