/* proxy.c: the proxy options, their checks, and the handshake's I/O (sockt-connect(1), Proxies). */
#include "config.h"

#include <sys/socket.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "cmd.h"
#include "io.h"
#include "opts.h"
#include "parse.h"
#include "proxy_private.h"
#include "report.h"

static const char *const type_names[] = { "none", "http", "socks4", "socks4a", "socks5" };

static void
read_proxy(struct proxy *px, const struct opt_parser *p)
{
	char *word = (char *)p->arg;
	const char *why;

	if (px->ep.host != NULL)
		endpoint_free(&px->ep);
	if (endpoint_parse_remote(1, &word, &px->ep, &why) == -1 ||
	    parse_port(px->ep.port, "tcp", &(uint16_t){ 0 }) == -1)
		opt_usage_error(p->cmd,
		    "invalid proxy '%s' for %s: must be HOST:PORT or [IPV6]:PORT", p->arg, p->name);
	if (px->type == PROXY_NONE)
		px->type = PROXY_HTTP;
	px->proxy_option = p->name;
}

static void
read_type(struct proxy *px, const struct opt_parser *p)
{
	for (size_t i = PROXY_HTTP; i < sizeof(type_names) / sizeof(type_names[0]); i++) {
		if (strcmp(p->arg, type_names[i]) == 0) {
			px->type = (enum proxy_type)i;
			px->type_option = p->name;
			return;
		}
	}
	opt_usage_error(p->cmd,
	    "invalid proxy type '%s' for %s: must be http, socks5, socks4 or "
	    "socks4a",
	    p->arg, p->name);
}

int
proxy_option(struct proxy *px, const struct opt_parser *p, int key)
{
	switch (key) {
	case OPT_PROXY: read_proxy(px, p); return 1;
	case OPT_PROXY_TYPE: read_type(px, p); return 1;
	case OPT_PROXY_AUTH:
		px->auth = p->arg;
		px->auth_option = p->name;
		return 1;
	}
	return 0;
}

/* What each protocol can carry of --proxy-auth. */
static void
check_auth(const struct command *cmd, const struct proxy *px)
{
	const char *colon = strchr(px->auth, ':');

	if (px->type == PROXY_SOCKS4 || px->type == PROXY_SOCKS4A) {
		if (colon != NULL || px->auth[0] == '\0')
			opt_usage_error(cmd,
			    "invalid credentials for %s: SOCKS4 sends a user id only, "
			    "give USER without a password",
			    px->auth_option);
	}
	if (strlen(px->auth) > 511 || (colon == NULL && strlen(px->auth) > 255))
		opt_usage_error(cmd, "invalid credentials for %s: too long", px->auth_option);
	if (px->type == PROXY_SOCKS4 || px->type == PROXY_SOCKS4A)
		return;
	if (colon == NULL || colon == px->auth)
		opt_usage_error(cmd, "invalid credentials for %s: must be USER:PASS",
		    px->auth_option);
	/* RFC 1929: each is 1-255 bytes. */
	if (px->type == PROXY_SOCKS5 &&
	    (colon - px->auth > 255 || colon[1] == '\0' || strlen(colon + 1) > 255))
		opt_usage_error(cmd,
		    "invalid credentials for %s: SOCKS5 takes a USER and a PASS of 1-255 bytes "
		    "each",
		    px->auth_option);
}

/* The destination as the protocol must carry it: its family, its length, no control bytes. */
static void
check_dest(const struct command *cmd, const struct proxy *px, const struct endpoint *dest)
{
	int family = addr_literal_family(dest->host);
	const char *name = type_names[px->type];

	for (const char *s = dest->host; *s != '\0'; s++)
		if ((unsigned char)*s <= ' ' || *s == 0x7f)
			opt_usage_error(cmd,
			    "invalid host for a proxy: it holds a space or a control "
			    "character");
	if ((px->type == PROXY_SOCKS4 || px->type == PROXY_SOCKS4A) && family == AF_INET6)
		opt_usage_error(cmd,
		    "%s carries IPv4 addresses only, and '%s' is IPv6: use socks5 "
		    "or http",
		    name, dest->host);
	if (px->type == PROXY_SOCKS4 && family == AF_UNSPEC && globals.numeric)
		opt_usage_error(cmd,
		    "socks4 needs an IPv4 address looked up here, and -n forbids "
		    "looking up '%s': use socks4a or socks5, which send the name",
		    dest->host);
	if (strlen(dest->host) > 255)
		opt_usage_error(cmd, "invalid host for a proxy: longer than 255 bytes");
}

