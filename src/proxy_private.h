/* proxy_private.h: one handshake's state and its I/O, shared by proxy.c, proxy_socks.c and
 * proxy_http.c. */
#ifndef SOCKT_PROXY_PRIVATE_H
#define SOCKT_PROXY_PRIVATE_H

#include <stddef.h>
#include <stdint.h>

#include "proxy.h"

/* One handshake: the socket, what is asked for, and the words of its error lines. */
struct proxy_conv {
	int fd;
	const struct proxy *px;
	const struct endpoint *dest;
	uint16_t port; /* dest's, as a number */
	int64_t deadline_usec; /* 0: none */
	const char *proto; /* "SOCKS5", "SOCKS4", "HTTP" */
	const char *reply; /* the reply being read, for the error lines: "SOCKS5 reply" */
	/* A reply cut short after its code, when that code is a refusal: said as one. */
	int (*refused)(const struct proxy_conv *, int code);
	int ok_code;
	char what[1024]; /* "connect to web.test port 80 through proxy 127.0.0.1 port 1080 (socks5)"
			  */
};

/* Sends the request (step: "request"); EXIT_OK or the status once reported. */
int proxy_send(struct proxy_conv *, const void *, size_t, const char *step);
/*
 * Reads one reply (named by c->reply) into buf (cap bytes), never past it, by the
 * deadline: EXIT_OK with *r filled in (DONE), or the status once the failure is
 * reported. A reply cut short after its code, when that code is not c->ok_code, is
 * reported by c->refused (when set) as the refusal it is.
 */
int proxy_recv(struct proxy_conv *, proxy_parser, uint8_t *buf, size_t cap, size_t *len,
    struct proxy_reply *r);
/* The proxy refused with a code: the error line and its hint (proxy_socks.c, proxy_http.c). */
int proxy_socks5_refused(const struct proxy_conv *, int code);
int proxy_socks4_refused(const struct proxy_conv *, int code);

int proxy_socks5(struct proxy_conv *);
int proxy_socks4(struct proxy_conv *);
int proxy_http(struct proxy_conv *);

/* "user" and "pass" of --proxy-auth USER:PASS (pass NULL for socks4's USER). */
void proxy_split_auth(const char *auth, char *user, size_t ulen, char *pass, size_t plen);

#endif
