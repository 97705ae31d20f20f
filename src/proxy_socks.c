/* proxy_socks.c: the SOCKS5 (RFC 1928, RFC 1929) and SOCKS4/4a handshakes. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "proxy_private.h"
#include "report.h"

/* Room for the longest request and reply: a 255-byte name or user id, and more. */
#define SOCKS_BUF 1024

static void
socks5_hint(const struct proxy_conv *c, int code)
{
	int family = addr_literal_family(c->dest->host);

	switch (code) {
	case 1: report_hint("the proxy's own log says what failed"); break;
	case 2:
		report_hint("the proxy's rules do not let this client reach %s port %s",
		    c->dest->host, c->dest->port);
		break;
	case 3:
	case 4:
		report_hint("the proxy found no route to %s: the failure is on the proxy's side",
		    c->dest->host);
		break;
	case 5:
		report_hint("nothing listens on port %s of %s, as the proxy sees it", c->dest->port,
		    c->dest->host);
		break;
	case 8:
		report_hint("the proxy does not take %s: give the destination as %s",
		    family == AF_UNSPEC	 ? "names"
		    : family == AF_INET6 ? "IPv6 addresses"
					 : "IPv4 addresses",
		    family == AF_UNSPEC ? "an address"
					: "a name or an address of the other family");
		break;
	}
}

int
proxy_socks5_refused(const struct proxy_conv *c, int code)
{
	const char *text = proxy_socks5_code_text(code);

	report_error("%s: SOCKS5 reply %d: %s", c->what, code,
	    text != NULL ? text : "an unassigned code (a refusal)");
	socks5_hint(c, code);
	return EXIT_NETWORK;
}

/* RFC 1929: VER 1, ULEN, UNAME, PLEN, PASSWD; proxy_check keeps each to 1-255 bytes. */
static int
socks5_auth(struct proxy_conv *c)
{
	uint8_t buf[SOCKS_BUF];
	char user[256], pass[256];
	struct proxy_reply r;
	size_t ul, pl, len;
	int status;

	proxy_split_auth(c->px->auth, user, sizeof(user), pass, sizeof(pass));
	ul = strlen(user);
	pl = strlen(pass);
	buf[0] = 1;
	buf[1] = (uint8_t)ul;
	memcpy(buf + 2, user, ul);
	buf[2 + ul] = (uint8_t)pl;
	memcpy(buf + 3 + ul, pass, pl);
	c->reply = "SOCKS5 authentication reply";
	if ((status = proxy_send(c, buf, 3 + ul + pl, "user name and password")) != EXIT_OK ||
	    (status = proxy_recv(c, proxy_socks5_auth, buf, sizeof(buf), &len, &r)) != EXIT_OK)
		return status;
	if (r.code != 0) {
		report_error("%s: SOCKS5 authentication status %d: the proxy refused the user name "
			     "or password",
		    c->what, r.code);
		report_hint("check the USER:PASS of --proxy-auth");
		return EXIT_NETWORK;
	}
	report_verbose(1, "SOCKS5: user name and password accepted");
	return EXIT_OK;
}

/* The method negotiation: none, or RFC 1929 user name and password when --proxy-auth. */
static int
socks5_method(struct proxy_conv *c)
{
	uint8_t hello[4] = { 5, 1, 0, 2 }, buf[SOCKS_BUF];
	struct proxy_reply r;
	size_t len;
	int status;

	if (c->px->auth != NULL)
		hello[1] = 2;
	c->reply = "SOCKS5 method reply";
	if ((status = proxy_send(c, hello, 2 + (size_t)hello[1], "greeting")) != EXIT_OK ||
	    (status = proxy_recv(c, proxy_socks5_method, buf, sizeof(buf), &len, &r)) != EXIT_OK)
		return status;
	if (r.code == 0) {
		report_verbose(1, "SOCKS5: method 0, no authentication");
		return EXIT_OK;
	}
	if (r.code == 2 && c->px->auth != NULL) {
		report_verbose(1, "SOCKS5: method 2, user name and password");
		return socks5_auth(c);
	}
	if (r.code == 0xff) {
		report_error("%s: SOCKS5 method 255: the proxy accepts none of the methods offered "
			     "(%s)",
		    c->what, c->px->auth != NULL ? "none, user name and password" : "none");
		report_hint("%s", c->px->auth != NULL
				      ? "the proxy wants a method sockt does not have (GSSAPI?)"
				      : "the proxy wants credentials: give --proxy-auth USER:PASS");
		return EXIT_NETWORK;
	}
	report_error("%s: SOCKS5 method %d: the proxy chose a method that was not offered", c->what,
	    r.code);
	return EXIT_NETWORK;
}

