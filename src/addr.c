/* addr.c: endpoints (sockt(1), ADDRESSES): HOST PORT forms, getaddrinfo, inet_ntop. */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "cmd.h"
#include "parse.h"

void
endpoint_free(struct endpoint *ep)
{
	free(ep->host);
	free(ep->port);
	ep->host = ep->port = NULL;
}

static int
set_endpoint(struct endpoint *ep, const char *host, size_t hostlen, const char *port)
{
	ep->host = host == NULL ? NULL : strndup(host, hostlen);
	ep->port = strdup(port);
	if ((host != NULL && ep->host == NULL) || ep->port == NULL) {
		endpoint_free(ep);
		return -1;
	}
	return 0;
}

/*
 * One word: "[V6]:PORT", "[V6]" is not enough (a port is needed),
 * "HOST:PORT" with exactly one colon. A bare IPv6 literal is ambiguous with
 * a port glued to it, so it must come with brackets or as a separate word.
 */
static int
split_host_port(const char *word, struct endpoint *ep, const char **why)
{
	const char *colon, *close;

	if (word[0] == '[') {
		if ((close = strchr(word, ']')) == NULL) {
			*why = "missing ']' after the IPv6 address";
			return -1;
		}
		if (close[1] != ':' || close[2] == '\0') {
			*why = "a bracketed address needs ':PORT' after it, as in [::1]:80";
			return -1;
		}
		if (close == word + 1) {
			*why = "empty address between brackets";
			return -1;
		}
		if (set_endpoint(ep, word + 1, (size_t)(close - word - 1), close + 2) == -1) {
			*why = strerror(errno);
			return -1;
		}
		return 0;
	}
	colon = strchr(word, ':');
	if (colon == NULL) {
		*why = "expected HOST PORT, HOST:PORT or [IPV6]:PORT";
		return -1;
	}
	if (strchr(colon + 1, ':') != NULL) {
		*why = "an IPv6 address with a port is written [ADDRESS]:PORT or ADDRESS PORT";
		return -1;
	}
	if (colon == word || colon[1] == '\0') {
		*why = "expected HOST:PORT with both parts";
		return -1;
	}
	if (set_endpoint(ep, word, (size_t)(colon - word), colon + 1) == -1) {
		*why = strerror(errno);
		return -1;
	}
	return 0;
}

static int
strip_brackets(const char *host, struct endpoint *ep, const char *port, const char **why)
{
	size_t len = strlen(host);

	if (len == 0) {
		*why = "empty host";
		return -1;
	}
	if (host[0] == '[') {
		if (len < 3 || host[len - 1] != ']') {
			*why = "missing ']' after the IPv6 address";
			return -1;
		}
		host++;
		len -= 2;
	}
	if (port[0] == '\0') {
		*why = "empty port";
		return -1;
	}
	if (set_endpoint(ep, host, len, port) == -1) {
		*why = strerror(errno);
		return -1;
	}
	return 0;
}

/* Whether a word carries its own port: "[V6]:PORT" or "HOST:PORT" with one colon. */
static int
has_glued_port(const char *word)
{
	const char *close, *colon;

	if (word[0] == '[')
		return (close = strchr(word, ']')) != NULL && close[1] == ':';
	colon = strchr(word, ':');
	return colon != NULL && strchr(colon + 1, ':') == NULL;
}

int
endpoint_parse_remote(int argc, char **argv, struct endpoint *ep, const char **why)
{
	ep->host = ep->port = NULL;
	if (argc < 1) {
		*why = "missing HOST and PORT";
		return -1;
	}
	if (argv[0][0] == '\0') {
		*why = "empty host";
		return -1;
	}
	if (argc >= 2 && !has_glued_port(argv[0]))
		return strip_brackets(argv[0], ep, argv[1], why) == -1 ? -1 : 2;
	return split_host_port(argv[0], ep, why) == -1 ? -1 : 1;
}

int
endpoint_parse_local(int argc, char **argv, struct endpoint *ep, const char **why)
{
	ep->host = ep->port = NULL;
	if (argc < 1) {
		*why = "missing PORT";
		return -1;
	}
	if (argc >= 2)
		return strip_brackets(argv[0], ep, argv[1], why) == -1 ? -1 : 2;
	if (argv[0][0] == '[' || (strchr(argv[0], ':') != NULL))
		return split_host_port(argv[0], ep, why) == -1 ? -1 : 1;
	if (argv[0][0] == '\0') {
		*why = "empty port";
		return -1;
	}
	if (set_endpoint(ep, NULL, 0, argv[0]) == -1) {
		*why = strerror(errno);
		return -1;
	}
	return 1;
}