void
proxy_check(const struct command *cmd, struct proxy *px, const struct endpoint *dest)
{
	if (px->ep.host == NULL) {
		if (px->type_option != NULL || px->auth_option != NULL)
			opt_usage_error(cmd, "%s applies with --proxy only",
			    px->type_option != NULL ? px->type_option : px->auth_option);
		px->type = PROXY_NONE;
		return;
	}
	/* -n and -4/-6 are about the proxy's address: sockt connects to it. */
	opt_check_host(cmd, px->ep.host);
	if (px->auth != NULL)
		check_auth(cmd, px);
	check_dest(cmd, px, dest);
}

int
proxy_remote_flags(const struct proxy *px)
{
	return px->ep.host != NULL ? OPT_REMOTE_ELSEWHERE : 0;
}

void
proxy_free(struct proxy *px)
{
	if (px->ep.host != NULL)
		endpoint_free(&px->ep);
}

const char *
proxy_given(const struct proxy *px)
{
	if (px->proxy_option != NULL)
		return px->proxy_option;
	return px->type_option != NULL ? px->type_option : px->auth_option;
}

const struct endpoint *
proxy_endpoint(const struct proxy *px, const struct endpoint *dest)
{
	return px->ep.host != NULL ? &px->ep : dest;
}

void
proxy_note_unreached(const struct proxy *px, const struct endpoint *dest)
{
	if (px->ep.host == NULL)
		return;
	report_hint("that is the proxy (--proxy %s port %s, %s): %s port %s was not asked for",
	    px->ep.host, px->ep.port, type_names[px->type], dest->host, dest->port);
}

int
proxy_send(struct proxy_conv *c, const void *buf, size_t len, const char *step)
{
	if (io_write_all(c->fd, buf, len) == 0)
		return EXIT_OK;
	report_errno(errno, "%s: send the %s %s", c->what, c->proto, step);
	return exit_status_for_errno(errno);
}

