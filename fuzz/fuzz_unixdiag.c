/* fuzz_unixdiag: UNIX_DIAG netlink replies and /proc/net/unix lines through their parsers, then
 * as JSON. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "json_check.h"
#include "unixdiag.h"

static void
render(const struct unixdiag_table *t)
{
	for (size_t i = 0; i < t->n; i++) {
		struct json j;
		json_init(&j);
		unixdiag_json(&j, &t->v[i], 1);
		if (!j.failed && !json_check(j.buf, j.len))
			abort();
		json_free(&j);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct unixdiag_table t = { 0 };
	struct unixdiag_socket s;
	uint8_t *copy;

	if (size < 1)
		return 0;
	/* An exact-size copy, so that a read past the end is caught. */
	if ((copy = malloc(size - 1 ? size - 1 : 1)) == NULL)
		return 0;
	memcpy(copy, data + 1, size - 1);
	if (data[0] & 1) {
		if (unixdiag_parse_proc_line((const char *)copy, size - 1, &s) == 0)
			unixdiag_add(&t, &s);
	} else
		unixdiag_parse_netlink(copy, size - 1, 0, &t);
	free(copy);
	render(&t);
	unixdiag_table_free(&t);
	return 0;
}
