/* fuzz_icmp: whole packets, as raw and ping sockets deliver them, through the ICMP parser. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "icmp.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct icmp_packet p;
	struct icmp_damage d;
	struct timespec sent = { 1, 2 };
	uint16_t id, seq;
	char text[128];
	int family, with_ip;
	uint8_t *copy;

	if (size < 1)
		return 0;
	family = data[0] & 1 ? AF_INET6 : AF_INET;
	with_ip = family == AF_INET && (data[0] & 2);
	/* An exact-size copy, so that ASan sees any read past the packet. */
	if ((copy = malloc(size - 1 ? size - 1 : 1)) == NULL)
		return 0;
	memcpy(copy, data + 1, size - 1);
	icmp_parse(copy, size - 1, family, with_ip, &p);
	if (p.data != NULL && (p.data < copy || p.data + p.datalen > copy + (size - 1)))
		abort();
	if (p.data != NULL) {
		icmp_check_payload(p.data, p.datalen, p.datalen, &sent, &d);
		icmp_check_payload(p.data, p.datalen, p.datalen, NULL, &d);
		icmp_payload_time(p.data, p.datalen, &sent);
	}
	icmp_error_text(family, p.type, p.code, p.info, text, sizeof(text));
	if (icmp_error_brief(family, p.type, p.code) == NULL)
		abort();
	if (memchr(text, '\0', sizeof(text)) == NULL)
		abort();
	icmp_parse_quoted_request(copy, size - 1, family, &id, &seq);
	free(copy);
	return 0;
}
