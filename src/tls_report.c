/*
 * tls_report.c: what openssl s_client shows, as sockt's -v lines and --json
 * object: version, cipher, ALPN, the handshake's time, each certificate of
 * the chain (subject, names, issuer, validity and days left, key, SHA-256),
 * and whether an OCSP response was stapled. Every string from a
 * certificate is escaped: it comes from the network.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#define LIBBSD_OPENBSD_VIS 1
#include <vis.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "cmd.h"
#include "json.h"
#include "report.h"
#include "tls_private.h"

/* What one certificate says, as text. */
struct cert_text {
	char subject[512], issuer[512], names[1024];
	char not_before[40], not_after[40], key[160], sha256[3 * 32];
	const char *key_type;
	int key_bits, days_left;
};

/* Escapes len bytes of raw into buf (C-style and octal, tabs and newlines too; spaces stay), cut
 * to fit. */
static void
escape(const void *raw, size_t len, char *buf, size_t size)
{
	char tmp[4 * 256 + 1];

	strvisx(tmp, raw, len > 256 ? 256 : len, VIS_CSTYLE | VIS_OCTAL | VIS_TAB | VIS_NL);
	strlcpy(buf, tmp, size);
}

void
tls_name_text(const X509_NAME *name, char *buf, size_t len)
{
	BIO *b = BIO_new(BIO_s_mem());
	char raw[1025];
	int n = 0;

	/* RFC 2253 order reversed to read as openssl shows it: "CN = localhost, O = sockt". */
	if (b != NULL &&
	    X509_NAME_print_ex(b, name, 0, XN_FLAG_ONELINE & ~ASN1_STRFLGS_ESC_MSB) >= 0)
		n = BIO_read(b, raw, sizeof(raw) - 1);
	BIO_free(b);
	escape(raw, n > 0 ? (size_t)n : 0, buf, len);
}

void
tls_time_text(const ASN1_TIME *t, char *buf, size_t len)
{
	struct tm tm;

	if (ASN1_TIME_to_tm(t, &tm) != 1 || strftime(buf, len, "%Y-%m-%d %H:%M UTC", &tm) == 0)
		snprintf(buf, len, "(unreadable time)");
}

int
tls_days_left(const ASN1_TIME *t)
{
	int days = 0, secs = 0;

	if (ASN1_TIME_diff(&days, &secs, NULL, t) != 1)
		return 0;
	/* Whole days, as a calendar counts them: 47 hours ahead is "1 day left", past "1 day ago".
	 */
	(void)secs;
	return days;
}

/* One subjectAltName as "DNS:name" or "IP:address"; 0 if of another kind. */
static int
general_name(const GENERAL_NAME *g, char *buf, size_t len)
{
	const unsigned char *ip;
	char text[INET6_ADDRSTRLEN];
	char esc[4 * 256 + 1];

	if (g->type == GEN_DNS) {
		escape(ASN1_STRING_get0_data(g->d.dNSName),
		    (size_t)ASN1_STRING_length(g->d.dNSName), esc, sizeof(esc));
		snprintf(buf, len, "DNS:%s", esc);
		return 1;
	}
	if (g->type != GEN_IPADD)
		return 0;
	ip = ASN1_STRING_get0_data(g->d.iPAddress);
	if (ASN1_STRING_length(g->d.iPAddress) == 4)
		inet_ntop(AF_INET, ip, text, sizeof(text));
	else if (ASN1_STRING_length(g->d.iPAddress) == 16)
		inet_ntop(AF_INET6, ip, text, sizeof(text));
	else
		return 0;
	snprintf(buf, len, "IP:%s", text);
	return 1;
}

void
tls_cert_names(X509 *cert, char *buf, size_t len)
{
	GENERAL_NAMES *names = X509_get_ext_d2i(cert, NID_subject_alt_name, NULL, NULL);
	char item[1100];
	size_t used;

	buf[0] = '\0';
	for (int i = 0; i < sk_GENERAL_NAME_num(names); i++) {
		if (!general_name(sk_GENERAL_NAME_value(names, i), item, sizeof(item)))
			continue;
		used = strlen(buf);
		snprintf(buf + used, len - used, "%s%s", used ? ", " : "", item);
	}
	GENERAL_NAMES_free(names);
}

static void
cert_key(X509 *cert, struct cert_text *t)
{
	EVP_PKEY *pk = X509_get0_pubkey(cert);
	char group[64];
	size_t glen = 0;
	int id = pk ? EVP_PKEY_get_base_id(pk) : NID_undef;

	t->key_type = id == EVP_PKEY_RSA ? "RSA" : id == EVP_PKEY_EC ? "EC" : OBJ_nid2sn(id);
	t->key_bits = pk ? EVP_PKEY_get_bits(pk) : 0;
	if (pk && EVP_PKEY_get_group_name(pk, group, sizeof(group), &glen) == 1)
		snprintf(t->key, sizeof(t->key), "%s %d bits (%s)", t->key_type, t->key_bits,
		    group);
	else
		snprintf(t->key, sizeof(t->key), "%s %d bits", t->key_type, t->key_bits);
}

