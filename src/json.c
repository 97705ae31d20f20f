/* json.c: NDJSON objects built in a growing buffer; strings escaped, bytes checked as UTF-8. */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io.h"
#include "json.h"

void
json_init(struct json *j)
{
	memset(j, 0, sizeof(*j));
}

void
json_free(struct json *j)
{
	free(j->buf);
	json_init(j);
}

static void
put(struct json *j, const void *data, size_t len)
{
	if (j->failed)
		return;
	if (j->len + len + 1 > j->cap) {
		size_t cap = j->cap ? j->cap : 256;
		char *nbuf;
		while (cap < j->len + len + 1)
			cap *= 2;
		if ((nbuf = realloc(j->buf, cap)) == NULL) {
			j->failed = 1;
			return;
		}
		j->buf = nbuf;
		j->cap = cap;
	}
	memcpy(j->buf + j->len, data, len);
	j->len += len;
	j->buf[j->len] = '\0';
}

static void
puts_raw(struct json *j, const char *s)
{
	put(j, s, strlen(s));
}

/* The length of the valid UTF-8 sequence at s (no overlongs, surrogates or > U+10FFFF), or 0. */
static size_t
utf8_sequence(const unsigned char *s, size_t len)
{
	unsigned char c = s[0];
	size_t n;
	unsigned cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		n = 1;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 2;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 3;
		cp = c & 0x07;
	} else
		return 0;
	if (len <= n)
		return 0;
	for (size_t k = 1; k <= n; k++) {
		if ((s[k] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[k] & 0x3f);
	}
	if ((n == 2 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (n == 3 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return n + 1;
}

/*
 * A JSON string of the bytes: control characters escaped, and any byte that
 * is not part of valid UTF-8 replaced by U+FFFD, so the line always parses.
 * (Binary payloads go out as base64 instead; this guards names and messages.)
 */
static void
put_escaped(struct json *j, const unsigned char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t start = 0, i = 0;

	put(j, "\"", 1);
	while (i < len) {
		unsigned char c = s[i];
		size_t n = utf8_sequence(s + i, len - i);
		char esc[7];

		if (n > 1 || (n == 1 && c >= 0x20 && c != '"' && c != '\\' && c != 0x7f)) {
			i += n;
			continue;
		}
		put(j, s + start, i - start);
		i++;
		start = i;
		switch (n == 0 ? -1 : c) {
		case -1: puts_raw(j, "\\ufffd"); break;
		case '"': puts_raw(j, "\\\""); break;
		case '\\': puts_raw(j, "\\\\"); break;
		case '\n': puts_raw(j, "\\n"); break;
		case '\r': puts_raw(j, "\\r"); break;
		case '\t': puts_raw(j, "\\t"); break;
		default:
			memcpy(esc, "\\u00", 4);
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			put(j, esc, 6);
		}
	}
	put(j, s + start, len - start);
	put(j, "\"", 1);
}

static void
key(struct json *j, const char *k)
{
	if (j->need_comma)
		put(j, ",", 1);
	j->need_comma = 1;
	if (k != NULL) {
		put_escaped(j, (const unsigned char *)k, strlen(k));
		put(j, ":", 1);
	}
}

void
json_object_begin(struct json *j)
{
	if (j->need_comma)
		put(j, ",", 1);
	put(j, "{", 1);
	j->need_comma = 0;
}

void
json_object_end(struct json *j)
{
	put(j, "}", 1);
	j->need_comma = 1;
}

void
json_object_begin_key(struct json *j, const char *k)
{
	key(j, k);
	put(j, "{", 1);
	j->need_comma = 0;
}

void
json_array_begin(struct json *j, const char *k)
{
	key(j, k);
	put(j, "[", 1);
	j->need_comma = 0;
}

void
json_array_end(struct json *j)
{
	put(j, "]", 1);
	j->need_comma = 1;
}

void
json_string_len(struct json *j, const char *k, const void *s, size_t len)
{
	key(j, k);
	put_escaped(j, s, len);
}

void
json_string(struct json *j, const char *k, const char *s)
{
	if (s == NULL) {
		json_null(j, k);
		return;
	}
	json_string_len(j, k, s, strlen(s));
}

void
json_int(struct json *j, const char *k, long long v)
{
	char num[32];

	key(j, k);
	snprintf(num, sizeof(num), "%lld", v);
	puts_raw(j, num);
}

void
json_double(struct json *j, const char *k, double v, int decimals)
{
	char num[64];

	key(j, k);
	if (!isfinite(v)) {
		puts_raw(j, "null");
		return;
	}
	snprintf(num, sizeof(num), "%.*f", decimals, v);
	puts_raw(j, num);
}

void
json_bool(struct json *j, const char *k, int v)
{
	key(j, k);
	puts_raw(j, v ? "true" : "false");
}

void
json_null(struct json *j, const char *k)
{
	key(j, k);
	puts_raw(j, "null");
}

void
json_base64(struct json *j, const char *k, const void *data, size_t len)
{
	static const char alphabet[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const unsigned char *p = data;
	char quad[4];

	key(j, k);
	put(j, "\"", 1);
	for (size_t i = 0; i < len; i += 3) {
		unsigned v = (unsigned)p[i] << 16;
		if (i + 1 < len)
			v |= (unsigned)p[i + 1] << 8;
		if (i + 2 < len)
			v |= p[i + 2];
		quad[0] = alphabet[v >> 18 & 63];
		quad[1] = alphabet[v >> 12 & 63];
		quad[2] = i + 1 < len ? alphabet[v >> 6 & 63] : '=';
		quad[3] = i + 2 < len ? alphabet[v & 63] : '=';
		put(j, quad, 4);
	}
	put(j, "\"", 1);
}

int
json_write(struct json *j)
{
	fflush(stdout);
	return json_write_fd(j, STDOUT_FILENO);
}

int
json_write_fd(struct json *j, int fd)
{
	put(j, "\n", 1);
	if (j->failed) {
		errno = ENOMEM;
		return -1;
	}
	return io_write_all(fd, j->buf, j->len);
}

int
json_utf8_valid(const void *data, size_t len)
{
	const unsigned char *s = data;
	size_t i = 0, n;

	while (i < len) {
		if ((n = utf8_sequence(s + i, len - i)) == 0)
			return 0;
		i += n;
	}
	return 1;
}
