/*
 * opts.h: getopt_long driven by a command's struct opt list plus the globals, the
 * readers of option values (opts.c) and the checks of HOST and PORT operands (operands.c).
 */
#ifndef SOCKT_OPTS_H
#define SOCKT_OPTS_H

#include "addr.h"
#include "cmd.h"

struct opt_parser {
	const struct command *cmd;
	int argc;
	char **argv;
	struct option *table;
	char *shortopts;
	const char *arg; /* the current option's argument */
	char name[64]; /* the current option as typed: "-w", "--timeout" */
	int optind; /* after opt_next returned -1: first operand */
	void (*print_help)(const struct command *); /* for -h; opt_print_help unless changed */
};

/*
 * Starts parsing argv[1..] of a command (argv[0] is its name). Global
 * options are handled inside; --help prints the command's help and exits 0,
 * an unknown option prints a usage line and exits 2.
 */
void opt_begin(struct opt_parser *, const struct command *, int, char **);
/* Returns the next command option's key, or -1 at the first operand. */
int opt_next(struct opt_parser *);
/* Frees the tables; operands stay in p->argv from p->optind. */
void opt_end(struct opt_parser *);

/*
 * The value of the option opt_next just returned, read as one kind. A bad
 * value is a usage error naming the option as typed and what it takes, so
 * that every command words it alike; a new option is a table line and one
 * of these calls.
 */
int64_t opt_duration(const struct opt_parser *); /* above 0, in microseconds */
int64_t opt_duration_or_zero(const struct opt_parser *); /* 0 or more */
long long opt_count(const struct opt_parser *); /* 1 or more */
long long opt_number(const struct opt_parser *, long long min, long long max);
int opt_ttl(const struct opt_parser *); /* a TTL or hop limit: 1-255 */
int opt_tos(const struct opt_parser *); /* a TOS or traffic class byte: 0-255, or 0x00-0xff */
const char *opt_interface(const struct opt_parser *); /* a name of 1-15 characters */
/* --linger: 0 (close with RST) is the only value; returns 1. */
int opt_linger(const struct opt_parser *);
/* Bytes, with k, M, G for powers of 1024. */
uint64_t opt_size(const struct opt_parser *, uint64_t min, uint64_t max);
/*
 * A port, 0-65535 or a service name for proto ("tcp", "udp"). A name the
 * services database does not have is a resolution failure (status 3).
 */
uint16_t opt_port(const struct opt_parser *, const char *proto);
/* The same for an operand: "port" in the message; min is 0 or 1. */
uint16_t opt_port_operand(const struct command *, const char *word, const char *proto, int min);
/* The services database has no such name: the error line, then status 3. */
void opt_no_such_service(const char *name, const char *proto) __attribute__((noreturn));

/*
 * A host the user gave (an operand or -s): under -n it must be an address
 * literal, and a literal must be of the family -4/-6 ask for; a usage error
 * otherwise. NULL (every local address) passes.
 */
void opt_check_host(const struct command *, const char *host);

/*
 * The operands of listen and udp-recv: "[HOST] PORT" (sockt(1), ADDRESSES), nothing after
 * them, and a valid port for proto ("tcp", "udp"); a usage error otherwise.
 */
void opt_local_endpoint(const struct command *, int argc, char **argv, const char *proto,
    struct endpoint *);
/*
 * The HOST PORT (or HOST:PORT) that starts argv, checked as above; returns
 * how many words it took. With check_port 0 the port is left to the caller
 * (a scan's ports and ranges). OPT_REMOTE_ELSEWHERE added to check_port: the
 * host is not looked up here (a proxy's), so -n and -4/-6 do not apply to it.
 */
#define OPT_REMOTE_ELSEWHERE 2
int opt_remote_endpoint(const struct command *, int argc, char **argv, const char *proto,
    int check_port, struct endpoint *);

void opt_print_help(const struct command *);
/* "sockt CMD: MESSAGE" then "Try 'sockt CMD --help'" and exit 2. */
void opt_usage_error(const struct command *, const char *, ...)
    __attribute__((format(printf, 2, 3), noreturn));

#endif