static void
cert_describe(X509 *cert, struct cert_text *t)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	tls_name_text(X509_get_subject_name(cert), t->subject, sizeof(t->subject));
	tls_name_text(X509_get_issuer_name(cert), t->issuer, sizeof(t->issuer));
	tls_cert_names(cert, t->names, sizeof(t->names));
	tls_time_text(X509_get0_notBefore(cert), t->not_before, sizeof(t->not_before));
	tls_time_text(X509_get0_notAfter(cert), t->not_after, sizeof(t->not_after));
	t->days_left = tls_days_left(X509_get0_notAfter(cert));
	cert_key(cert, t);
	if (X509_digest(cert, EVP_sha256(), md, &n) != 1)
		n = 0;
	t->sha256[0] = '\0';
	for (unsigned int i = 0; i < n && i < 32; i++)
		snprintf(t->sha256 + strlen(t->sha256), sizeof(t->sha256) - strlen(t->sha256),
		    "%s%02X", i ? ":" : "", md[i]);
}

static void
cert_lines(int depth, X509 *cert)
{
	struct cert_text t;

	cert_describe(cert, &t);
	report_verbose(1, "certificate %d: %s", depth, t.subject);
	report_verbose(1, "  names: %s", t.names[0] ? t.names : "(no subjectAltName)");
	report_verbose(1, "  issuer: %s", t.issuer);
	report_verbose(1, "  valid: %s to %s (%d day%s %s)", t.not_before, t.not_after,
	    t.days_left < 0 ? -t.days_left : t.days_left,
	    t.days_left == 1 || t.days_left == -1 ? "" : "s", t.days_left < 0 ? "ago" : "left");
	report_verbose(1, "  key: %s", t.key);
	report_verbose(1, "  SHA-256: %s", t.sha256);
}

/* The ALPN protocol chosen, escaped; "" for none. */
static void
alpn_chosen(struct tls_session *s, char *buf, size_t len)
{
	const unsigned char *p = NULL;
	unsigned int n = 0;

	SSL_get0_alpn_selected(s->ssl, &p, &n);
	escape(p, p ? n : 0, buf, len);
}

static int
ocsp_stapled(struct tls_session *s)
{
	const unsigned char *resp = NULL;

	return !s->server && SSL_get_tlsext_status_ocsp_resp(s->ssl, &resp) > 0 && resp != NULL;
}

static void
session_lines(struct tls_session *s)
{
	STACK_OF(X509) *chain = SSL_get_peer_cert_chain(s->ssl);
	char alpn[300];

	alpn_chosen(s, alpn, sizeof(alpn));
	report_verbose(1, "TLS handshake in %.2f ms: %s, %s, ALPN %s",
	    (double)s->handshake_usec / 1000, SSL_get_version(s->ssl), SSL_get_cipher_name(s->ssl),
	    alpn[0] ? alpn : "none");
	if (s->server)
		return;
	for (int i = 0; i < sk_X509_num(chain); i++)
		cert_lines(i, sk_X509_value(chain, i));
	report_verbose(1, "OCSP: %s",
	    ocsp_stapled(s) ? "a response was stapled" : "no response stapled");
	if (s->opt->no_verify)
		report_verbose(1, "certificate not verified (--no-verify)");
	else
		report_verbose(1, "certificate verified for %s", s->name);
}

static void
cert_json(struct json *j, X509 *cert)
{
	struct cert_text t;

	cert_describe(cert, &t);
	json_object_begin(j);
	json_string(j, "subject", t.subject);
	json_string(j, "names", t.names);
	json_string(j, "issuer", t.issuer);
	json_string(j, "not_before", t.not_before);
	json_string(j, "not_after", t.not_after);
	json_int(j, "days_left", t.days_left);
	json_string(j, "key_type", t.key_type);
	json_int(j, "key_bits", t.key_bits);
	json_string(j, "sha256", t.sha256);
	json_object_end(j);
}

void
tls_session_json(struct tls_session *s, struct json *j)
{
	STACK_OF(X509) *chain = s->server ? NULL : SSL_get_peer_cert_chain(s->ssl);
	char alpn[300];

	alpn_chosen(s, alpn, sizeof(alpn));
	json_string(j, "tls_version", SSL_get_version(s->ssl));
	json_string(j, "cipher", SSL_get_cipher_name(s->ssl));
	if (alpn[0])
		json_string(j, "alpn", alpn);
	else
		json_null(j, "alpn");
	json_double(j, "handshake_ms", (double)s->handshake_usec / 1000, 3);
	if (s->server)
		return;
	json_bool(j, "verified", !s->opt->no_verify && s->verify_err == 0);
	json_bool(j, "ocsp_stapled", ocsp_stapled(s));
	json_array_begin(j, "chain");
	for (int i = 0; i < sk_X509_num(chain); i++)
		cert_json(j, sk_X509_value(chain, i));
	json_array_end(j);
}

/* --json: one object on stderr, as stdout carries the connection's bytes. */
static void
session_json(struct tls_session *s)
{
	struct json j;

	json_init(&j);
	json_object_begin(&j);
	json_string(&j, "type", "tls");
	json_string(&j, "peer", s->peer);
	tls_session_json(s, &j);
	json_object_end(&j);
	if (!j.failed) {
		fflush(stderr);
		if (write(STDERR_FILENO, j.buf, j.len) == -1 || write(STDERR_FILENO, "\n", 1) == -1)
			report_errno(errno, "write to stderr");
	}
	json_free(&j);
}

void
tls_report_session(struct tls_session *s)
{
	if (globals.json)
		session_json(s);
	else if (globals.verbose >= 1)
		session_lines(s);
}
