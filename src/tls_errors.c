/*
 * tls_errors.c: a failed handshake said as errno failures are: what was
 * being done, to whom, the library's reason and its name in brackets, then
 * a hint where the cause is known (sockt(1), DIAGNOSTICS).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "report.h"
#include "tls_private.h"

#define NAMED(prefix, x)                                                                           \
	{                                                                                          \
		prefix##x, #prefix #x                                                              \
	}

static const struct {
	int code;
	const char *name;
} verify_names[] = {
	NAMED(X509_V_ERR_, UNABLE_TO_GET_ISSUER_CERT),
	NAMED(X509_V_ERR_, UNABLE_TO_GET_CRL),
	NAMED(X509_V_ERR_, CERT_SIGNATURE_FAILURE),
	NAMED(X509_V_ERR_, CERT_NOT_YET_VALID),
	NAMED(X509_V_ERR_, CERT_HAS_EXPIRED),
	NAMED(X509_V_ERR_, ERROR_IN_CERT_NOT_BEFORE_FIELD),
	NAMED(X509_V_ERR_, ERROR_IN_CERT_NOT_AFTER_FIELD),
	NAMED(X509_V_ERR_, DEPTH_ZERO_SELF_SIGNED_CERT),
	NAMED(X509_V_ERR_, SELF_SIGNED_CERT_IN_CHAIN),
	NAMED(X509_V_ERR_, UNABLE_TO_GET_ISSUER_CERT_LOCALLY),
	NAMED(X509_V_ERR_, UNABLE_TO_VERIFY_LEAF_SIGNATURE),
	NAMED(X509_V_ERR_, CERT_CHAIN_TOO_LONG),
	NAMED(X509_V_ERR_, CERT_REVOKED),
	NAMED(X509_V_ERR_, INVALID_CA),
	NAMED(X509_V_ERR_, PATH_LENGTH_EXCEEDED),
	NAMED(X509_V_ERR_, INVALID_PURPOSE),
	NAMED(X509_V_ERR_, CERT_UNTRUSTED),
	NAMED(X509_V_ERR_, CERT_REJECTED),
	NAMED(X509_V_ERR_, HOSTNAME_MISMATCH),
	NAMED(X509_V_ERR_, EMAIL_MISMATCH),
	NAMED(X509_V_ERR_, IP_ADDRESS_MISMATCH),
	NAMED(X509_V_ERR_, EE_KEY_TOO_SMALL),
	NAMED(X509_V_ERR_, CA_KEY_TOO_SMALL),
	NAMED(X509_V_ERR_, CA_MD_TOO_WEAK),
	NAMED(X509_V_ERR_, INVALID_CALL),
	NAMED(X509_V_ERR_, NO_VALID_SCTS),
	NAMED(X509_V_ERR_, OCSP_VERIFY_FAILED),
};

static const struct {
	int reason;
	const char *name;
} reason_names[] = {
	NAMED(SSL_R_, CERTIFICATE_VERIFY_FAILED),
	NAMED(SSL_R_, UNSUPPORTED_PROTOCOL),
	NAMED(SSL_R_, WRONG_VERSION_NUMBER),
	NAMED(SSL_R_, NO_PROTOCOLS_AVAILABLE),
	NAMED(SSL_R_, TLSV1_ALERT_PROTOCOL_VERSION),
	NAMED(SSL_R_, TLSV1_ALERT_NO_APPLICATION_PROTOCOL),
	NAMED(SSL_R_, NO_APPLICATION_PROTOCOL),
	NAMED(SSL_R_, SSLV3_ALERT_HANDSHAKE_FAILURE),
	NAMED(SSL_R_, NO_SHARED_CIPHER),
	NAMED(SSL_R_, UNEXPECTED_EOF_WHILE_READING),
	NAMED(SSL_R_, TLSV1_ALERT_UNKNOWN_CA),
	NAMED(SSL_R_, SSLV3_ALERT_BAD_CERTIFICATE),
	NAMED(SSL_R_, SSLV3_ALERT_CERTIFICATE_EXPIRED),
	NAMED(SSL_R_, TLSV1_ALERT_INTERNAL_ERROR),
	NAMED(SSL_R_, TLSV1_ALERT_DECODE_ERROR),
	NAMED(SSL_R_, TLSV1_ALERT_DECRYPT_ERROR),
	NAMED(SSL_R_, TLSV1_UNRECOGNIZED_NAME),
	NAMED(SSL_R_, HTTP_REQUEST),
	NAMED(SSL_R_, PACKET_LENGTH_TOO_LONG),
	NAMED(SSL_R_, PEER_DID_NOT_RETURN_A_CERTIFICATE),
	NAMED(SSL_R_, DECRYPTION_FAILED_OR_BAD_RECORD_MAC),
	NAMED(SSL_R_, BAD_RECORD_TYPE),
	NAMED(SSL_R_, UNEXPECTED_MESSAGE),
	NAMED(SSL_R_, UNEXPECTED_RECORD),
	NAMED(SSL_R_, SSLV3_ALERT_UNEXPECTED_MESSAGE),
	NAMED(SSL_R_, TLSV1_ALERT_INSUFFICIENT_SECURITY),
	NAMED(SSL_R_, VERSION_TOO_LOW),
	NAMED(SSL_R_, VERSION_TOO_HIGH),
};

const char *
tls_verify_name(int code, char *buf, size_t len)
{
	for (size_t i = 0; i < sizeof(verify_names) / sizeof(verify_names[0]); i++)
		if (verify_names[i].code == code)
			return verify_names[i].name;
	snprintf(buf, len, "X509_V_ERR_%d", code);
	return buf;
}

const char *
tls_reason_name(unsigned long err)
{
	if (err == 0 || ERR_GET_LIB(err) != ERR_LIB_SSL)
		return NULL;
	for (size_t i = 0; i < sizeof(reason_names) / sizeof(reason_names[0]); i++)
		if (reason_names[i].reason == ERR_GET_REASON(err))
			return reason_names[i].name;
	return NULL;
}

const char *
tls_version_text(int version)
{
	switch (version) {
	case TLS1_VERSION: return "TLS 1.0";
	case TLS1_1_VERSION: return "TLS 1.1";
	case TLS1_2_VERSION: return "TLS 1.2";
	case TLS1_3_VERSION: return "TLS 1.3";
	case SSL3_VERSION: return "SSL 3.0";
	}
	return "an unknown version";
}

/* The validity hints: when, and how long ago or ahead. */
static void
hint_validity(X509 *cert, int expired)
{
	const ASN1_TIME *t = expired ? X509_get0_notAfter(cert) : X509_get0_notBefore(cert);
	char when[64];
	int days;

	tls_time_text(t, when, sizeof(when));
	days = tls_days_left(t);
	if (expired)
		report_hint("it expired %s, %d day%s ago", when, -days, -days == 1 ? "" : "s");
	else
		report_hint("it is valid from %s, in %d day%s; or this machine's clock is behind",
		    when, days, days == 1 ? "" : "s");
}

