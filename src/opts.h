/* opts.h: getopt_long driven by a command's struct opt list plus the globals. */
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
 * The operands of listen and udp-recv: "[HOST] PORT" (sockt(1), ADDRESSES), nothing after
 * them, and a valid port for proto ("tcp", "udp"); a usage error otherwise.
 */
void opt_local_endpoint(const struct command *, int argc, char **argv, const char *proto,
    struct endpoint *);

void opt_print_help(const struct command *);
/* "sockt CMD: MESSAGE" then "Try 'sockt CMD --help'" and exit 2. */
void opt_usage_error(const struct command *, const char *, ...)
    __attribute__((format(printf, 2, 3), noreturn));

#endif
