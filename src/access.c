/*
 * access.c: the rules of --allow, --deny and --allow-file, parsed and
 * matched. Pure but for getaddrinfo (names are resolved once, when the rule
 * is read); the options, the -v lines and udp-recv's datagrams are in
 * access_use.c.
 */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "addr.h"

/* Longer rules are refused: no address, prefix or host name is this long. */
#define ACCESS_WORD_MAX 255

/*
 * Printable ASCII as it is, every other byte as \ooo, cut to fit: a rule or
 * a file name for an error line. (libbsd's strnvis may write past a buffer
 * that a multibyte character ends in.)
 */
void
access_escape(char *out, size_t size, const char *in)
{
	size_t o = 0;

	for (; *in != '\0' && o + 5 <= size; in++) {
		unsigned char c = (unsigned char)*in;
		if (c >= 0x20 && c < 0x7f && c != '\\')
			out[o++] = (char)c;
		else
			o += (size_t)snprintf(out + o, size - o, "\\%03o", c);
	}
	if (size > 0)
		out[o < size ? o : size - 1] = '\0';
}

static int
fail(struct access_failure *f, const char *why)
{
	f->why = why;
	return -1;
}

static int
push(struct access_list *l, const struct access_rule *r, const char *origin, const char *word)
{
	struct access_rule *grown;
	size_t cap;

	if (l->n == l->cap) {
		cap = l->cap ? l->cap * 2 : 8;
		if ((grown = reallocarray(l->rules, cap, sizeof(*grown))) == NULL)
			return -1;
		l->rules = grown;
		l->cap = cap;
	}
	l->rules[l->n] = *r;
	if (asprintf(&l->rules[l->n].text, "%s %s", origin, word) == -1)
		return -1;
	l->allows += r->allow != 0;
	l->n++;
	return 0;
}

/* ::ffff:a.b.c.d/96 and longer is the IPv4 rule a.b.c.d/(bits - 96): mapped peers match it. */
static void
unmap_rule(struct access_rule *r)
{
	if (r->family != AF_INET6 || r->prefix < 96 ||
	    !IN6_IS_ADDR_V4MAPPED((const struct in6_addr *)r->addr))
		return;
	memmove(r->addr, r->addr + 12, 4);
	r->family = AF_INET;
	r->prefix -= 96;
}

/* "/BITS": digits only, at most the family's width. */
static int
parse_prefix(const char *s, int max)
{
	int bits = 0;

	if (*s == '\0' || strlen(s) > 3)
		return -1;
	for (; *s != '\0'; s++) {
		if (!isdigit((unsigned char)*s))
			return -1;
		bits = bits * 10 + (*s - '0');
	}
	return bits <= max ? bits : -1;
}

/* An address literal with an optional /BITS: 1, 0 if not a literal, -1 if a bad one. */
static int
parse_literal(char *word, struct access_rule *r, struct access_failure *f)
{
	char *slash = strchr(word, '/');

	if (slash != NULL)
		*slash = '\0';
	if (inet_pton(AF_INET, word, r->addr) == 1)
		r->family = AF_INET;
	else if (inet_pton(AF_INET6, word, r->addr) == 1)
		r->family = AF_INET6;
	else if (slash != NULL || strchr(word, ':') != NULL)
		return fail(f, "not an IPv4 or IPv6 address");
	else
		return 0;
	r->prefix = r->family == AF_INET ? 32 : 128;
	if (slash != NULL && (r->prefix = parse_prefix(slash + 1, r->prefix)) < 0)
		return fail(f, r->family == AF_INET ? "the prefix length must be 0-32"
						    : "the prefix length must be 0-128");
	unmap_rule(r);
	return 1;
}

static int
valid_name(const char *w)
{
	for (const char *s = w; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s) && *s != '-' && *s != '.' && *s != '_')
			return 0;
	return *w != '\0' && *w != '-' && *w != '.';
}

/* Every address of a name, each a rule of its own under the name's text. */
static int
add_name(struct access_list *l, struct access_rule *r, const char *word, const char *origin,
    struct access_failure *f)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res;
	int eai;

	if ((eai = getaddrinfo(word, NULL, &hints, &res)) != 0) {
		f->eai = eai;
		f->err = errno;
		return -2;
	}
	for (const struct addrinfo *ai = res; ai != NULL && eai == 0; ai = ai->ai_next) {
		struct sockaddr_storage un;
		addr_unmap(ai->ai_addr, &un);
		r->family = un.ss_family;
		r->prefix = r->family == AF_INET ? 32 : 128;
		if (r->family == AF_INET)
			memcpy(r->addr, &((struct sockaddr_in *)&un)->sin_addr, 4);
		else if (r->family == AF_INET6)
			memcpy(r->addr, &((struct sockaddr_in6 *)&un)->sin6_addr, 16);
		else
			continue;
		eai = push(l, r, origin, word);
	}
	freeaddrinfo(res);
	return eai == 0 ? 0 : fail(f, "out of memory");
}

