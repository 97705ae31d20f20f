/* parse.c: the command line's numbers, durations, sizes, ports and escapes; no I/O. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"

int
parse_is_decimal(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (!isdigit((unsigned char)*s))
			return 0;
	return 1;
}

int
parse_number(const char *s, long long min, long long max, long long *out, const char **errstr)
{
	const char *why = NULL;
	long long v;

	/* strtonum skips leading blanks and takes a sign; a number here is bare digits. */
	if (s[0] == '\0' || isspace((unsigned char)s[0]) || (s[0] == '+'))
		why = "invalid";
	else {
		v = strtonum(s, min, max, &why);
		if (why == NULL)
			*out = v;
	}
	if (errstr != NULL)
		*errstr = why;
	if (why != NULL) {
		errno = strcmp(why, "invalid") == 0 ? EINVAL : ERANGE;
		return -1;
	}
	return 0;
}

/* Splits "12.345" into whole and fraction (in millionths); rejects anything else. */
static int
parse_decimal(const char *s, size_t len, int64_t *whole, int64_t *micro)
{
	int64_t w = 0, f = 0, scale = 100000;
	size_t i = 0;
	int digits = 0;

	for (; i < len && isdigit((unsigned char)s[i]); i++, digits++) {
		if (w > INT64_MAX / 10 - 10)
			return (errno = ERANGE), -1;
		w = w * 10 + (s[i] - '0');
	}
	if (i < len && s[i] == '.') {
		for (i++; i < len && isdigit((unsigned char)s[i]); i++, digits++) {
			f += (s[i] - '0') * scale;
			scale /= 10;
		}
	}
	if (i != len || digits == 0)
		return (errno = EINVAL), -1;
	*whole = w;
	*micro = f;
	return 0;
}

int
parse_duration(const char *s, int64_t *usec)
{
	static const struct {
		const char *suffix;
		int64_t unit; /* microseconds */
	} units[] = {
		/* "ms" before "m" and "s"; no suffix last: plain seconds. */
		{ .suffix = "ms", .unit = 1000 },
		{ .suffix = "s", .unit = 1000000 },
		{ .suffix = "m", .unit = 60000000 },
		{ .suffix = "", .unit = 1000000 },
	};
	size_t len = strlen(s);

	for (size_t u = 0; u < sizeof(units) / sizeof(units[0]); u++) {
		size_t sl = strlen(units[u].suffix);
		int64_t whole, micro, v;

		if (len <= sl || strcmp(s + len - sl, units[u].suffix) != 0)
			continue;
		if (parse_decimal(s, len - sl, &whole, &micro) == -1)
			return -1;
		if (whole > DURATION_MAX / units[u].unit)
			return (errno = ERANGE), -1;
		v = whole * units[u].unit + micro * units[u].unit / 1000000;
		if (v > DURATION_MAX)
			return (errno = ERANGE), -1;
		*usec = v;
		return 0;
	}
	errno = EINVAL;
	return -1;
}

int
parse_size(const char *s, uint64_t max, uint64_t *out)
{
	size_t len = strlen(s);
	uint64_t mult = 1;
	int64_t whole, micro;

	if (len > 0) {
		switch (s[len - 1]) {
		case 'k':
		case 'K': mult = 1024; break;
		case 'M': mult = 1024 * 1024; break;
		case 'G': mult = 1024 * 1024 * 1024; break;
		}
		if (mult != 1)
			len--;
	}
	if (parse_decimal(s, len, &whole, &micro) == -1)
		return -1;
	if (micro != 0 && mult == 1)
		return (errno = EINVAL), -1;
	if ((uint64_t)whole > max / mult)
		return (errno = ERANGE), -1;
	*out = (uint64_t)whole * mult + (uint64_t)micro * mult / 1000000;
	if (*out > max)
		return (errno = ERANGE), -1;
	return 0;
}

/* A letter, then letters, digits and "-_.+/": how services entries are named. */
static int
is_service_name(const char *s)
{
	if (!isalpha((unsigned char)s[0]) || strlen(s) > 64)
		return 0;
	for (; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s) && strchr("-_.+/", *s) == NULL)
			return 0;
	return 1;
}

int
parse_port(const char *s, const char *proto, uint16_t *port)
{
	struct servent *se;
	long long v;

	if (s[0] != '\0' && isdigit((unsigned char)s[0])) {
		if (parse_number(s, 0, 65535, &v, NULL) == -1)
			return -1;
		*port = (uint16_t)v;
		return 0;
	}
	if (!is_service_name(s))
		return (errno = EINVAL), -1;
	if ((se = getservbyname(s, proto)) == NULL)
		return (errno = ENOENT), -1;
	*port = ntohs((uint16_t)se->s_port);
	return 0;
}

int
parse_port_range(const char *s, const char *proto, uint16_t *lo, uint16_t *hi)
{
	const char *dash = strchr(s, '-');
	char first[16];

	if (dash == NULL || dash == s) {
		if (parse_port(s, proto, lo) == -1)
			return -1;
		*hi = *lo;
		return 0;
	}
	if ((size_t)(dash - s) >= sizeof(first))
		return (errno = EINVAL), -1;
	memcpy(first, s, (size_t)(dash - s));
	first[dash - s] = '\0';
	if (parse_port(first, proto, lo) == -1 || parse_port(dash + 1, proto, hi) == -1)
		return -1;
	if (*lo > *hi)
		return (errno = EINVAL), -1;
	return 0;
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

long
parse_escapes(const char *in, char *out, const char **bad)
{
	const char *p = in;
	long n = 0;
	int hi, lo;

	while (*p != '\0') {
		if (*p != '\\') {
			out[n++] = *p++;
			continue;
		}
		switch (p[1]) {
		case 'n':
			out[n++] = '\n';
			p += 2;
			break;
		case 'r':
			out[n++] = '\r';
			p += 2;
			break;
		case 't':
			out[n++] = '\t';
			p += 2;
			break;
		case '0':
			out[n++] = '\0';
			p += 2;
			break;
		case '\\':
			out[n++] = '\\';
			p += 2;
			break;
		case 'x':
			if ((hi = hexval((unsigned char)p[2])) == -1 ||
			    (lo = hexval((unsigned char)p[3])) == -1)
				goto invalid;
			out[n++] = (char)(hi << 4 | lo);
			p += 4;
			break;
		default: goto invalid;
		}
	}
	return n;
invalid:
	if (bad != NULL)
		*bad = p;
	errno = EINVAL;
	return -1;
}

int
duration_to_poll_ms(int64_t usec)
{
	if (usec < 0)
		return -1;
	if (usec > (int64_t)INT32_MAX * 1000)
		return INT32_MAX;
	return (int)((usec + 999) / 1000);
}

void
duration_format(int64_t usec, char *buf, size_t len)
{
	if (usec % 1000000 == 0)
		snprintf(buf, len, "%lld s", (long long)(usec / 1000000));
	else if (usec < 1000000 && usec % 1000 == 0)
		snprintf(buf, len, "%lld ms", (long long)(usec / 1000));
	else
		snprintf(buf, len, "%.3g s", (double)usec / 1e6);
}
