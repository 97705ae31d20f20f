/* fuzz_json: any bytes given to the JSON writer come out as one line that is valid JSON. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

/* A strict validator for what the writer emits: objects, arrays, strings, numbers, literals. */
static const char *value(const char *p, const char *end, int depth);

static const char *
skip_string(const char *p, const char *end)
{
	if (p >= end || *p++ != '"')
		return NULL;
	while (p < end && *p != '"') {
		unsigned char c = (unsigned char)*p;
		if (c < 0x20)
			return NULL;
		if (c == '\\') {
			if (++p >= end)
				return NULL;
			if (*p == 'u') {
				for (int i = 1; i <= 4; i++)
					if (p + i >= end || strchr("0123456789abcdefABCDEF", p[i]) == NULL)
						return NULL;
				p += 5;
				continue;
			}
			if (strchr("\"\\/bfnrt", *p) == NULL)
				return NULL;
		}
		p++;
	}
	return p < end ? p + 1 : NULL;
}

static const char *
container(const char *p, const char *end, int depth, char close, int keyed)
{
	p++;
	if (p < end && *p == close)
		return p + 1;
	for (;;) {
		if (keyed) {
			if ((p = skip_string(p, end)) == NULL || p >= end || *p++ != ':')
				return NULL;
		}
		if ((p = value(p, end, depth + 1)) == NULL || p >= end)
			return NULL;
		if (*p == close)
			return p + 1;
		if (*p++ != ',')
			return NULL;
	}
}

static const char *
value(const char *p, const char *end, int depth)
{
	if (p >= end || depth > 16)
		return NULL;
	switch (*p) {
	case '{': return container(p, end, depth, '}', 1);
	case '[': return container(p, end, depth, ']', 0);
	case '"': return skip_string(p, end);
	case 't': return end - p >= 4 && memcmp(p, "true", 4) == 0 ? p + 4 : NULL;
	case 'f': return end - p >= 5 && memcmp(p, "false", 5) == 0 ? p + 5 : NULL;
	case 'n': return end - p >= 4 && memcmp(p, "null", 4) == 0 ? p + 4 : NULL;
	default:
		if (*p != '-' && (*p < '0' || *p > '9'))
			return NULL;
		p++;
		while (p < end && strchr("0123456789.eE+-", *p) != NULL)
			p++;
		return p;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json j;
	size_t half = size / 2;
	const char *end;

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
	end = value(j.buf, j.buf + j.len, 0);
	if (end != j.buf + j.len || memchr(j.buf, '\n', j.len) != NULL ||
	    !json_utf8_valid(j.buf, j.len))
		abort();
	json_free(&j);
	return 0;
}
