/* cmd.h: the command table entry and the options shared by every command. */
#ifndef SOCKT_CMD_H
#define SOCKT_CMD_H

#include <getopt.h>

/*
 * One command-line option. `key` is the short letter, or a value from 256
 * up for long-only options; the getopt_long table and its short string are
 * derived from this one list (see opts.c).
 */
struct opt {
	const char *name;
	int key;
	int has_arg; /* no_argument or required_argument */
	const char *arg; /* argument name for --help, or NULL */
	const char *help;
};

struct command {
	const char *name;
	const char *summary; /* one line for `sockt help` */
	const char *synopsis; /* after "sockt NAME "; lines separated by \n */
	const struct opt *options; /* ends with a zeroed entry */
	int (*run)(const struct command *, int, char **);
};

/* Global options (sockt(1), GLOBAL OPTIONS), set while any command's options are parsed. */
struct globals {
	int family; /* AF_UNSPEC, AF_INET or AF_INET6 */
	int numeric; /* -n: no DNS */
	int verbose; /* -v count */
	int quiet; /* -q */
	int json; /* --json */
};
extern struct globals globals;

extern const struct command cmd_listen, cmd_connect, cmd_send, cmd_udp_send, cmd_udp_recv,
    cmd_resolve, cmd_raw_ping, cmd_state, cmd_trace;

/* Option keys above 255 are long-only; each command numbers its own from here. */
#define OPT_LONG 256
/*
 * The modules that bring options of their own to several commands number
 * them from a range each, so that one command's table can hold them all:
 * two ranges that overlap would hand one module's option to the other.
 */
#define OPT_KEYS_TUNABLES (1 << 18)
#define OPT_KEYS_TLS (1 << 19)
#define OPT_KEYS_GLOBAL (1 << 20) /* --json and the other global long options */
#define OPT_KEYS_PROXY (1 << 21)

#endif
