/* fuzz_sockdiag: netlink replies and /proc/net lines through the sock_diag parsers, then printed.
 */
#include "config.h"

#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "json_check.h"
#include "sockdiag.h"

static void
render(const struct sockdiag_table *t)
{
	char text[256];

	for (size_t i = 0; i < t->n; i++) {
		struct json j;
		sockdiag_endpoint_text(&t->v[i], 0, text, sizeof(text));
		sockdiag_endpoint_text(&t->v[i], 1, text, sizeof(text));
		sockdiag_timer_text(&t->v[i], text, sizeof(text));
		json_init(&j);
		sockdiag_json(&j, &t->v[i], 1);
		if (!j.failed && !json_check(j.buf, j.len))
			abort();
		json_free(&j);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sockdiag_filter f = { .protocol = IPPROTO_TCP, .family = AF_UNSPEC, .port = -1 };
	struct sockdiag_table t = { 0 };
	struct sockdiag_socket s;
	char *line;
	uint8_t *copy;

	if (size < 1)
		return 0;
	f.protocol = data[0] & 1 ? IPPROTO_UDP : IPPROTO_TCP;
	if (data[0] & 2) {
		if ((line = malloc(size)) == NULL)
			return 0;
		memcpy(line, data + 1, size - 1);
		line[size - 1] = '\0';
		memset(&s, 0, sizeof(s));
		if (sockdiag_parse_proc_line(line, data[0] & 4 ? AF_INET6 : AF_INET, f.protocol,
			100, &s) == 0)
			sockdiag_add(&t, &s);
		free(line);
	} else {
		if ((copy = malloc(size - 1 ? size - 1 : 1)) == NULL)
			return 0;
		memcpy(copy, data + 1, size - 1);
		sockdiag_parse_netlink(copy, size - 1, 0, &f, &t);
		free(copy);
	}
	render(&t);
	sockdiag_table_free(&t);
	return 0;
}
