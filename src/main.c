/* main.c: global options, the command table, dispatch. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "io.h"
#include "opts.h"
#include "report.h"

static const struct command *const commands[] = {
	&cmd_listen,
	&cmd_connect,
	&cmd_send,
	&cmd_udp_send,
	&cmd_udp_recv,
	&cmd_resolve,
	&cmd_raw_ping,
	&cmd_state,
	&cmd_trace,
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static const struct command *
find_command(const char *name)
{
	/* Whole names only: a prefix would break scripts when a command is added. */
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (strcmp(commands[i]->name, name) == 0)
			return commands[i];
	return NULL;
}

/* Edits (insert, delete, change, swap two neighbours) from a to b, counted up to 3. */
static int
edits(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	int d[16][16];

	if (la >= 16 || lb >= 16)
		return 3;
	for (size_t i = 0; i <= la; i++)
		for (size_t j = 0; j <= lb; j++) {
			int best = i == 0   ? (int)j
				   : j == 0 ? (int)i
					    : d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
			if (i > 0 && d[i - 1][j] + 1 < best)
				best = d[i - 1][j] + 1;
			if (j > 0 && d[i][j - 1] + 1 < best)
				best = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    d[i - 2][j - 2] + 1 < best)
				best = d[i - 2][j - 2] + 1;
			d[i][j] = best;
		}
	return d[la][lb] < 3 ? d[la][lb] : 3;
}

/*
 * An unknown command is never run under another name (a script must not
 * change meaning when a command is added), but the commands it may have
 * meant are named: those it begins, and those one or two typos away.
 */
static int
unknown_command(const char *name)
{
	const char *maybe[NCOMMANDS];
	size_t n = 0, len = strlen(name);

	for (size_t i = 0; i < NCOMMANDS; i++)
		if ((len > 0 && strncmp(commands[i]->name, name, len) == 0) ||
		    edits(name, commands[i]->name) <= (len > 4 ? 2 : 1))
			maybe[n++] = commands[i]->name;
	fprintf(stderr, "sockt: unknown command '%s'", name);
	for (size_t i = 0; i < n; i++)
		fprintf(stderr, "%s'%s'",
		    i == 0	? "; did you mean "
		    : i + 1 < n ? ", "
				: " or ",
		    maybe[i]);
	fprintf(stderr, n > 0 ? "?\n" : "; 'sockt help' lists them\n");
	return EXIT_USAGE;
}

static void
list_commands(FILE *f)
{
	fprintf(f, "usage: sockt [-46nqv] [--json] COMMAND [OPTIONS] [ARGUMENTS]\n"
		   "       sockt help [COMMAND]\n\nCommands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %-10s %s\n", commands[i]->name, commands[i]->summary);
	fprintf(f, "\nGlobal options: -4, -6, -n/--numeric, -v/--verbose, -q/--quiet, --json,\n"
		   "-h/--help, -V/--version. 'sockt COMMAND --help' shows a command's options.\n");
}

static int
help(int argc, char **argv)
{
	const struct command *cmd;

	if (argc < 2) {
		list_commands(stdout);
		return EXIT_OK;
	}
	if ((cmd = find_command(argv[1])) == NULL)
		return unknown_command(argv[1]);
	opt_print_help(cmd);
	return EXIT_OK;
}

static void
top_help(const struct command *cmd)
{
	(void)cmd;
	list_commands(stdout);
}

/*
 * A descriptor 0-2 that the caller closed (`<&-`, `2>&-`) would be handed to
 * the first socket: "stdin" would read the peer, and diagnostics would be
 * sent to it. Each closed one gets /dev/null instead: read-only for stdin
 * (no input) and for stdout (every write fails with EBADF and is reported
 * like any other stdout error), write-only for stderr (silence, as asked).
 */
static int
hold_std_fds(void)
{
	int fd, null;

	for (fd = STDIN_FILENO; fd <= STDERR_FILENO; fd++) {
		if (fcntl(fd, F_GETFD) != -1 || errno != EBADF)
			continue;
		if ((null = open("/dev/null", fd == STDERR_FILENO ? O_WRONLY : O_RDONLY)) == -1)
			return -1;
		/* The lowest free descriptor is fd itself, as the lower ones are open. */
		if (null != fd && (dup2(null, fd) == -1 || close(null) == -1))
			return -1;
	}
	return 0;
}

/* The top-level command: its options are the globals, and it stops at the command name. */
static const struct command top = { "", "", "COMMAND [OPTIONS] [ARGUMENTS]", NULL, NULL };

int
main(int argc, char **argv)
{
	const struct command *cmd;
	struct opt_parser p;

	/* Without /dev/null there is no safe way on, and maybe no stderr to say so. */
	if (hold_std_fds() == -1)
		return EXIT_LOCAL;
	/* sockt(1), EXIT STATUS: SIGPIPE never kills sockt; EPIPE is an error like any other. */
	signal(SIGPIPE, SIG_IGN);
	atexit(io_check_stdout_at_exit);

	/* Global options before the command; '+' keeps getopt from reading past it. */
	opt_begin(&p, &top, argc, argv);
	p.shortopts[0] = '+';
	p.print_help = top_help;
	if (opt_next(&p) != -1) {
		/* The top level declares no options of its own. */
		list_commands(stderr);
		return EXIT_USAGE;
	}
	opt_end(&p);
	if (p.optind >= argc) {
		list_commands(stderr);
		return EXIT_USAGE;
	}
	argc -= p.optind;
	argv += p.optind;
	if (strcmp(argv[0], "help") == 0)
		return help(argc, argv);
	if ((cmd = find_command(argv[0])) == NULL)
		return unknown_command(argv[0]);
	report_set_command(cmd->name);
	return cmd->run(cmd, argc, argv);
}
