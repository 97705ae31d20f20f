/* unit_route.c: sockt-unit's route-reply: an rtnetlink reply through route_parse. */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "report.h"
#include "route.h"
#include "unit.h"

/*
 * route-reply FILE: a file as fuzz/corpus/route holds them (a byte that chooses the query:
 * bits 0-1 get/defaults/addrs, bit 2 IPv6; then the kernel's reply, sequence number 1).
 * Prints what route_parse made of it: "rc=1 found=0 oif=2 via 10.0.0.1 src 10.0.0.2".
 */
int
unit_route_reply(char **argv, int argc)
{
	unsigned char buf[8192];
	uint32_t reply[sizeof(buf) / 4]; /* aligned, as recv's buffer is */
	struct route_reply r;
	char text[256];
	size_t n;
	FILE *f;
	int rc;

	(void)argc;
	if ((f = fopen(argv[0], "rb")) == NULL)
		return 2;
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	if (n < 1)
		return 2;
	memset(&r, 0, sizeof(r));
	r.query = (buf[0] & 3) == 0   ? ROUTE_QUERY_GET
		  : (buf[0] & 3) == 1 ? ROUTE_QUERY_DEFAULTS
				      : ROUTE_QUERY_ADDRS;
	r.family = buf[0] & 4 ? AF_INET6 : AF_INET;
	memcpy(reply, buf + 1, n - 1);
	rc = route_parse(reply, n - 1, 1, &r);
	route_format(&r.info, text, sizeof(text));
	printf("rc=%s found=%d oif=%u %s\n",
	    rc == -1  ? errno_name(errno)
	    : rc == 1 ? "1"
		      : "0",
	    r.found, r.oif, text);
	return 0;
}
