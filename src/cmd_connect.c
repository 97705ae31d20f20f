/* cmd_connect.c: open a TCP connection and relay it to stdin/stdout, or scan ports. Not implemented yet: says so, status 2. */
#include "config.h"

#include "cmd.h"
#include "opts.h"
#include "report.h"

static const struct opt options[] = {
	{ NULL, 0, 0, NULL, NULL },
};

static int
run(const struct command *cmd, int argc, char **argv)
{
	struct opt_parser p;

	opt_begin(&p, cmd, argc, argv);
	while (opt_next(&p) != -1)
		;
	opt_end(&p);
	report_error("not implemented yet");
	return EXIT_USAGE;
}

const struct command cmd_connect = {
	"connect", "open a TCP connection and relay it to stdin/stdout, or scan ports", "[OPTIONS] HOST PORT\n-z [OPTIONS] HOST PORT[-PORT]...", options, run,
};