int
addr_literal_family(const char *host)
{
	struct addrinfo hints = { .ai_flags = AI_NUMERICHOST, .ai_socktype = SOCK_DGRAM }, *res;
	int family;

	if (host == NULL || getaddrinfo(host, NULL, &hints, &res) != 0)
		return AF_UNSPEC;
	family = res->ai_family;
	freeaddrinfo(res);
	return family;
}

int
addr_is_literal(const char *host)
{
	return addr_literal_family(host) != AF_UNSPEC;
}

int
addr_resolve(const char *host, const char *port, int socktype, int flags, struct addrinfo **res)
{
	struct addrinfo hints = { 0 };

	hints.ai_family = globals.family;
	hints.ai_socktype = socktype;
	hints.ai_flags = flags;
	if (host == NULL)
		hints.ai_flags |= AI_PASSIVE;
	if (globals.numeric)
		hints.ai_flags |= AI_NUMERICHOST;
	if (port != NULL && parse_is_decimal(port))
		hints.ai_flags |= AI_NUMERICSERV;
	if (socktype == SOCK_STREAM)
		hints.ai_protocol = IPPROTO_TCP;
	else if (socktype == SOCK_DGRAM)
		hints.ai_protocol = IPPROTO_UDP;
	return getaddrinfo(host, port, &hints, res);
}

const char *
addr_format(const struct sockaddr *sa, char *buf, size_t len)
{
	const struct sockaddr_in *sin = (const struct sockaddr_in *)sa;
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)sa;
	char ifname[IF_NAMESIZE];
	size_t used;

	switch (sa->sa_family) {
	case AF_INET:
		if (inet_ntop(AF_INET, &sin->sin_addr, buf, (socklen_t)len) == NULL)
			break;
		return buf;
	case AF_INET6:
		if (inet_ntop(AF_INET6, &sin6->sin6_addr, buf, (socklen_t)len) == NULL)
			break;
		if (sin6->sin6_scope_id != 0) {
			used = strlen(buf);
			if (if_indextoname(sin6->sin6_scope_id, ifname) != NULL)
				snprintf(buf + used, len - used, "%%%s", ifname);
			else
				snprintf(buf + used, len - used, "%%%u", sin6->sin6_scope_id);
		}
		return buf;
	}
	strlcpy(buf, "?", len);
	return buf;
}

uint16_t
addr_port(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)sa)->sin_port);
	if (sa->sa_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)sa)->sin6_port);
	return 0;
}

void
addr_set_port(struct sockaddr *sa, uint16_t port)
{
	if (sa->sa_family == AF_INET)
		((struct sockaddr_in *)sa)->sin_port = htons(port);
	else if (sa->sa_family == AF_INET6)
		((struct sockaddr_in6 *)sa)->sin6_port = htons(port);
}

const char *
addr_family_name(int family)
{
	switch (family) {
	case AF_INET: return "inet";
	case AF_INET6: return "inet6";
	default: return "unspec";
	}
}

const char *
addr_proto_name(int socktype)
{
	switch (socktype) {
	case SOCK_STREAM: return "tcp";
	case SOCK_DGRAM: return "udp";
	case SOCK_RAW: return "raw";
	default: return "?";
	}
}

socklen_t
addr_unmap(const struct sockaddr *in, struct sockaddr_storage *out)
{
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)in;
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t len;

	if (in->sa_family == AF_INET6 && IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr)) {
		sin.sin_port = sin6->sin6_port;
		memcpy(&sin.sin_addr, &sin6->sin6_addr.s6_addr[12], sizeof(sin.sin_addr));
		memset(out, 0, sizeof(*out));
		memcpy(out, &sin, sizeof(sin));
		return sizeof(sin);
	}
	len = in->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
	if ((const void *)in != (void *)out) {
		memset(out, 0, sizeof(*out));
		memcpy(out, in, len);
	}
	return len;
}

int
addr_same_host(const struct sockaddr *a, const struct sockaddr *b)
{
	const struct sockaddr_in6 *x = (const void *)a, *y = (const void *)b;

	if (a->sa_family != b->sa_family)
		return 0;
	if (a->sa_family == AF_INET)
		return memcmp(&((const struct sockaddr_in *)a)->sin_addr,
			   &((const struct sockaddr_in *)b)->sin_addr, sizeof(struct in_addr)) == 0;
	if (a->sa_family != AF_INET6)
		return 0;
	return memcmp(&x->sin6_addr, &y->sin6_addr, sizeof(x->sin6_addr)) == 0 &&
	       (x->sin6_scope_id == 0 || y->sin6_scope_id == 0 ||
		   x->sin6_scope_id == y->sin6_scope_id);
}
