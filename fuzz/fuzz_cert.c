/*
 * fuzz_cert: a certificate from the network, as -v and --json show it: the
 * names, subject, issuer and dates, from whatever DER the peer sends, come
 * out as printable text within their buffers (escaped, never raw).
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/x509.h>

#include "tls_private.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
check_printable(const char *s, size_t size)
{
	size_t n = strnlen(s, size);

	if (n == size)
		abort();
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] == 0x7f)
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const unsigned char *p = data;
	char names[1024], subject[512], when[40];
	X509 *cert;

	if ((cert = d2i_X509(NULL, &p, (long)size)) == NULL)
		return 0;
	tls_cert_names(cert, names, sizeof(names));
	check_printable(names, sizeof(names));
	tls_name_text(X509_get_subject_name(cert), subject, sizeof(subject));
	check_printable(subject, sizeof(subject));
	tls_time_text(X509_get0_notAfter(cert), when, sizeof(when));
	check_printable(when, sizeof(when));
	(void)tls_days_left(X509_get0_notBefore(cert));
	X509_free(cert);
	return 0;
}
