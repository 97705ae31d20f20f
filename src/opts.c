/* opts.c: each command's option list turned into getopt_long's tables, with the globals added. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "opts.h"
#include "parse.h"
#include "report.h"

struct globals globals = { .family = AF_UNSPEC };

enum { OPT_JSON = OPT_KEYS_GLOBAL };

/* sockt(1), GLOBAL OPTIONS: accepted before or after the command. */
static const struct opt global_options[] = {
	{ "ipv4", '4', no_argument, NULL, "use IPv4 only" },
	{ "ipv6", '6', no_argument, NULL, "use IPv6 only" },
	{ "numeric", 'n', no_argument, NULL, "no DNS: hosts are address literals" },
	{ "verbose", 'v', no_argument, NULL,
	    "say what happens, on stderr; -vv adds routes and ignored packets" },
	{ "quiet", 'q', no_argument, NULL, "no diagnostics but errors" },
	{ "json", OPT_JSON, no_argument, NULL, "machine-readable output, one JSON object a line" },
	{ "help", 'h', no_argument, NULL, "show this help" },
	{ "version", 'V', no_argument, NULL, "show the version" },
	{ NULL, 0, 0, NULL, NULL },
};

static size_t
count(const struct opt *o)
{
	size_t n = 0;

	while (o != NULL && o[n].name != NULL)
		n++;
	return n;
}

static void
add(struct option *table, char *shortopts, size_t *ti, size_t *si, const struct opt *o)
{
	table[*ti] = (struct option){ o->name, o->has_arg, NULL, o->key };
	(*ti)++;
	if (o->key < OPT_LONG && isalnum(o->key)) {
		shortopts[(*si)++] = (char)o->key;
		if (o->has_arg == required_argument)
			shortopts[(*si)++] = ':';
	}
}

/*
 * Two options with one key would reach the same case of the parser: a
 * module's options share a table with the command's and the globals', so a
 * clash of their key ranges is caught here, on every run, not by a user.
 */
static void
check_keys(const struct option *t, size_t n)
{
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			if (t[i].val == t[j].val) {
				fprintf(stderr,
				    "sockt: internal error: --%s and --%s share key %d\n",
				    t[i].name, t[j].name, t[i].val);
				abort();
			}
}

void
opt_begin(struct opt_parser *p, const struct command *cmd, int argc, char **argv)
{
	size_t nc = count(cmd->options), ng = count(global_options), ti = 0, si = 0;

	memset(p, 0, sizeof(*p));
	p->cmd = cmd;
	p->argc = argc;
	p->argv = argv;
	p->print_help = opt_print_help;
	p->table = reallocarray(NULL, nc + ng + 1, sizeof(*p->table));
	p->shortopts = malloc(3 * (nc + ng) + 2);
	if (p->table == NULL || p->shortopts == NULL) {
		report_errno(ENOMEM, "parse options");
		exit(EXIT_LOCAL);
	}
	/* ':' first: a missing value is told apart from an unknown option. */
	p->shortopts[si++] = ':';
	for (size_t i = 0; i < nc; i++)
		add(p->table, p->shortopts, &ti, &si, &cmd->options[i]);
	for (size_t i = 0; i < ng; i++)
		add(p->table, p->shortopts, &ti, &si, &global_options[i]);
	p->table[ti] = (struct option){ NULL, 0, NULL, 0 };
	p->shortopts[si] = '\0';
	check_keys(p->table, ti);
	/* 0, not 1: GNU getopt then re-reads the optstring's '+' and ordering. */
	optind = 0;
	opterr = 0;
}

/*
 * The option as the user typed it: the long spelling when the word names
 * the option with this key (GNU getopt takes "--time" for "--timeout"),
 * otherwise the short letter. A short option inside a cluster leaves the
 * previous word at optind - 1, which may be another long option: the key
 * check tells them apart.
 */
static void
typed_name(const struct opt_parser *p, int key, const char *word, char *buf, size_t len)
{
	size_t n;

	if (word != NULL && strncmp(word, "--", 2) == 0) {
		n = strcspn(word + 2, "=");
		for (const struct option *o = p->table; o->name != NULL; o++)
			if (o->val == key && n > 0 && strncmp(o->name, word + 2, n) == 0) {
				snprintf(buf, len, "--%.*s", (int)n, word + 2);
				return;
			}
	}
	if (key > 0 && key < OPT_LONG && isalnum(key))
		snprintf(buf, len, "-%c", key);
	else if (word != NULL)
		snprintf(buf, len, "%.*s", (int)strcspn(word, "="), word);
	else
		snprintf(buf, len, "?");
}