static void
hint_mismatch(struct tls_session *s, X509 *cert)
{
	char names[1024];

	tls_cert_names(cert, names, sizeof(names));
	report_hint("the certificate covers %s, not %s; connect by one of those names, or check "
		    "that one with --sni NAME",
	    names[0] ? names : "no name (no subjectAltName)", s->name);
}

static void
hint_unknown_ca(X509 *cert, int self_signed)
{
	char issuer[512];

	tls_name_text(X509_get_issuer_name(cert), issuer, sizeof(issuer));
	if (self_signed)
		report_hint("the certificate is self-signed (%s), and no trusted CA vouches for "
			    "it; "
			    "--ca FILE trusts it, --no-verify skips the check",
		    issuer);
	else
		report_hint("its issuer %s is not among the trusted CAs; --ca FILE with that CA's "
			    "certificate trusts it",
		    issuer);
}

static void
hint_verify(struct tls_session *s)
{
	X509 *cert = s->verify_cert;

	if (cert == NULL)
		return;
	switch (s->verify_err) {
	case X509_V_ERR_CERT_HAS_EXPIRED: hint_validity(cert, 1); break;
	case X509_V_ERR_CERT_NOT_YET_VALID: hint_validity(cert, 0); break;
	case X509_V_ERR_HOSTNAME_MISMATCH:
	case X509_V_ERR_IP_ADDRESS_MISMATCH: hint_mismatch(s, cert); break;
	case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
	case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN: hint_unknown_ca(cert, 1); break;
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
	case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE: hint_unknown_ca(cert, 0); break;
	}
}

/* What this side offered: "TLS 1.3 (--tls-min 1.3)" or "TLS 1.2 to TLS 1.3". */
static void
offered_text(const struct tls_session *s, char *buf, size_t len)
{
	int min = s->opt->min_version ? s->opt->min_version : TLS1_2_VERSION;

	if (min == TLS1_3_VERSION)
		snprintf(buf, len, "TLS 1.3 only (--tls-min 1.3)");
	else
		snprintf(buf, len, "%s to TLS 1.3", tls_version_text(min));
}

