/*
 * sockt-unit: the library's pure parsers and formatters called directly, one per
 * subcommand, for tests/unit.bats: what a test gives in arguments, the function's answer on
 * stdout.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <netdb.h>
#include <sys/socket.h>

#include "addr.h"
#include "json.h"
#include "parse.h"
#include "unit.h"

static int
show_errno(void)
{
	printf("error %s\n", errno == ERANGE ? "range" : errno == ENOENT ? "unknown" : "invalid");
	return 1;
}

static int
unit_duration(char **argv, int argc)
{
	int64_t us;

	(void)argc;
	if (parse_duration(argv[0], &us) == -1)
		return show_errno();
	printf("%lld\n", (long long)us);
	return 0;
}

static int
unit_size(char **argv, int argc)
{
	uint64_t v;

	(void)argc;
	if (parse_size(argv[0], UINT64_C(1) << 40, &v) == -1)
		return show_errno();
	printf("%llu\n", (unsigned long long)v);
	return 0;
}

static int
unit_range(char **argv, int argc)
{
	uint16_t lo, hi;

	(void)argc;
	if (parse_port_range(argv[0], "tcp", &lo, &hi) == -1)
		return show_errno();
	printf("%u %u\n", lo, hi);
	return 0;
}

static int
unit_escapes(char **argv, int argc)
{
	char *out = malloc(strlen(argv[0]) + 1);
	const char *bad;
	long n = parse_escapes(argv[0], out, &bad);

	(void)argc;
	if (n == -1) {
		printf("error at %ld\n", (long)(bad - argv[0]));
		free(out);
		return 1;
	}
	for (long i = 0; i < n; i++)
		printf("%02x", (unsigned char)out[i]);
	printf("\n");
	free(out);
	return 0;
}

static int
endpoint_line(char **argv, int argc, int local)
{
	struct endpoint ep;
	const char *why;
	int used = local ? endpoint_parse_local(argc, argv, &ep, &why)
			 : endpoint_parse_remote(argc, argv, &ep, &why);

	if (used == -1) {
		printf("error %s\n", why);
		return 1;
	}
	printf("host=%s port=%s used=%d\n", ep.host ? ep.host : "(any)", ep.port, used);
	endpoint_free(&ep);
	return 0;
}

static int
unit_json(char **argv, int argc)
{
	struct json j;

	(void)argc;
	json_init(&j);
	json_object_begin(&j);
	json_string(&j, "s", argv[0]);
	json_bool(&j, "utf8", json_utf8_valid(argv[0], strlen(argv[0])));
	json_base64(&j, "b64", argv[0], strlen(argv[0]));
	json_object_end(&j);
	json_write(&j);
	json_free(&j);
	return 0;
}

/* A numeric address as a sockaddr, in storage to free; NULL if it is none. */
static struct addrinfo *
numeric(const char *host)
{
	struct addrinfo hints = { .ai_flags = AI_NUMERICHOST, .ai_socktype = SOCK_DGRAM }, *res;

	return getaddrinfo(host, NULL, &hints, &res) == 0 ? res : NULL;
}

/*
 * addr ADDRESS [OTHER]: whether ADDRESS is a literal; if it is, how sockt prints it (and an
 * IPv4-mapped IPv6 address unmapped); with OTHER, whether the two name the same host.
 */
static int
unit_addr(char **argv, int argc)
{
	struct addrinfo *a = numeric(argv[0]), *b = argc > 1 ? numeric(argv[1]) : NULL;
	struct sockaddr_storage plain;
	char text[ADDR_STRLEN], unmapped[ADDR_STRLEN];

	printf("literal=%d", addr_is_literal(argv[0]));
	if (a != NULL) {
		addr_unmap(a->ai_addr, &plain);
		printf(" %s %s %s", addr_family_name(a->ai_family),
		    addr_format(a->ai_addr, text, sizeof(text)),
		    addr_format((struct sockaddr *)&plain, unmapped, sizeof(unmapped)));
	}
	if (a != NULL && b != NULL)
		printf(" same=%d", addr_same_host(a->ai_addr, b->ai_addr));
	printf("\n");
	if (a != NULL)
		freeaddrinfo(a);
	if (b != NULL)
		freeaddrinfo(b);
	return 0;
}

static int
unit_remote(char **argv, int argc)
{
	return endpoint_line(argv, argc, 0);
}

static int
unit_local(char **argv, int argc)
{
	return endpoint_line(argv, argc, 1);
}

/* family LITERAL: the family of an address literal, "name" for anything else. */
static int
unit_family(char **argv, int argc)
{
	int family = addr_literal_family(argv[0]);

	(void)argc;
	printf("%s\n", family == AF_UNSPEC ? "name" : addr_family_name(family));
	return 0;
}

struct unit {
	const char *name;
	int (*run)(char **argv, int argc);
	int args; /* the fewest arguments it takes */
};

static const struct unit units[] = {
	{ "duration", unit_duration, 1 },
	{ "size", unit_size, 1 },
	{ "range", unit_range, 1 },
	{ "escapes", unit_escapes, 1 },
	{ "remote", unit_remote, 1 },
	{ "local", unit_local, 1 },
	{ "addr", unit_addr, 1 },
	{ "json", unit_json, 1 },
	{ "family", unit_family, 1 },
	{ "hexdump", unit_hexdump, 1 },
	{ "icmp-parse", unit_icmp_parse, 3 },
	{ "icmp-echo", unit_icmp_echo, 4 },
	{ "icmp-text", unit_icmp_text, 4 },
	{ "icmp-brief", unit_icmp_brief, 3 },
	{ "proc-line", unit_proc_line, 3 },
	{ "netlink", unit_netlink, 1 },
	{ "rtt-stats", unit_rtt_stats, 1 },
	{ "scan-line", unit_scan_line, 4 },
	{ "scan-order", unit_scan_order, 1 },
	{ "access", unit_access, 2 },
	{ "route-reply", unit_route_reply, 1 },
	{ "tcpinfo-line", unit_tcpinfo_line, 1 },
};

int
main(int argc, char **argv)
{
	for (size_t i = 0; argc >= 2 && i < sizeof(units) / sizeof(units[0]); i++)
		if (strcmp(argv[1], units[i].name) == 0) {
			if (argc - 2 < units[i].args)
				break;
			return units[i].run(argv + 2, argc - 2);
		}
	fprintf(stderr, "usage: sockt-unit");
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		fprintf(stderr, "%c%s", i ? '|' : ' ', units[i].name);
	fprintf(stderr, " ARG...\n");
	return 2;
}
