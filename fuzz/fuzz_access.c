/*
 * fuzz_access: an --allow-file's text, parsed with names left unresolved (no lookup from a
 * fuzzer): every rule taken has a family and prefix that fit, a bad line is named, and a
 * peer is checked against the rules without reading past them.
 */
#include "config.h"

#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "access.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
check_rules(const struct access_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		const struct access_rule *r = &l->rules[i];
		if (r->family == AF_INET && (r->prefix < 0 || r->prefix > 32))
			abort();
		if (r->family == AF_INET6 && (r->prefix < 0 || r->prefix > 128))
			abort();
		if (r->text == NULL)
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct access_list l = { 0 };
	struct access_failure f;
	struct sockaddr_in6 peer = { .sin6_family = AF_INET6 };
	const char *rule;
	int rc;

	rc = access_add_text(&l, size > 0 && data[0] & 1, (const char *)data, size,
	    "--allow-file f", 0, &f);
	if (rc == -1 && (f.why == NULL || f.line == 0))
		abort();
	if (rc == 0)
		check_rules(&l);
	/* The first bytes as an IPv6 peer (IPv4-mapped ones included), checked against it all. */
	memcpy(&peer.sin6_addr, data, size < 16 ? size : 16);
	access_check(&l, (struct sockaddr *)&peer, &rule);
	access_free(&l);
	return 0;
}
