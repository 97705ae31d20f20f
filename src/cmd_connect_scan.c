/* cmd_connect_scan.c: sockt connect -z: a scan of ports on every address, or probes (-c). */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "attempts.h"
#include "clock.h"
#include "cmd_connect.h"
#include "family_line.h"
#include "hint.h"
#include "json.h"
#include "opts.h"
#include "parse.h"
#include "report.h"
#include "scan.h"
#include "sock.h"
#include "tcping.h"

/* What print_port needs to say each port's line. */
struct scan_report {
	const char *host;
	const struct tls_options *tls; /* -z --tls: a handshake on each open port */
	const struct scan_target *targets;
	int tls_warned; /* a certificate expires within --warn-days, or failed */
	char (*address)[ADDR_STRLEN]; /* one per target */
	int64_t timeout_usec;
	int write_err; /* a --json line could not be written: errno */
	struct family_lines fam; /* -v: each family's line at the end */
	unsigned char *filtered; /* per target: a port was filtered, its route is hinted */
};

/* -z --tls: the port's line with its certificate's verdict (tls.h). */
static void
print_tls_port(const struct scan_result *res, struct scan_report *sr)
{
	struct sockaddr_storage ss = sr->targets[res->target].addr;
	char line[ADDR_STRLEN + 512];
	struct json j;

	addr_set_port((struct sockaddr *)&ss, res->port);
	scan_result_format(res, sr->address[res->target], sr->timeout_usec, line, sizeof(line));
	json_init(&j);
	json_object_begin(&j);
	scan_result_json_fields(&j, sr->host, sr->address[res->target], res);
	sr->tls_warned |= tls_scan_port((struct sockaddr *)&ss, sr->targets[res->target].len,
	    sr->host, sr->tls, sr->timeout_usec, line, sizeof(line), globals.json ? &j : NULL);
	json_object_end(&j);
	if (globals.json && json_write(&j) == -1 && sr->write_err == 0)
		sr->write_err = errno;
	else if (!globals.json)
		printf("%s\n", line);
	json_free(&j);
}

static void
print_port(const struct scan_result *res, void *ctx)
{
	struct scan_report *sr = ctx;
	char line[ADDR_STRLEN + 512];
	struct json j;

	family_lines_add(&sr->fam, &sr->targets[res->target], res);
	if (res->state == SCAN_FILTERED)
		sr->filtered[res->target] = 1;
	if (sr->tls != NULL && res->state == SCAN_OPEN) {
		print_tls_port(res, sr);
		return;
	}
	if (globals.json) {
		json_init(&j);
		scan_result_json(&j, sr->host, sr->address[res->target], res);
		if (json_write(&j) == -1 && sr->write_err == 0)
			sr->write_err = errno;
		json_free(&j);
		return;
	}
	scan_result_format(res, sr->address[res->target], sr->timeout_usec, line, sizeof(line));
	printf("%s\n", line);
}

/* Ports from the words after HOST; a bad one is a usage error naming it. */
static void
parse_ports(const struct command *cmd, int argc, char **argv, struct scan_ports *ports)
{
	scan_ports_init(ports);
	for (int i = 0; i < argc; i++) {
		if (scan_ports_parse(argv[i], ports) == 0)
			continue;
		if (strchr(argv[i] + 1, '-') == NULL)
			opt_port_operand(cmd, argv[i], "tcp", 0);
		if (errno == ENOENT)
			opt_no_such_service(argv[i], "tcp");
		opt_usage_error(cmd,
		    "invalid port range '%s': must be LOW-HIGH, LOW not above HIGH, "
		    "each 0-65535 or a service name",
		    argv[i]);
	}
}

/* A failed bind is everyone's failure: found once per family before the scan, not on each line. */
static int
check_source(const struct scan_target *t, size_t n, const struct source *src)
{
	int family, in_bind;

	for (size_t i = 0; i < n; i++) {
		family = t[i].addr.ss_family;
		if (i > 0 && family == t[i - 1].addr.ss_family)
			continue;
		if (source_check(src, family, &in_bind) == 0)
			continue;
		attempts_report_source_error(errno, src, family, in_bind);
		if (source_failed_tunable(in_bind) != TUNABLE_NONE)
			return EXIT_LOCAL;
		hint_for_errno(errno, family);
		return exit_status_for_errno(errno);
	}
	return EXIT_OK;
}

/*
 * Every address of HOST, in the scan's order, without those of a family
 * the source has none of (-s of one family narrows the scan as -4/-6 do).
 */
static int
scan_targets(const struct connect_options *o, const struct endpoint *ep, const struct addrinfo *res,
    const struct source *src, struct scan_target **out, size_t *n)
{
	char text[ADDR_STRLEN];
	size_t count = 0;

	for (const struct addrinfo *ai = res; ai != NULL; ai = ai->ai_next)
		count++;
	if ((*out = calloc(count, sizeof(**out))) == NULL) {
		report_errno(errno, "scan %s", ep->host);
		return EXIT_LOCAL;
	}
	*n = 0;
	for (const struct addrinfo *ai = res; ai != NULL; ai = ai->ai_next) {
		if (!source_has_family(src, ai->ai_family)) {
			report_verbose(1, "not scanning %s: source %s has no address of its family",
			    addr_format(ai->ai_addr, text, sizeof(text)), o->source);
			continue;
		}
		if (ai->ai_addrlen > sizeof((*out)->addr))
			continue;
		memcpy(&(*out)[*n].addr, ai->ai_addr, ai->ai_addrlen);
		(*out)[(*n)++].len = ai->ai_addrlen;
	}
	*n = scan_targets_sort(*out, *n);
	if (*n == 0)
		return connect_source_mismatch(o, ep);
	return check_source(*out, *n, src);
}