static void
hint_version(struct tls_session *s)
{
	char ours[64];
	int peer = s->server ? SSL_client_version(s->ssl) : SSL_version(s->ssl);
	int min = s->opt->min_version ? s->opt->min_version : TLS1_2_VERSION;

	offered_text(s, ours, sizeof(ours));
	if (s->server)
		report_hint("the client offered %s at most; this side accepts %s",
		    tls_version_text(peer), ours);
	else if (peer != 0 && peer < min)
		report_hint("this side offered %s; the server offered %s", ours,
		    tls_version_text(peer));
	else if (s->peer_len > 0 && (peer = tls_probe_version((struct sockaddr *)&s->peer_addr,
					 s->peer_len, min)) != 0)
		report_hint("this side offered %s; the server offered %s (a second handshake "
			    "found it), which --tls-min %s would accept",
		    ours, tls_version_text(peer), tls_version_text(peer) + 4);
	else
		report_hint("this side offered %s; the server accepts none of them", ours);
}

static void
hint_reason(struct tls_session *s, int reason)
{
	switch (reason) {
	case SSL_R_UNSUPPORTED_PROTOCOL:
	case SSL_R_TLSV1_ALERT_PROTOCOL_VERSION:
	case SSL_R_NO_PROTOCOLS_AVAILABLE:
	case SSL_R_VERSION_TOO_LOW: hint_version(s); break;
	case SSL_R_WRONG_VERSION_NUMBER:
	case SSL_R_HTTP_REQUEST:
	case SSL_R_PACKET_LENGTH_TOO_LONG:
		report_hint("the peer does not speak TLS on this port (a plain-text service?)");
		break;
	case SSL_R_TLSV1_ALERT_NO_APPLICATION_PROTOCOL:
	case SSL_R_NO_APPLICATION_PROTOCOL:
		report_hint("the %s supports none of the protocols offered%s%s",
		    s->server ? "client" : "server", s->opt->alpn ? ": --alpn " : "",
		    s->opt->alpn ? s->opt->alpn : "");
		break;
	case SSL_R_TLSV1_ALERT_UNKNOWN_CA:
	case SSL_R_SSLV3_ALERT_BAD_CERTIFICATE:
	case SSL_R_SSLV3_ALERT_CERTIFICATE_EXPIRED:
		report_hint("the client refused this side's certificate (--cert)");
		break;
	}
}

/* The library's error line: its reason, and the reason's name where the table has it. */
void
tls_report_library(const char *what, unsigned long e)
{
	const char *reason = ERR_reason_error_string(e), *name = tls_reason_name(e);
	char text[256];

	if (reason == NULL) {
		ERR_error_string_n(e, text, sizeof(text));
		reason = text;
	}
	if (name != NULL)
		report_error("%s: %s [%s]", what, reason, name);
	else
		report_error("%s: %s [%s error %d]", what, reason,
		    ERR_lib_error_string(e) ? ERR_lib_error_string(e) : "library",
		    ERR_GET_REASON(e));
}

void
tls_report_handshake_error(struct tls_session *s, int ssl_error, int err)
{
	char what[512], name[64];

	if (s->server)
		snprintf(what, sizeof(what), "TLS handshake with %s", s->peer);
	else
		snprintf(what, sizeof(what), "TLS handshake with %s (%s)", s->name, s->peer);
	s->lib_err = ssl_error == SSL_ERROR_SSL ? ERR_peek_error() : 0;
	if (s->verify_err != 0 && !s->record_only) {
		report_error("%s: certificate verify failed: %s [%s]", what,
		    X509_verify_cert_error_string(s->verify_err),
		    tls_verify_name(s->verify_err, name, sizeof(name)));
		hint_verify(s);
	} else if (s->lib_err != 0) {
		tls_report_library(what, s->lib_err);
		hint_reason(s, ERR_GET_REASON(s->lib_err));
	} else if (err == 0) {
		/* EOF in the middle of the handshake: no errno says it. */
		report_error("%s: the peer closed the connection", what);
		report_hint("the peer ended the handshake: it may not speak TLS on this port, or "
			    "refused what this side offered");
	} else {
		report_errno(err, "%s", what);
		if (err == ETIMEDOUT || err == ECONNRESET || err == EPIPE)
			report_hint("the peer %s the handshake: it may not speak TLS on this port",
			    err == ETIMEDOUT ? "did not finish" : "closed the connection during");
	}
	ERR_clear_error();
}

void
tls_report_relay_error(struct tls_session *s)
{
	if (s != NULL && s->lib_err != 0)
		tls_report_library("TLS", s->lib_err);
	ERR_clear_error();
}