/* Until fd is readable or the deadline: 0, or -1 with errno (ETIMEDOUT). */
static int
wait_readable(const struct proxy_conv *c)
{
	struct pollfd pfd = { c->fd, POLLIN, 0 };
	int64_t left;
	int n;

	for (int tries = 0; tries < 1000; tries++) {
		left = c->deadline_usec > 0 ? c->deadline_usec - clock_now_usec() : -1;
		if (c->deadline_usec > 0 && left <= 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		if ((n = poll(&pfd, 1, left < 0 ? -1 : duration_to_poll_ms(left))) > 0)
			return 0;
		if (n == -1 && errno != EINTR)
			return -1;
	}
	errno = EINTR;
	return -1;
}

/*
 * Reads what the reply may still hold: want bytes, or for HTTP (need unknown) what
 * has come, up to the header's empty line and not past it (peeked first).
 */
static ssize_t
take(const struct proxy_conv *c, uint8_t *buf, size_t len, size_t want, int http)
{
	size_t end;
	ssize_t n;

	if (!http)
		return recv(c->fd, buf + len, want, 0);
	if ((n = recv(c->fd, buf + len, want, MSG_PEEK)) <= 0)
		return n;
	end = proxy_http_header_end(buf, len + (size_t)n);
	return recv(c->fd, buf + len, end > len ? end - len : (size_t)n, 0);
}

/* Garbage: the first bytes, with what else has already come, escaped, and a hint. */
static int
report_garbage(const struct proxy_conv *c, uint8_t *buf, size_t len, const char *why)
{
	char shown[256];
	ssize_t n;

	if (len < 32 && (n = recv(c->fd, buf + len, 32 - len, MSG_DONTWAIT)) > 0)
		len += (size_t)n;
	proxy_escape(buf, len, shown, sizeof(shown));
	report_error("%s: the proxy's reply is %s: %s", c->what, why, shown);
	if (len >= 5 && memcmp(buf, "HTTP/", 5) == 0)
		report_hint("an HTTP proxy answered: --proxy-type http speaks to it");
	else if (buf[0] == 0 || buf[0] == 5)
		report_hint("this looks like a SOCKS proxy: --proxy-type socks5 (or socks4) speaks "
			    "to it");
	else
		report_hint("is %s port %s a %s proxy? --proxy-type chooses the protocol",
		    c->px->ep.host, c->px->ep.port, c->proto);
	return EXIT_NETWORK;
}

/* The proxy's EOF before its reply was whole. */
static int
report_cut(const struct proxy_conv *c, size_t len, const struct proxy_reply *r)
{
	if (c->refused != NULL && len >= 2 && r->code != c->ok_code)
		return c->refused(c, r->code);
	if (len == 0)
		report_error("%s: the proxy closed the connection without a %s", c->what, c->reply);
	else if (!r->need_final)
		report_error("%s: the proxy closed the connection after %zu bytes of its %s, "
			     "before "
			     "its end",
		    c->what, len, c->reply);
	else
		report_error("%s: the proxy closed the connection after %zu of %zu bytes of its %s",
		    c->what, len, r->need, c->reply);
	return EXIT_NETWORK;
}

int
proxy_recv(struct proxy_conv *c, proxy_parser parse, uint8_t *buf, size_t cap, size_t *len,
    struct proxy_reply *r)
{
	int http = parse == proxy_http_reply, rc;
	ssize_t n;

	*len = 0;
	/* Each round reads at least one byte, and a reply is at most cap: bounded. */
	while ((rc = parse(buf, *len, r)) == PROXY_REPLY_MORE) {
		if (r->need > cap - 32 || *len >= cap - 32) {
			report_error("%s: the proxy's %s is longer than %zu bytes", c->what,
			    c->reply, cap - 32);
			return EXIT_NETWORK;
		}
		if (wait_readable(c) == -1 ||
		    ((n = take(c, buf, *len, http ? cap - 32 - *len : r->need - *len, http)) ==
			    -1 &&
			errno != EINTR)) {
			report_errno(errno, "%s: receive the %s", c->what, c->reply);
			return exit_status_for_errno(errno);
		}
		if (n == 0)
			return report_cut(c, *len, r);
		if (n > 0)
			*len += (size_t)n;
	}
	if (rc == PROXY_REPLY_GARBAGE)
		return report_garbage(c, buf, *len, r->why);
	return EXIT_OK;
}

void
proxy_split_auth(const char *auth, char *user, size_t ulen, char *pass, size_t plen)
{
	const char *colon = strchr(auth, ':');
	size_t n = colon != NULL ? (size_t)(colon - auth) : strlen(auth);

	snprintf(user, ulen, "%.*s", (int)n, auth);
	if (pass != NULL)
		snprintf(pass, plen, "%s", colon != NULL ? colon + 1 : "");
}

int
proxy_handshake(int fd, const struct proxy *px, const struct endpoint *dest, int64_t deadline_usec)
{
	struct proxy_conv c = { .fd = fd, .px = px, .dest = dest, .deadline_usec = deadline_usec };
	int family = addr_literal_family(dest->host);

	if (px->type == PROXY_NONE)
		return EXIT_OK;
	if (parse_port(dest->port, "tcp", &c.port) == -1) {
		report_errno(errno, "port %s", dest->port);
		return EXIT_RESOLVE;
	}
	snprintf(c.what, sizeof(c.what), "connect to %s port %s through proxy %s port %s (%s)",
	    dest->host, dest->port, px->ep.host, px->ep.port, type_names[px->type]);
	report_verbose(1, "proxy %s port %s (%s): asking for %s port %s%s", px->ep.host,
	    px->ep.port, type_names[px->type], dest->host, dest->port,
	    family == AF_UNSPEC && px->type != PROXY_SOCKS4 ? ", a name the proxy looks up" : "");
	if (px->type == PROXY_SOCKS5)
		return proxy_socks5(&c);
	if (px->type == PROXY_HTTP)
		return proxy_http(&c);
	return proxy_socks4(&c);
}