/* After a value was taken: its option word is the one before it, or the same word. */
static void
name_current(struct opt_parser *p, int key)
{
	const char *word = NULL;

	if (p->arg != NULL && optind >= 2 && p->arg == p->argv[optind - 1])
		word = p->argv[optind - 2];
	else if (optind >= 1)
		word = p->argv[optind - 1];
	typed_name(p, key, word, p->name, sizeof(p->name));
}

static void option_error(struct opt_parser *, int) __attribute__((noreturn));

/* A missing value or an unknown option: getopt has moved past the word. */
static void
option_error(struct opt_parser *p, int ch)
{
	const char *word = optind >= 1 && optind <= p->argc ? p->argv[optind - 1] : NULL;
	int is_long = word != NULL && strncmp(word, "--", 2) == 0;

	typed_name(p, optopt, word, p->name, sizeof(p->name));
	if (ch == ':')
		opt_usage_error(p->cmd, "option '%s' needs a value", p->name);
	/* "--scan=1": a known long option that takes no value. */
	if (is_long && optopt != 0 && strchr(word, '=') != NULL && p->name[1] == '-')
		opt_usage_error(p->cmd, "option '%s' takes no value", p->name);
	opt_usage_error(p->cmd, "unknown option '%s'", p->name);
}

int
opt_next(struct opt_parser *p)
{
	int ch;

	for (;;) {
		ch = getopt_long(p->argc, p->argv, p->shortopts, p->table, NULL);
		p->arg = optarg;
		switch (ch) {
		case -1: p->optind = optind; return -1;
		case '4': globals.family = AF_INET; continue;
		case '6': globals.family = AF_INET6; continue;
		case 'n': globals.numeric = 1; continue;
		case 'v': globals.verbose++; continue;
		case 'q': globals.quiet = 1; continue;
		case OPT_JSON: globals.json = 1; continue;
		case 'h': p->print_help(p->cmd); exit(EXIT_OK);
		case 'V': printf("sockt %s\n", PACKAGE_VERSION); exit(EXIT_OK);
		case ':':
		case '?': option_error(p, ch);
		default: name_current(p, ch); return ch;
		}
	}
}

void
opt_end(struct opt_parser *p)
{
	free(p->table);
	free(p->shortopts);
	p->table = NULL;
	p->shortopts = NULL;
}

static void
print_options(const struct opt *o)
{
	char left[64];

	for (; o != NULL && o->name != NULL; o++) {
		int n;
		if (o->key < OPT_LONG && isalnum(o->key))
			n = snprintf(left, sizeof(left), "-%c, --%s", o->key, o->name);
		else
			n = snprintf(left, sizeof(left), "    --%s", o->name);
		if (o->arg != NULL && n > 0 && (size_t)n < sizeof(left))
			snprintf(left + n, sizeof(left) - (size_t)n, " %s", o->arg);
		printf("  %-28s %s\n", left, o->help);
	}
}

void
opt_print_help(const struct command *cmd)
{
	const char *line = cmd->synopsis, *nl;
	const char *prefix = "usage:";

	do {
		nl = strchr(line, '\n');
		printf("%s sockt %s %.*s\n", prefix, cmd->name,
		    (int)(nl ? (size_t)(nl - line) : strlen(line)), line);
		prefix = "      ";
		line = nl + 1;
	} while (nl != NULL);
	printf("\n%c%s.\n", toupper((unsigned char)cmd->summary[0]), cmd->summary + 1);
	if (count(cmd->options) > 0) {
		printf("\nOptions:\n");
		print_options(cmd->options);
	}
	printf("\nGlobal options:\n");
	print_options(global_options);
	printf("\nSee sockt-%s(1) and sockt(1).\n", cmd->name);
}

void
opt_usage_error(const struct command *cmd, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	report_error("%s", msg);
	fprintf(stderr, "Try 'sockt %s%s--help'.\n", cmd->name, cmd->name[0] ? " " : "");
	exit(EXIT_USAGE);
}

/*
 * The one shape of a bad value: "invalid KIND 'VALUE' for OPTION: must be
 * ...", the option as typed; an operand has no "for".
 */
static void bad_value(const struct command *, const char *kind, const char *value,
    const char *option, const char *fmt, ...) __attribute__((format(printf, 5, 6), noreturn));

