/* fuzz_route: rtnetlink replies (a route, a route dump, an address dump) through route_parse,
 * then printed. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "route.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct route_reply r;
	char text[256];
	uint8_t *copy;

	if (size < 1)
		return 0;
	memset(&r, 0, sizeof(r));
	/* The low two bits choose the query, bit 2 the family. */
	if ((data[0] & 3) == 0)
		r.query = ROUTE_QUERY_GET;
	else
		r.query = (data[0] & 3) == 1 ? ROUTE_QUERY_DEFAULTS : ROUTE_QUERY_ADDRS;
	r.family = data[0] & 4 ? AF_INET6 : AF_INET;
	/* A copy of the exact size, so that reading past the end is caught. */
	if ((copy = malloc(size - 1 ? size - 1 : 1)) == NULL)
		return 0;
	memcpy(copy, data + 1, size - 1);
	route_parse(copy, size - 1, 1, &r);
	free(copy);
	route_format(&r.info, text, sizeof(text));
	return 0;
}
