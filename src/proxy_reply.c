/* proxy_reply.c: the proxies' replies read and named (RFC 1928, RFC 1929, SOCKS4, RFC 9110). */
#include "config.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
/* The OpenBSD strvis, without libbsd's warning about NetBSD's strnvis. */
#define LIBBSD_OPENBSD_VIS 1
#include <vis.h>

#include "proxy.h"

static int
garbage(struct proxy_reply *r, const char *why)
{
	r->why = why;
	return PROXY_REPLY_GARBAGE;
}

/* A two-byte reply whose first byte is a version: the method choice and the auth status. */
static int
two_bytes(const uint8_t *b, size_t len, struct proxy_reply *r, int v1, int v2, const char *why)
{
	memset(r, 0, sizeof(*r));
	r->need = 2;
	r->need_final = 1;
	if (len >= 1 && b[0] != v1 && b[0] != v2)
		return garbage(r, why);
	if (len < 2)
		return PROXY_REPLY_MORE;
	r->code = b[1];
	return PROXY_REPLY_DONE;
}

int
proxy_socks5_method(const uint8_t *b, size_t len, struct proxy_reply *r)
{
	return two_bytes(b, len, r, 5, 5, "not SOCKS5 (version byte not 5)");
}

/* RFC 1929 says version 1; some servers answer with SOCKS5's 5, which means the same. */
int
proxy_socks5_auth(const uint8_t *b, size_t len, struct proxy_reply *r)
{
	return two_bytes(b, len, r, 1, 5, "not a SOCKS5 authentication reply (version byte not 1)");
}

/* "ADDRESS port PORT" of a reply's BND.ADDR and BND.PORT, whole in b. */
static void
format_bound(const uint8_t *b, size_t len, struct proxy_reply *r)
{
	/* Room for " port 65535" after the address. */
	size_t room = sizeof(r->bound) - 12, n;
	char raw[256];

	if (b[3] == 1)
		inet_ntop(AF_INET, b + 4, r->bound, (socklen_t)room);
	else if (b[3] == 4)
		inet_ntop(AF_INET6, b + 4, r->bound, (socklen_t)room);
	else {
		memcpy(raw, b + 5, b[4]);
		raw[b[4]] = '\0';
		strnvis(r->bound, raw, room, VIS_WHITE | VIS_OCTAL);
	}
	n = strlen(r->bound);
	snprintf(r->bound + n, sizeof(r->bound) - n, " port %u",
	    (unsigned)b[len - 2] << 8 | b[len - 1]);
}

int
proxy_socks5_reply(const uint8_t *b, size_t len, struct proxy_reply *r)
{
	memset(r, 0, sizeof(*r));
	r->need = 5; /* through the first byte of the address: a name's length */
	if (len >= 1 && b[0] != 5)
		return garbage(r, "not SOCKS5 (version byte not 5)");
	if (len >= 2)
		r->code = b[1];
	if (len < 4)
		return PROXY_REPLY_MORE;
	if (b[3] == 1)
		r->need = 4 + 4 + 2;
	else if (b[3] == 4)
		r->need = 4 + 16 + 2;
	else if (b[3] != 3)
		return garbage(r, "not SOCKS5 (address type not 1, 3 or 4)");
	else if (len >= 5)
		r->need = 4 + 1 + (size_t)b[4] + 2;
	r->need_final = b[3] != 3 || len >= 5;
	if (len < r->need)
		return PROXY_REPLY_MORE;
	format_bound(b, r->need, r);
	return PROXY_REPLY_DONE;
}

/* The reply's version byte is 0; some servers send 4, the request's, and mean the same. */
int
proxy_socks4_reply(const uint8_t *b, size_t len, struct proxy_reply *r)
{
	memset(r, 0, sizeof(*r));
	r->need = 8;
	r->need_final = 1;
	if (len >= 1 && b[0] != 0 && b[0] != 4)
		return garbage(r, "not SOCKS4 (version byte not 0)");
	if (len >= 2)
		r->code = b[1];
	if (len < 8)
		return PROXY_REPLY_MORE;
	snprintf(r->bound, sizeof(r->bound), "%u.%u.%u.%u port %u", b[4], b[5], b[6], b[7],
	    (unsigned)b[2] << 8 | b[3]);
	return PROXY_REPLY_DONE;
}

size_t
proxy_http_header_end(const uint8_t *b, size_t len)
{
	/* An empty line: LF, then an optional CR, then LF (CRLF is the rule, LF is tolerated). */
	for (size_t i = 0; i + 1 < len; i++) {
		if (b[i] != '\n')
			continue;
		if (b[i + 1] == '\n')
			return i + 2;
		if (b[i + 1] == '\r' && i + 2 < len && b[i + 2] == '\n')
			return i + 3;
	}
	return 0;
}

