/*
 * tls.h: TLS on a connected socket (OpenSSL 3) for connect, send and listen
 * --tls: a connected descriptor in, a session out, whose pump_io the relay
 * uses on the socket side. A build without OpenSSL links tls_stub.c, whose
 * functions say "built without TLS", so that the commands need no #ifdef.
 */
#ifndef SOCKT_TLS_H
#define SOCKT_TLS_H

#include <stdint.h>
#include <sys/socket.h>

#include "pump.h"
#include "cmd.h"

struct command;
struct opt_parser;
struct json;

/* Option keys, above any command's own and the tunables'. */
enum {
	OPT_TLS = OPT_KEYS_TLS,
	OPT_TLS_NO_VERIFY,
	OPT_TLS_CA,
	OPT_TLS_SNI,
	OPT_TLS_ALPN,
	OPT_TLS_MIN,
	OPT_TLS_CERT,
	OPT_TLS_KEY,
	OPT_TLS_WARN_DAYS,
};

/*
 * The table lines, written out in each command (so that grep finds the names):
 *   { "tls", OPT_TLS, no_argument, NULL, TLS_HELP },
 *   { "no-verify", OPT_TLS_NO_VERIFY, no_argument, NULL, TLS_HELP_NO_VERIFY }, ...
 */
#define TLS_HELP "speak TLS on the connection"
#define TLS_HELP_NO_VERIFY "--tls: do not verify the certificate (one warning line)"
#define TLS_HELP_CA "--tls: trust the CAs in FILE (PEM) instead of the system's"
#define TLS_HELP_SNI "--tls: the server name sent and verified (default: HOST)"
#define TLS_HELP_ALPN "--tls: offer these protocols, comma-separated (h2,http/1.1)"
#define TLS_HELP_MIN "--tls: the lowest version accepted: 1.0, 1.1, 1.2 (default), 1.3"
#define TLS_HELP_CERT "--tls: the certificate (PEM, chain after it) to present"
#define TLS_HELP_KEY "--tls: the private key of --cert (PEM; default: in --cert)"
#define TLS_HELP_WARN_DAYS "-z --tls: status 1 if a certificate expires within N days (0)"

struct tls_options {
	int enabled; /* --tls */
	int no_verify;
	const char *ca, *sni, *alpn, *cert, *key;
	int min_version; /* TLS1_2_VERSION and the like; 0 for the default (1.2) */
	int warn_days, warn_days_set;
	const char *given; /* the first TLS option given, for "applies with --tls" */
};

/*
 * Reads the option opt_next just returned into *t if key is one of the
 * above: returns 1, or 0 for another key. A bad value is a usage error.
 */
int tls_option(struct tls_options *t, const struct opt_parser *p, int key);
/*
 * After every option: usage errors for TLS options without --tls, listen
 * --tls without --cert; without TLS built in, --tls is refused with status 4.
 */
void tls_options_check(const struct command *, const struct tls_options *, int server);

struct tls_session;

/*
 * The client side of a handshake on the connected socket fd (made
 * non-blocking), to host (the operand: the name checked unless --sni) within
 * timeout_usec (-1: none). With -v/--json the session's report is printed.
 * Returns the session, or NULL with the error and its hint reported and
 * *status set (1: the peer or the network said no; 4: a local failure).
 */
struct tls_session *tls_connect(int fd, const struct tls_options *, const char *host,
    const struct sockaddr *peer, int64_t timeout_usec, int *status);
/* The server side (listen --tls --cert --key), likewise. */
struct tls_session *tls_accept(int fd, const struct tls_options *, const struct sockaddr *peer,
    int64_t timeout_usec, int *status);
/* listen --tls before its first accept: 0 if --cert and --key load, -1 once said. */
int tls_server_check(const struct tls_options *);
/* The relay's socket side through the session (pump.h). */
const struct pump_io *tls_pump_io(struct tls_session *);
/*
 * After a relay failed with EPROTO on the socket side: the library's error
 * line, if any is left to say.
 */
void tls_report_relay_error(struct tls_session *);
/* Sends close_notify if it was not yet sent, and frees the session (the socket stays open). */
void tls_close(struct tls_session *);

/*
 * connect -z --tls: a handshake on a new connection to addr within
 * timeout_usec, its verdict appended to line (" tls TLSv1.3, certificate
 * expires ... (N days left)") and its fields to j (when not NULL). Returns
 * 0 when the certificate is good for more than warn_days, 1 otherwise.
 */
int tls_scan_port(const struct sockaddr *addr, socklen_t len, const char *host,
    const struct tls_options *, int64_t timeout_usec, char *line, size_t size, struct json *j);

#endif
