/* proxy_http.c: the HTTP CONNECT handshake (RFC 9110 section 9.3.6), with Basic credentials. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "proxy_private.h"
#include "report.h"

/* The longest reply header read; its bytes are never more than the header itself. */
#define HTTP_HEADER_MAX 16384

/* RFC 4648 base64 of in into out, which holds 4 * ((len + 2) / 3) + 1 bytes. */
static void
base64(const char *in, size_t len, char *out)
{
	static const char digits[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const unsigned char *s = (const unsigned char *)in;
	size_t i;

	for (i = 0; i + 2 < len; i += 3, s += 3) {
		*out++ = digits[s[0] >> 2];
		*out++ = digits[(s[0] & 3) << 4 | s[1] >> 4];
		*out++ = digits[(s[1] & 15) << 2 | s[2] >> 6];
		*out++ = digits[s[2] & 63];
	}
	if (len - i == 1) {
		*out++ = digits[s[0] >> 2];
		*out++ = digits[(s[0] & 3) << 4];
		*out++ = '=';
		*out++ = '=';
	} else if (len - i == 2) {
		*out++ = digits[s[0] >> 2];
		*out++ = digits[(s[0] & 3) << 4 | s[1] >> 4];
		*out++ = digits[(s[1] & 15) << 2];
		*out++ = '=';
	}
	*out = '\0';
}

/* CONNECT host:port, with Host and, given --proxy-auth, Proxy-Authorization: Basic. */
static int
request(const struct proxy_conv *c, char *buf, size_t size)
{
	char authority[600], b64[4 * ((512 + 2) / 3) + 1] = "";
	const char *h = c->dest->host;
	size_t alen = c->px->auth != NULL ? strlen(c->px->auth) : 0;

	snprintf(authority, sizeof(authority), strchr(h, ':') != NULL ? "[%s]:%u" : "%s:%u", h,
	    c->port);
	if (alen > 512)
		alen = 512; /* proxy_check keeps it shorter */
	if (c->px->auth != NULL)
		base64(c->px->auth, alen, b64);
	return snprintf(buf, size, "CONNECT %s HTTP/1.1\r\nHost: %s\r\n%s%s%s\r\n", authority,
	    authority, b64[0] != '\0' ? "Proxy-Authorization: Basic " : "", b64,
	    b64[0] != '\0' ? "\r\n" : "");
}

static int
refused(const struct proxy_conv *c, const struct proxy_reply *r)
{
	const char *text = proxy_http_code_text(r->code, c->px->auth != NULL);

	if (text != NULL)
		report_error("%s: HTTP %d: %s", c->what, r->code, text);
	else
		report_error("%s: HTTP %d \"%s\": the proxy refused the tunnel", c->what, r->code,
		    r->reason);
	if (r->code == 403)
		report_hint("the proxy's rules forbid CONNECT to %s port %s (tinyproxy: "
			    "ConnectPort)",
		    c->dest->host, c->dest->port);
	else if (r->code == 407 || r->code == 401)
		report_hint("%s", c->px->auth != NULL
				      ? "check the USER:PASS of --proxy-auth"
				      : "give --proxy-auth USER:PASS (sent as Basic credentials)");
	else if (r->code == 502 || r->code == 504)
		report_hint("%s port %s did not accept the proxy's connection: the failure is on "
			    "the proxy's side",
		    c->dest->host, c->dest->port);
	return EXIT_NETWORK;
}

int
proxy_http(struct proxy_conv *c)
{
	uint8_t buf[HTTP_HEADER_MAX + 32];
	char req[2048];
	struct proxy_reply r;
	size_t len;
	int n, status;

	c->proto = "HTTP";
	c->reply = "HTTP reply header";
	n = request(c, req, sizeof(req));
	if (n < 0 || (size_t)n >= sizeof(req)) {
		report_error("%s: the CONNECT request is too long", c->what);
		return EXIT_USAGE;
	}
	if ((status = proxy_send(c, req, (size_t)n, "CONNECT request")) != EXIT_OK ||
	    (status = proxy_recv(c, proxy_http_reply, buf, sizeof(buf), &len, &r)) != EXIT_OK)
		return status;
	/* Any 2xx opens the tunnel (RFC 9110 section 15.3). */
	if (r.code < 200 || r.code > 299)
		return refused(c, &r);
	report_verbose(1, "HTTP %d \"%s\": the tunnel is open", r.code, r.reason);
	return EXIT_OK;
}
