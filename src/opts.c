/* opts.c: each command's option list turned into getopt_long's tables, with the globals added. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "opts.h"
#include "parse.h"
#include "report.h"

struct globals globals = { .family = AF_UNSPEC };

enum { OPT_JSON = 1 << 20 };

/* sockt(1), GLOBAL OPTIONS: accepted before or after the command. */
static const struct opt global_options[] = {
	{ "ipv4", '4', no_argument, NULL, "use IPv4 only" },
	{ "ipv6", '6', no_argument, NULL, "use IPv6 only" },
	{ "numeric", 'n', no_argument, NULL, "no DNS: hosts are address literals" },
	{ "verbose", 'v', no_argument, NULL, "say what happens, on stderr (repeat for more)" },
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
	/* 0, not 1: GNU getopt then re-reads the optstring's '+' and ordering. */
	optind = 0;
	opterr = 0;
}

static const char *
option_text(const struct opt_parser *p, int ch)
{
	static char text[64];

	if (ch == 0 || ch >= OPT_LONG || optopt == 0 || optopt >= OPT_LONG) {
		const char *word = p->argv[optind - 1];
		strlcpy(text, word ? word : "?", sizeof(text));
		char *eq = strchr(text, '=');
		if (eq != NULL)
			*eq = '\0';
	} else
		snprintf(text, sizeof(text), "-%c", optopt);
	return text;
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
		case ':': opt_usage_error(p->cmd, "option '%s' needs a value", option_text(p, ch));
		case '?': opt_usage_error(p->cmd, "unknown option '%s'", option_text(p, ch));
		default: return ch;
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

void
opt_local_endpoint(const struct command *cmd, int argc, char **argv, const char *proto,
    struct endpoint *ep)
{
	const char *why;
	uint16_t port;
	int used;

	if ((used = endpoint_parse_local(argc, argv, ep, &why)) == -1)
		opt_usage_error(cmd, "%s", why);
	if (used < argc)
		opt_usage_error(cmd, "unexpected argument '%s'", argv[used]);
	if (parse_port(ep->port, proto, &port) == -1)
		opt_usage_error(cmd, "invalid port '%s': must be 0-65535 or a service name",
		    ep->port);
}