static int
is_digit(uint8_t c)
{
	return c >= '0' && c <= '9';
}

/* "HTTP/1.1 200 Connection established": HTTP/D.D SP DDD [SP reason] CRLF (or LF). */
static int
status_line(const uint8_t *b, size_t eol, struct proxy_reply *r)
{
	size_t end = eol > 0 && b[eol - 1] == '\r' ? eol - 1 : eol;
	char raw[sizeof(r->reason) / 4];
	size_t n;

	if (end < 12 || !is_digit(b[5]) || b[6] != '.' || !is_digit(b[7]) || b[8] != ' ' ||
	    !is_digit(b[9]) || !is_digit(b[10]) || !is_digit(b[11]) || (end > 12 && b[12] != ' '))
		return garbage(r, "not an HTTP status line");
	r->code = (b[9] - '0') * 100 + (b[10] - '0') * 10 + (b[11] - '0');
	if (b[9] == '0')
		return garbage(r, "not an HTTP status line (status below 100)");
	n = end > 13 ? end - 13 : 0;
	if (n > sizeof(raw) - 1)
		n = sizeof(raw) - 1;
	memcpy(raw, b + 13, n);
	raw[n] = '\0';
	strnvis(r->reason, raw, sizeof(r->reason), VIS_TAB | VIS_NL | VIS_OCTAL);
	return PROXY_REPLY_DONE;
}

int
proxy_http_reply(const uint8_t *b, size_t len, struct proxy_reply *r)
{
	static const char prefix[] = "HTTP/";
	const uint8_t *eol;
	size_t n = len < 5 ? len : 5, end;

	memset(r, 0, sizeof(*r));
	r->need = len + 1;
	if (memcmp(b, prefix, n) != 0)
		return garbage(r, "not HTTP (no HTTP/ at the start)");
	if ((eol = memchr(b, '\n', len)) == NULL)
		return PROXY_REPLY_MORE;
	if (memchr(b, '\0', (size_t)(eol - b)) != NULL)
		return garbage(r, "not an HTTP status line (a NUL byte)");
	if (status_line(b, (size_t)(eol - b), r) == PROXY_REPLY_GARBAGE)
		return PROXY_REPLY_GARBAGE;
	if ((end = proxy_http_header_end(b, len)) == 0)
		return PROXY_REPLY_MORE;
	r->need = end;
	return PROXY_REPLY_DONE;
}

const char *
proxy_socks5_code_text(int code)
{
	static const char *const text[] = {
		"succeeded",
		"general failure of the proxy",
		"connection not allowed by the proxy's rules",
		"network unreachable (reported by the proxy)",
		"host unreachable (reported by the proxy)",
		"connection refused by the destination (reported by the proxy)",
		"TTL expired (reported by the proxy)",
		"command not supported by the proxy",
		"address type not supported by the proxy",
	};

	return code >= 0 && code < (int)(sizeof(text) / sizeof(text[0])) ? text[code] : NULL;
}

const char *
proxy_socks4_code_text(int code)
{
	switch (code) {
	case 90: return "request granted";
	case 91: return "request rejected or failed";
	case 92: return "rejected: the proxy could not reach identd on this machine";
	case 93: return "rejected: identd's user id does not match the request's";
	}
	return NULL;
}

const char *
proxy_http_code_text(int code, int auth_given)
{
	switch (code) {
	case 400: return "the proxy did not understand the request";
	case 403: return "the proxy forbids this destination";
	case 405: return "the proxy does not allow CONNECT";
	case 401: /* tinyproxy's answer to wrong credentials */
	case 407:
		return auth_given ? "the proxy refused the credentials (--proxy-auth)"
				  : "the proxy wants credentials (--proxy-auth)";
	case 500: return "internal error of the proxy";
	case 502: return "the proxy could not connect to the destination";
	case 503: return "the proxy cannot serve the request now";
	case 504: return "the destination did not answer the proxy in time";
	}
	return NULL;
}

void
proxy_escape(const uint8_t *b, size_t len, char *out, size_t size)
{
	const int flags = VIS_WHITE | VIS_OCTAL | VIS_CSTYLE | VIS_DQ;
	char one[5]; /* vis(3) writes at most four characters and a NUL */
	size_t used = 1, i, n;

	if (size < 6) {
		if (size > 0)
			out[0] = '\0';
		return;
	}
	out[0] = '"';
	for (i = 0; i < len; i++) {
		vis(one, b[i], flags, i + 1 < len ? b[i + 1] : 0);
		n = strlen(one);
		/* Room is kept for the closing quote, "..." and the NUL. */
		if (used + n + 5 > size)
			break;
		memcpy(out + used, one, n);
		used += n;
	}
	snprintf(out + used, size - used, "%s", i < len ? "\"..." : "\"");
}
