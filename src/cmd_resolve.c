/* cmd_resolve.c: what getaddrinfo and getnameinfo say about names and addresses. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "clock.h"
#include "cmd.h"
#include "json.h"
#include "opts.h"
#include "parse.h"
#include "report.h"

enum { OPT_CANONICAL = OPT_LONG, OPT_SERVICE };

static const struct opt options[] = {
	{ "reverse", 'r', no_argument, NULL, "also print the name of every address found" },
	{ "canonical", OPT_CANONICAL, no_argument, NULL, "print the canonical name first" },
	{ "service", OPT_SERVICE, required_argument, "PORT", "resolve a service (port) as well" },
	{ "long", 'l', no_argument, NULL, "every result with family, socket type and protocol" },
	{ NULL, 0, 0, NULL, NULL },
};

struct resolve_options {
	int reverse, canonical, longform, several;
	const char *service;
};

static const char *
socktype_name(int t)
{
	switch (t) {
	case SOCK_STREAM: return "stream";
	case SOCK_DGRAM: return "dgram";
	case SOCK_RAW: return "raw";
	default: return "?";
	}
}

static const char *
protocol_name(int p)
{
	switch (p) {
	case IPPROTO_TCP: return "tcp";
	case IPPROTO_UDP: return "udp";
	case 0: return "ip";
	default: return "?";
	}
}

/* getaddrinfo returns one result per socket type; the user asked for addresses. */
static int
seen_before(const struct addrinfo *res, const struct addrinfo *ai)
{
	for (const struct addrinfo *p = res; p != ai; p = p->ai_next)
		if (addr_same_host(p->ai_addr, ai->ai_addr))
			return 1;
	return 0;
}

/* The name of an address (NI_NAMEREQD), or NULL with *eai set. */
static const char *
reverse_name(const struct addrinfo *ai, char *buf, size_t len, int *eai)
{
	*eai = getnameinfo(ai->ai_addr, ai->ai_addrlen, buf, (socklen_t)len, NULL, 0, NI_NAMEREQD);
	return *eai == 0 ? buf : NULL;
}

static void
print_text_line(const struct resolve_options *o, const char *name, const struct addrinfo *ai,
    const char *text, const char *reverse)
{
	if (o->several)
		printf("%s ", name);
	printf("%s", text);
	if (o->service != NULL)
		printf(" port %u", addr_port(ai->ai_addr));
	if (o->longform)
		printf(" %s %s %s", addr_family_name(ai->ai_family), socktype_name(ai->ai_socktype),
		    protocol_name(ai->ai_protocol));
	if (reverse != NULL)
		printf(" %s", reverse);
	printf("\n");
}

static void
json_address(struct json *j, const struct resolve_options *o, const struct addrinfo *ai,
    const char *text, const char *reverse, int want_reverse)
{
	json_object_begin(j);
	json_string(j, "address", text);
	json_string(j, "family", addr_family_name(ai->ai_family));
	if (o->service != NULL)
		json_int(j, "port", addr_port(ai->ai_addr));
	if (o->longform) {
		json_string(j, "socktype", socktype_name(ai->ai_socktype));
		json_string(j, "protocol", protocol_name(ai->ai_protocol));
	}
	if (want_reverse)
		json_string(j, "reverse", reverse);
	json_object_end(j);
}

/* One --json line out: EXIT_LOCAL (said once) if stdout failed; a closed pipe is the reader's
 * choice. */
static int
write_json(struct json *j)
{
	static int said;
	int status = EXIT_OK;

	if (json_write(j) == -1 && errno != EPIPE) {
		if (!said)
			report_errno(errno, "write to stdout");
		said = 1;
		status = EXIT_LOCAL;
	}
	json_free(j);
	return status;
}

static int
json_error(const char *name, int eai, int err)
{
	struct json j;

	json_init(&j);
	json_object_begin(&j);
	json_string(&j, "name", name);
	json_string(&j, "error", eai_name(eai));
	json_string(&j, "message", eai == EAI_SYSTEM ? strerror(err) : gai_strerror(eai));
	json_object_end(&j);
	return write_json(&j);
}

static int
fail(const char *name, int eai, int err)
{
	report_eai(eai, err, "%s", name);
	if (globals.json && json_error(name, eai, err) != EXIT_OK)
		return EXIT_LOCAL;
	return EXIT_RESOLVE;
}