int
access_add(struct access_list *l, int allow, const char *word, const char *origin, int resolve,
    struct access_failure *f)
{
	struct access_rule r = { .allow = allow };
	char copy[ACCESS_WORD_MAX + 1];
	int kind;

	memset(f, 0, sizeof(*f));
	access_escape(f->word, sizeof(f->word), word);
	if (strlen(word) > ACCESS_WORD_MAX)
		return fail(f, "too long for an address or a name");
	strcpy(copy, word);
	if ((kind = parse_literal(copy, &r, f)) == -1)
		return -1;
	if (kind == 0 && !valid_name(word))
		return fail(f, "not an address, an ADDRESS/BITS prefix or a host name");
	if (kind == 0 && resolve)
		return add_name(l, &r, word, origin, f);
	/* A name not resolved (the fuzzer) keeps family 0 and matches nothing. */
	return push(l, &r, origin, word) == 0 ? 0 : fail(f, "out of memory");
}

/* One line's rule, between the blanks, without its comment: 0, or access_add's -1/-2. */
static int
add_line(struct access_list *l, int allow, char *line, const char *origin, int resolve,
    struct access_failure *f)
{
	char *hash = strchr(line, '#'), *end, *word = line;

	if (hash != NULL)
		*hash = '\0';
	word += strspn(word, " \t\r");
	end = word + strcspn(word, " \t\r");
	if (*word == '\0')
		return 0;
	if (end[strspn(end, " \t\r")] != '\0') {
		memset(f, 0, sizeof(*f));
		access_escape(f->word, sizeof(f->word), word);
		return fail(f, "one rule a line");
	}
	*end = '\0';
	return access_add(l, allow, word, origin, resolve, f);
}

int
access_add_text(struct access_list *l, int allow, const char *text, size_t len, const char *origin,
    int resolve, struct access_failure *f)
{
	size_t line = 0, at = 0, n;
	char *buf, where[400];
	int rc = 0;

	while (at < len && rc == 0) {
		const char *nl = memchr(text + at, '\n', len - at);
		n = nl != NULL ? (size_t)(nl - (text + at)) : len - at;
		line++;
		if (memchr(text + at, '\0', n) != NULL) {
			memset(f, 0, sizeof(*f));
			rc = fail(f, "a NUL byte in the line");
		} else if ((buf = strndup(text + at, n)) == NULL) {
			memset(f, 0, sizeof(*f));
			rc = fail(f, "out of memory");
		} else {
			snprintf(where, sizeof(where), "%s line %zu:", origin, line);
			rc = add_line(l, allow, buf, where, resolve, f);
			free(buf);
		}
		at += n + 1;
	}
	f->line = line;
	return rc;
}

void
access_free(struct access_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->rules[i].text);
	free(l->rules);
	memset(l, 0, sizeof(*l));
}

int
access_active(const struct access_list *l)
{
	return l->n > 0;
}

static int
matches(const struct access_rule *r, int family, const unsigned char *addr)
{
	int full = r->prefix / 8, rest = r->prefix % 8;

	if (r->family != family)
		return 0;
	if (memcmp(r->addr, addr, (size_t)full) != 0)
		return 0;
	return rest == 0 || ((r->addr[full] ^ addr[full]) & (0xff << (8 - rest)) & 0xff) == 0;
}

int
access_check(const struct access_list *l, const struct sockaddr *sa, const char **rule)
{
	struct sockaddr_storage un;
	const unsigned char *addr;

	addr_unmap(sa, &un);
	*rule = NULL;
	if (un.ss_family == AF_INET)
		addr = (const unsigned char *)&((struct sockaddr_in *)&un)->sin_addr;
	else if (un.ss_family == AF_INET6)
		addr = (const unsigned char *)&((struct sockaddr_in6 *)&un)->sin6_addr;
	else
		return l->allows == 0;
	/* Deny wins: a peer both rules match is refused, whatever their order. */
	for (size_t i = 0; i < l->n; i++)
		if (!l->rules[i].allow && matches(&l->rules[i], un.ss_family, addr)) {
			*rule = l->rules[i].text;
			return 0;
		}
	for (size_t i = 0; i < l->n; i++)
		if (l->rules[i].allow && matches(&l->rules[i], un.ss_family, addr)) {
			*rule = l->rules[i].text;
			return 1;
		}
	return l->allows == 0;
}
