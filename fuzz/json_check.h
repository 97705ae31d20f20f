/* json_check.h: a strict validator for the JSON sockt writes, for the fuzz targets. */
#ifndef SOCKT_FUZZ_JSON_CHECK_H
#define SOCKT_FUZZ_JSON_CHECK_H

#include <string.h>

/* Objects, arrays, strings, numbers, literals; returns the end of the value or NULL. */
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
					if (p + i >= end ||
					    strchr("0123456789abcdefABCDEF", p[i]) == NULL)
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

/* Whether buf[0..len) is exactly one JSON value. */
static inline int
json_check(const char *buf, size_t len)
{
	return value(buf, buf + len, 0) == buf + len;
}

#endif