static void
bad_value(const struct command *cmd, const char *kind, const char *value, const char *option,
    const char *fmt, ...)
{
	char allowed[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(allowed, sizeof(allowed), fmt, ap);
	va_end(ap);
	opt_usage_error(cmd, "invalid %s '%s'%s%s: must be %s", kind, value,
	    option != NULL ? " for " : "", option != NULL ? option : "", allowed);
}

#define DURATION_EXAMPLES "such as 1.5, 250ms, 2s or 1m"

int64_t
opt_duration(const struct opt_parser *p)
{
	int64_t usec;

	if (parse_duration(p->arg, &usec) == -1 || usec <= 0)
		bad_value(p->cmd, "duration", p->arg, p->name, "above 0, " DURATION_EXAMPLES);
	return usec;
}

int64_t
opt_duration_or_zero(const struct opt_parser *p)
{
	int64_t usec;

	if (parse_duration(p->arg, &usec) == -1)
		bad_value(p->cmd, "duration", p->arg, p->name, "0 or more, " DURATION_EXAMPLES);
	return usec;
}

long long
opt_count(const struct opt_parser *p)
{
	long long n;

	if (parse_number(p->arg, 1, LLONG_MAX, &n, NULL) == -1)
		bad_value(p->cmd, "count", p->arg, p->name, "a whole number, 1 or more");
	return n;
}

static long long
number_value(const struct opt_parser *p, const char *kind, long long min, long long max)
{
	long long n;

	if (parse_number(p->arg, min, max, &n, NULL) == -1)
		bad_value(p->cmd, kind, p->arg, p->name, "%lld-%lld", min, max);
	return n;
}

long long
opt_number(const struct opt_parser *p, long long min, long long max)
{
	return number_value(p, "number", min, max);
}

int
opt_ttl(const struct opt_parser *p)
{
	/* 0 would pass a parser and then fail in setsockopt with EINVAL: refuse it here. */
	return (int)number_value(p, "TTL", 1, 255);
}

/* A TOS is usually written in hex, as ping -Q and ip(8) take it: 0x10 as well as 16. */
int
opt_tos(const struct opt_parser *p)
{
	unsigned long v;
	long long n;
	char *end;

	/* strtoul alone would take blanks, a sign, and "0x" with no digits. */
	if (p->arg[0] == '0' && (p->arg[1] == 'x' || p->arg[1] == 'X') &&
	    isxdigit((unsigned char)p->arg[2])) {
		errno = 0;
		v = strtoul(p->arg + 2, &end, 16);
		if (*end == '\0' && errno == 0 && v <= 255)
			return (int)v;
	} else if (parse_number(p->arg, 0, 255, &n, NULL) == 0)
		return (int)n;
	bad_value(p->cmd, "TOS", p->arg, p->name, "0-255, as 16 or 0x10");
}

const char *
opt_interface(const struct opt_parser *p)
{
	/* The kernel's limit (IFNAMSIZ less the NUL): a longer name is no interface. */
	if (p->arg[0] == '\0' || strlen(p->arg) > 15)
		bad_value(p->cmd, "interface", p->arg, p->name, "a name of 1-15 characters");
	return p->arg;
}

int
opt_linger(const struct opt_parser *p)
{
	if (strcmp(p->arg, "0") != 0)
		bad_value(p->cmd, "linger", p->arg, p->name,
		    "0 (close with RST), the only one supported");
	return 1;
}

/* 65536 as "64k", 65527 as it is: a limit said the way it can be typed. */
static void
size_text(uint64_t n, char *buf, size_t len)
{
	static const char units[] = "kMG";
	int u = -1;

	while (u < 2 && n >= 1024 && n % 1024 == 0) {
		n /= 1024;
		u++;
	}
	if (u < 0)
		snprintf(buf, len, "%llu", (unsigned long long)n);
	else
		snprintf(buf, len, "%llu%c", (unsigned long long)n, units[u]);
}

uint64_t
opt_size(const struct opt_parser *p, uint64_t min, uint64_t max)
{
	char lo[32], hi[32];
	uint64_t n;

	if (parse_size(p->arg, max, &n) == -1 || n < min) {
		size_text(min, lo, sizeof(lo));
		size_text(max, hi, sizeof(hi));
		bad_value(p->cmd, "size", p->arg, p->name, "%s-%s bytes (k, M, G: powers of 1024)",
		    lo, hi);
	}
	return n;
}

void
opt_no_such_service(const char *name, const char *proto)
{
	report_error("%s: the services database (/etc/services) has no such %s service "
		     "[EAI_SERVICE]",
	    name, proto);
	exit(EXIT_RESOLVE);
}

static uint16_t
port_value(const struct command *cmd, const char *word, const char *option, const char *proto,
    int min)
{
	uint16_t port;

	if (parse_port(word, proto, &port) == -1) {
		if (errno == ENOENT)
			opt_no_such_service(word, proto);
		bad_value(cmd, "port", word, option, "%d-65535 or a service name", min);
	}
	if (port < min)
		bad_value(cmd, "port", word, option, "%d-65535 or a service name", min);
	return port;
}

uint16_t
opt_port(const struct opt_parser *p, const char *proto)
{
	return port_value(p->cmd, p->arg, p->name, proto, 0);
}

uint16_t
opt_port_operand(const struct command *cmd, const char *word, const char *proto, int min)
{
	return port_value(cmd, word, NULL, proto, min);
}