/* An address literal: its name, by getnameinfo (or itself under -n). */
static int
resolve_literal(const struct resolve_options *o, const char *name, const struct addrinfo *ai,
    int64_t start)
{
	char text[ADDR_STRLEN], host[NI_MAXHOST];
	const char *reverse = NULL;
	int eai = 0;

	addr_format(ai->ai_addr, text, sizeof(text));
	if (!globals.numeric && (reverse = reverse_name(ai, host, sizeof(host), &eai)) == NULL)
		return fail(name, eai, errno);
	report_verbose(1, "%s: %s in %.3f ms", name, reverse ? "name found" : "no lookup (-n)",
	    (double)(clock_now_usec() - start) / 1000);
	if (globals.json) {
		struct json j;
		json_init(&j);
		json_object_begin(&j);
		json_string(&j, "name", name);
		json_array_begin(&j, "addresses");
		json_address(&j, o, ai, text, reverse, !globals.numeric);
		json_array_end(&j);
		json_double(&j, "ms", (double)(clock_now_usec() - start) / 1000, 3);
		json_object_end(&j);
		return write_json(&j);
	}
	print_text_line(o, name, ai, reverse ? reverse : text, NULL);
	return EXIT_OK;
}

static int
resolve_one(const struct resolve_options *o, const char *name)
{
	struct addrinfo *res, *ai;
	char text[ADDR_STRLEN], host[NI_MAXHOST];
	int64_t start = clock_now_usec();
	int eai, flags = o->canonical ? AI_CANONNAME : 0, n = 0, status;
	struct json j;

	/* Without -l each address is wanted once, so ask for one socket type. */
	eai = addr_resolve(name, o->service, o->longform ? 0 : SOCK_STREAM, flags, &res);
	if (eai != 0)
		return fail(name, eai, errno);
	if (addr_is_literal(name) && !o->longform) {
		status = resolve_literal(o, name, res, start);
		freeaddrinfo(res);
		return status;
	}
	json_init(&j);
	json_object_begin(&j);
	json_string(&j, "name", name);
	if (o->canonical) {
		json_string(&j, "canonical", res->ai_canonname);
		if (!globals.json)
			printf("%s%s%s\n", o->several ? name : "", o->several ? " " : "",
			    res->ai_canonname ? res->ai_canonname : name);
	}
	json_array_begin(&j, "addresses");
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		const char *reverse = NULL;
		if (!o->longform && seen_before(res, ai))
			continue;
		n++;
		addr_format(ai->ai_addr, text, sizeof(text));
		if (o->reverse && !globals.numeric) {
			reverse = reverse_name(ai, host, sizeof(host), &eai);
			if (reverse == NULL)
				report_verbose(1, "%s: no name [%s]", text, eai_name(eai));
		}
		if (globals.json)
			json_address(&j, o, ai, text, reverse, o->reverse);
		else
			print_text_line(o, name, ai, text,
			    o->reverse ? (reverse ? reverse : "-") : NULL);
	}
	json_array_end(&j);
	json_double(&j, "ms", (double)(clock_now_usec() - start) / 1000, 3);
	json_object_end(&j);
	report_verbose(1, "%s: %d address%s in %.3f ms", name, n, n == 1 ? "" : "es",
	    (double)(clock_now_usec() - start) / 1000);
	freeaddrinfo(res);
	if (globals.json)
		return write_json(&j);
	json_free(&j);
	return EXIT_OK;
}

static int
run(const struct command *cmd, int argc, char **argv)
{
	struct resolve_options o = { 0 };
	struct opt_parser p;
	int ch, status = EXIT_OK;

	opt_begin(&p, cmd, argc, argv);
	while ((ch = opt_next(&p)) != -1) {
		switch (ch) {
		case 'r': o.reverse = 1; break;
		case 'l': o.longform = 1; break;
		case OPT_CANONICAL: o.canonical = 1; break;
		case OPT_SERVICE:
			opt_port(&p, "tcp");
			o.service = p.arg;
			break;
		}
	}
	opt_end(&p);
	argc -= p.optind;
	argv += p.optind;
	if (argc < 1)
		opt_usage_error(cmd, "missing NAME");
	for (int i = 0; i < argc; i++)
		opt_check_host(cmd, argv[i]);
	o.several = argc > 1;
	for (int i = 0; i < argc; i++) {
		int s = resolve_one(&o, argv[i]);
		if (s != EXIT_OK && (status == EXIT_OK || s == EXIT_LOCAL))
			status = s;
		fflush(stdout);
	}
	return status;
}

const struct command cmd_resolve = {
	"resolve",
	"what getaddrinfo and getnameinfo say about names",
	"[OPTIONS] NAME...",
	options,
	run,
};
