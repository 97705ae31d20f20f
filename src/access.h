/*
 * access.h: --allow, --deny and --allow-file for listen and udp-recv: rules
 * of addresses, CIDR prefixes and names, and the check of a peer against them
 * (sockt-listen(1), Access control).
 */
#ifndef SOCKT_ACCESS_H
#define SOCKT_ACCESS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct opt_parser;
struct dgram_batch;

struct access_rule {
	int allow; /* 1 --allow, 0 --deny */
	int family; /* AF_INET, AF_INET6; 0 for a name not resolved (matches nothing) */
	unsigned char addr[16];
	int prefix; /* bits */
	char *text; /* as the -v line names it: "--deny 127.0.0.0/8" */
};

struct access_list {
	struct access_rule *rules;
	size_t n, cap;
	size_t allows; /* how many allow rules: with any, a peer no rule allows is refused */
	uint64_t refused; /* peers (or datagrams) refused so far */
};

/* Why a rule was not taken. */
struct access_failure {
	size_t line; /* 1-based, in a file; 0 for an option */
	const char *why; /* a bad rule: what is wrong */
	int eai, err; /* a name not resolved: getaddrinfo's code and errno */
	char word[96]; /* the rule, escaped for printing */
};

/*
 * One rule: an IPv4 or IPv6 address, ADDRESS/BITS, or a host name (every
 * address getaddrinfo gives, when resolve is 1; unresolved, matching
 * nothing, when 0). origin names the rule's source in its text. Returns 0,
 * -1 for a bad rule (f->why), -2 for a name not resolved (f->eai).
 */
int access_add(struct access_list *, int allow, const char *word, const char *origin, int resolve,
    struct access_failure *);
/*
 * The text of a rules file: one rule a line, '#' to the end of a line a
 * comment, blank lines skipped. Returns as access_add, with f->line set.
 */
int access_add_text(struct access_list *, int allow, const char *text, size_t len,
    const char *origin, int resolve, struct access_failure *);
void access_free(struct access_list *);
/* Printable ASCII kept, other bytes as \ooo, cut to fit size: for error lines. */
void access_escape(char *out, size_t size, const char *in);

/* Whether any rule was given. */
int access_active(const struct access_list *);
/*
 * Whether a peer is admitted: deny rules first (any match refuses), then,
 * when there are allow rules, only a match admits. An IPv4-mapped IPv6
 * peer is matched as IPv4. *rule is the deciding rule's text, or NULL.
 */
int access_check(const struct access_list *, const struct sockaddr *, const char **rule);

/*
 * For the commands: --allow and --deny (allow_file 0) or --allow-file (1)
 * from the option parser; a bad rule is a usage error (status 2), a name not
 * resolved status 3, both after the error line.
 */
void access_option(struct access_list *, const struct opt_parser *, int allow, int file);
/* access_check, counting and saying a refusal with -v ("refused ADDR port N: RULE"). */
int access_admit(struct access_list *, const struct sockaddr *);
/*
 * Drops the refused datagrams of the first n in a batch (udp-recv), keeping
 * the rest in order; returns how many are kept.
 */
unsigned access_filter(struct access_list *, struct dgram_batch *, unsigned n);
/*
 * At the end, with rules given: "N datagrams refused" with -v, and with
 * --json the line {"refused":N}.
 */
void access_summary(const struct access_list *, const char *what);

#endif
