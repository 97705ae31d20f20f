/*
 * fuzz_proxy: the proxies' reply parsers never read past what they are given, never ask
 * for less than they have, and a finished reply is never longer than the bytes it came in.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proxy.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
check(proxy_parser parse, const uint8_t *data, size_t size)
{
	struct proxy_reply r;
	uint8_t *copy;
	int rc;

	/* An exact-size copy, so that ASan sees a read past the end. */
	if ((copy = malloc(size ? size : 1)) == NULL)
		return;
	memcpy(copy, data, size);
	rc = parse(copy, size, &r);
	if (rc == PROXY_REPLY_DONE && r.need > size)
		abort();
	if (rc == PROXY_REPLY_MORE && r.need <= size)
		abort();
	if (rc == PROXY_REPLY_GARBAGE && r.why == NULL)
		abort();
	if (memchr(r.reason, '\0', sizeof(r.reason)) == NULL ||
	    memchr(r.bound, '\0', sizeof(r.bound)) == NULL)
		abort();
	free(copy);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char shown[256];
	size_t end;

	check(proxy_socks5_method, data, size);
	check(proxy_socks5_auth, data, size);
	check(proxy_socks5_reply, data, size);
	check(proxy_socks4_reply, data, size);
	check(proxy_http_reply, data, size);
	if ((end = proxy_http_header_end(data, size)) > size)
		abort();
	proxy_escape(data, size, shown, sizeof(shown));
	if (strlen(shown) >= sizeof(shown))
		abort();
	return 0;
}
