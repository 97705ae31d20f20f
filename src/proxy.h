/*
 * proxy.h: connect and send through a proxy (--proxy, --proxy-type, --proxy-auth): the
 * options, the handshake on a socket connected to the proxy, and the replies' parsers.
 */
#ifndef SOCKT_PROXY_H
#define SOCKT_PROXY_H

#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "cmd.h"

enum proxy_type { PROXY_NONE, PROXY_HTTP, PROXY_SOCKS4, PROXY_SOCKS4A, PROXY_SOCKS5 };

/* Option keys, above any command's own and the tunables'. */
enum { OPT_PROXY = OPT_KEYS_PROXY, OPT_PROXY_TYPE, OPT_PROXY_AUTH };

/*
 * A command's option table lists each as one line, with these keys and help texts:
 *   { "proxy", OPT_PROXY, required_argument, "HOST:PORT", PROXY_HELP },
 *   { "proxy-type", OPT_PROXY_TYPE, required_argument, "TYPE", PROXY_HELP_TYPE },
 *   { "proxy-auth", OPT_PROXY_AUTH, required_argument, "USER:PASS", PROXY_HELP_AUTH },
 */
#define PROXY_HELP "connect through this proxy"
#define PROXY_HELP_TYPE "http (CONNECT, the default), socks5, socks4 or socks4a"
#define PROXY_HELP_AUTH "the proxy's credentials (socks4: USER only)"

/* Zeroed: no proxy. */
struct proxy {
	enum proxy_type type; /* PROXY_NONE until --proxy (or --proxy-type) */
	struct endpoint ep; /* --proxy HOST:PORT; host NULL without a proxy */
	const char *auth; /* --proxy-auth as given, or NULL */
	const char *proxy_option, *type_option, *auth_option; /* as typed, for usage errors */
};

struct opt_parser;
struct command;
/* Reads one of the three options into *px: returns 1, or 0 for another key. */
int proxy_option(struct proxy *px, const struct opt_parser *p, int key);
/*
 * After every option and the operands: --proxy-type or --proxy-auth without
 * --proxy, credentials the protocol cannot carry, a destination it cannot
 * carry (an IPv6 address to SOCKS4, a name to socks4 under -n): usage errors.
 */
void proxy_check(const struct command *, struct proxy *px, const struct endpoint *dest);
/*
 * For opt_remote_endpoint: with a proxy, OPT_REMOTE_ELSEWHERE (-n and -4/-6 are
 * about the proxy's address, checked by proxy_check; the destination is the proxy's).
 */
int proxy_remote_flags(const struct proxy *px);
void proxy_free(struct proxy *px);
/* The first proxy option given, as typed ("--proxy"), or NULL: for refusing them (-U). */
const char *proxy_given(const struct proxy *px);

/* Where the TCP connection goes: the proxy, or dest itself without one. */
const struct endpoint *proxy_endpoint(const struct proxy *px, const struct endpoint *dest);
/* After a failure to reach the proxy: the hint that says it was the proxy. */
void proxy_note_unreached(const struct proxy *px, const struct endpoint *dest);

/*
 * On fd, connected to the proxy: asks it for dest and reads its reply, by
 * deadline_usec (clock_now_usec() time; 0 for none). Reads no byte past
 * the reply: what the destination sends stays in the socket. Returns
 * EXIT_OK (at once without a proxy), or the exit status once the failure
 * is reported (sockt-connect(1), Proxies). fd stays open either way.
 */
int proxy_handshake(int fd, const struct proxy *px, const struct endpoint *dest,
    int64_t deadline_usec);

/* The parsers (proxy_reply.c): pure, for the handshake and the fuzzer. */
enum { PROXY_REPLY_GARBAGE = -1, PROXY_REPLY_MORE = 0, PROXY_REPLY_DONE = 1 };
struct proxy_reply {
	size_t need; /* the reply's whole length, as far as known so far */
	int need_final; /* need is the whole length, not only a lower bound */
	int code; /* SOCKS5 REP, SOCKS4 CD, the method chosen, the auth status, HTTP status */
	const char *why; /* GARBAGE: what is wrong */
	char bound[ADDR_STRLEN + 8]; /* SOCKS: the proxy's side of its connection */
	char reason[160]; /* HTTP: the reason phrase (its first 39 bytes), escaped */
};
typedef int (*proxy_parser)(const uint8_t *, size_t, struct proxy_reply *);
/*
 * Each looks at the len bytes received so far: DONE (need bytes are the
 * reply), MORE (read up to need bytes in all, no more) or GARBAGE (why).
 */
int proxy_socks5_method(const uint8_t *, size_t len, struct proxy_reply *);
int proxy_socks5_auth(const uint8_t *, size_t len, struct proxy_reply *);
int proxy_socks5_reply(const uint8_t *, size_t len, struct proxy_reply *);
int proxy_socks4_reply(const uint8_t *, size_t len, struct proxy_reply *);
/* HTTP: need is unknown until the empty line (len + 1 until then); bytes past it are not used. */
int proxy_http_reply(const uint8_t *, size_t len, struct proxy_reply *);
/* The length of the header up to and with its empty line, or 0 while it has none. */
size_t proxy_http_header_end(const uint8_t *, size_t len);

/* What a code means: "connection refused by the destination"; NULL for an unknown code. */
const char *proxy_socks5_code_text(int);
const char *proxy_socks4_code_text(int);
const char *proxy_http_code_text(int, int auth_given);
/* The first bytes of a reply, escaped and quoted, for an error line. */
void proxy_escape(const uint8_t *, size_t len, char *out, size_t size);

#endif
