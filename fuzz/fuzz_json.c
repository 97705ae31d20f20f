/* fuzz_json: any bytes given to the JSON writer come out as one line that is valid JSON. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "json_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json j;
	size_t half = size / 2;

	json_init(&j);
	json_object_begin(&j);
	json_string_len(&j, "a", data, half);
	json_array_begin(&j, "list");
	json_string_len(&j, NULL, data + half, size - half);
	json_int(&j, NULL, (long long)size);
	json_array_end(&j);
	json_base64(&j, "b", data, size);
	json_bool(&j, "utf8", json_utf8_valid(data, size));
	json_object_end(&j);
	if (j.failed) {
		json_free(&j);
		return 0;
	}
	if (!json_check(j.buf, j.len) || memchr(j.buf, '\n', j.len) != NULL ||
	    !json_utf8_valid(j.buf, j.len))
		abort();
	json_free(&j);
	return 0;
}