static int
scan_status(const struct scan_stats *st, const struct scan_report *sr,
    const struct scan_target *targets, const struct source *src, size_t total)
{
	int family = targets[st->first_error_target].addr.ss_family;
	char port[8];

	if (st->first_error != 0) {
		snprintf(port, sizeof(port), "%u", st->first_error_port);
		attempts_report_connect(st->first_error, sr->address[st->first_error_target], port);
		/* A name's IPv6 address on a machine whose IPv6 is off (a container, often). */
		if (st->first_error == EADDRNOTAVAIL && source_addr(src, family) == NULL)
			report_hint("this machine has no %s address to connect from, or no local "
				    "port was free; %s",
			    family == AF_INET6 ? "IPv6" : "IPv4",
			    family == AF_INET6 ? "-4 scans IPv4 only" : "-6 scans IPv6 only");
		else
			hint_for_errno(st->first_error, family);
		return exit_status_for_errno(st->first_error);
	}
	return st->count[SCAN_OPEN] == total ? EXIT_OK : EXIT_NETWORK;
}

/* The closing -v line: what was scanned, how long it took, what it found. */
static void
scan_summary(const struct scan_report *sr, size_t ntargets, size_t nports,
    const struct scan_stats *st, int64_t start)
{
	char where[ADDR_STRLEN + 64];

	if (ntargets == 1)
		snprintf(where, sizeof(where), "%s", sr->address[0]);
	else
		snprintf(where, sizeof(where), "%s's %zu addresses", sr->host, ntargets);
	report_verbose(1, "%zu port%s of %s in %.2f s: %zu open, %zu closed, %zu filtered", nports,
	    nports == 1 ? "" : "s", where, (double)(clock_now_usec() - start) / 1e6,
	    st->count[SCAN_OPEN], st->count[SCAN_CLOSED], st->count[SCAN_FILTERED]);
}

/* -z -c: the probes of tcping.c, to one port, closed with RST unless --linger fin. */
static int
probe(const struct command *cmd, const struct connect_options *o, const char *host,
    const struct scan_target *targets, size_t n, const struct scan_ports *ports,
    const struct source *src)
{
	struct tcping_options to = { o->count, o->idle_usec >= 0 ? o->idle_usec : 1000000,
		o->timeout_usec, o->linger_set ? o->linger0 : 1, src };

	if (ports->count != 1)
		opt_usage_error(cmd, "-c probes one port, and %zu are given", ports->count);
	return tcping_run(&to, host, targets, n, ports);
}

int
connect_run_scan(const struct command *cmd, const struct connect_options *o,
    const struct endpoint *ep, int argc, char **argv)
{
	struct scan_report sr = { .host = ep->host, .timeout_usec = o->timeout_usec };
	struct scan_options so = { o->parallel, o->timeout_usec, NULL, o->linger0, print_port,
		&sr };
	struct scan_target *targets = NULL;
	struct scan_stats st;
	struct scan_ports ports;
	struct addrinfo *res;
	struct source src;
	struct phases ph;
	int64_t start = clock_now_usec();
	size_t n = 0;
	int status;

	parse_ports(cmd, argc, argv, &ports);
	if ((status = connect_resolve(o, ep, "0", &res, &src, &ph)) != EXIT_OK)
		return status;
	status = scan_targets(o, ep, res, &src, &targets, &n);
	freeaddrinfo(res);
	if (status == EXIT_OK && o->count > 0) {
		status = probe(cmd, o, ep->host, targets, n, &ports, &src);
		free(targets);
		return status;
	}
	if (status == EXIT_OK && ((sr.address = calloc(n, sizeof(*sr.address))) == NULL ||
				     (sr.filtered = calloc(n, 1)) == NULL)) {
		report_errno(errno, "scan %s", ep->host);
		status = EXIT_LOCAL;
	}
	if (status != EXIT_OK) {
		free(sr.address);
		free(targets);
		return status;
	}
	for (size_t i = 0; i < n; i++)
		addr_format((struct sockaddr *)&targets[i].addr, sr.address[i], ADDR_STRLEN);
	family_lines_init(&sr.fam, targets, n);
	so.src = &src;
	sr.targets = targets;
	sr.tls = o->tls.enabled ? &o->tls : NULL;
	so.parallel = scan_fit_parallel(o->parallel);
	if (so.parallel < o->parallel)
		report_verbose(1, "--parallel lowered to %d by the file descriptor limit",
		    so.parallel);
	if (scan_run(targets, n, &ports, &so, &st) == -1) {
		report_errno(errno, "scan %s", ep->host);
		status = EXIT_LOCAL;
	} else
		status = scan_status(&st, &sr, targets, &src, ports.count * n);
	if (status == EXIT_OK && sr.tls_warned)
		status = EXIT_NETWORK;
	/* Text lines go through stdio and are checked at exit; --json lines are written here. */
	if (sr.write_err != 0 && sr.write_err != EPIPE) {
		report_errno(sr.write_err, "write to stdout");
		status = EXIT_LOCAL;
	}
	scan_summary(&sr, n, ports.count, &st, start);
	/* Once per address, not per port: where the kernel sends what never got an answer. */
	for (size_t i = 0; i < n; i++)
		if (sr.filtered[i])
			hint_route((const struct sockaddr *)&targets[i].addr);
	family_lines_say(&sr.fam);
	free(sr.filtered);
	free(sr.address);
	free(targets);
	return status;
}