/* VER 5, CMD 1 (CONNECT), RSV, then the address: IPv4, IPv6 or a name for the proxy. */
static size_t
socks5_request(const struct proxy_conv *c, uint8_t *buf)
{
	size_t n = 4, hl = strlen(c->dest->host);

	buf[0] = 5;
	buf[1] = 1;
	buf[2] = 0;
	if (inet_pton(AF_INET, c->dest->host, buf + 4) == 1) {
		buf[3] = 1;
		n += 4;
	} else if (inet_pton(AF_INET6, c->dest->host, buf + 4) == 1) {
		buf[3] = 4;
		n += 16;
	} else {
		buf[3] = 3;
		buf[4] = (uint8_t)hl;
		memcpy(buf + 5, c->dest->host, hl);
		n += 1 + hl;
	}
	buf[n++] = (uint8_t)(c->port >> 8);
	buf[n++] = (uint8_t)c->port;
	return n;
}

int
proxy_socks5(struct proxy_conv *c)
{
	uint8_t buf[SOCKS_BUF];
	struct proxy_reply r;
	size_t len;
	int status;

	c->proto = "SOCKS5";
	if ((status = socks5_method(c)) != EXIT_OK)
		return status;
	c->reply = "SOCKS5 reply";
	c->refused = proxy_socks5_refused;
	c->ok_code = 0;
	len = socks5_request(c, buf);
	if ((status = proxy_send(c, buf, len, "request")) != EXIT_OK ||
	    (status = proxy_recv(c, proxy_socks5_reply, buf, sizeof(buf), &len, &r)) != EXIT_OK)
		return status;
	if (r.code != 0)
		return proxy_socks5_refused(c, r.code);
	report_verbose(1, "SOCKS5 reply 0: succeeded; the proxy connects from %s", r.bound);
	return EXIT_OK;
}

int
proxy_socks4_refused(const struct proxy_conv *c, int code)
{
	const char *text = proxy_socks4_code_text(code);

	report_error("%s: SOCKS4 reply %d: %s", c->what, code,
	    text != NULL ? text : "not a SOCKS4 code (a refusal)");
	if (code == 91)
		report_hint("the proxy's rules refused %s port %s, or it could not connect there "
			    "(SOCKS4 does not say which)",
		    c->dest->host, c->dest->port);
	else if (code == 92 || code == 93)
		report_hint("the proxy checks the user with identd (RFC 1413)%s",
		    code == 93 ? ": give the user id identd reports with --proxy-auth USER" : "");
	return EXIT_NETWORK;
}

/* socks4: the name looked up here, IPv4 only (-n was checked: a literal). */
static int
socks4_address(const struct proxy_conv *c, uint8_t *ip4)
{
	struct addrinfo hints = { .ai_family = AF_INET, .ai_socktype = SOCK_STREAM }, *res;
	char text[INET_ADDRSTRLEN];
	int eai;

	if (inet_pton(AF_INET, c->dest->host, ip4) == 1)
		return EXIT_OK;
	if (c->px->type == PROXY_SOCKS4A) {
		/* 0.0.0.x with x not 0: the name follows the user id (SOCKS4a). */
		memcpy(ip4, "\0\0\0\1", 4);
		return EXIT_OK;
	}
	if ((eai = getaddrinfo(c->dest->host, NULL, &hints, &res)) != 0) {
		report_eai(eai, errno, "%s", c->dest->host);
		report_hint("socks4 carries an IPv4 address, looked up here; socks4a and socks5 "
			    "let the proxy look the name up");
		return EXIT_RESOLVE;
	}
	memcpy(ip4, &((struct sockaddr_in *)res->ai_addr)->sin_addr, 4);
	freeaddrinfo(res);
	report_verbose(1, "SOCKS4: %s is %s, looked up here (SOCKS4 carries IPv4 addresses)",
	    c->dest->host, inet_ntop(AF_INET, ip4, text, sizeof(text)));
	return EXIT_OK;
}

/* VN 4, CD 1 (CONNECT), DSTPORT, DSTIP, USERID NUL [, the name NUL for SOCKS4a]. */
int
proxy_socks4(struct proxy_conv *c)
{
	uint8_t buf[SOCKS_BUF];
	struct proxy_reply r;
	char user[256] = "";
	size_t len = 8;
	int status;

	c->proto = "SOCKS4";
	c->reply = "SOCKS4 reply";
	c->refused = proxy_socks4_refused;
	c->ok_code = 90;
	if ((status = socks4_address(c, buf + 4)) != EXIT_OK)
		return status;
	buf[0] = 4;
	buf[1] = 1;
	buf[2] = (uint8_t)(c->port >> 8);
	buf[3] = (uint8_t)c->port;
	if (c->px->auth != NULL)
		proxy_split_auth(c->px->auth, user, sizeof(user), NULL, 0);
	memcpy(buf + len, user, strlen(user) + 1);
	len += strlen(user) + 1;
	if (memcmp(buf + 4, "\0\0\0\1", 4) == 0) {
		memcpy(buf + len, c->dest->host, strlen(c->dest->host) + 1);
		len += strlen(c->dest->host) + 1;
	}
	if ((status = proxy_send(c, buf, len, "request")) != EXIT_OK ||
	    (status = proxy_recv(c, proxy_socks4_reply, buf, sizeof(buf), &len, &r)) != EXIT_OK)
		return status;
	if (r.code != 90)
		return proxy_socks4_refused(c, r.code);
	report_verbose(1, "SOCKS4 reply 90: request granted");
	return EXIT_OK;
}
