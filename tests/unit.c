/* sockt-unit: the core parsers called directly, one per subcommand, for tests/unit.bats. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "icmp.h"
#include "json.h"
#include "parse.h"
#include "pinger.h"

static int
show_errno(void)
{
	printf("error %s\n", errno == ERANGE ? "range" : "invalid");
	return 1;
}

static int
unit_duration(char **argv)
{
	int64_t us;

	if (parse_duration(argv[0], &us) == -1)
		return show_errno();
	printf("%lld\n", (long long)us);
	return 0;
}

static int
unit_size(char **argv)
{
	uint64_t v;

	if (parse_size(argv[0], UINT64_C(1) << 40, &v) == -1)
		return show_errno();
	printf("%llu\n", (unsigned long long)v);
	return 0;
}

static int
unit_range(char **argv)
{
	uint16_t lo, hi;

	if (parse_port_range(argv[0], "tcp", &lo, &hi) == -1)
		return show_errno();
	printf("%u %u\n", lo, hi);
	return 0;
}

static int
unit_escapes(char **argv)
{
	char *out = malloc(strlen(argv[0]) + 1);
	const char *bad;
	long n = parse_escapes(argv[0], out, &bad);

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
unit_endpoint(char **argv, int argc, int local)
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
unit_json(char **argv)
{
	struct json j;

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

/* "FAMILY TYPE CODE INFO": ping's words for the error, then the short ones. */
static int
unit_icmp(char **argv)
{
	int family = strcmp(argv[0], "6") == 0 ? AF_INET6 : AF_INET;
	uint8_t type = (uint8_t)atoi(argv[1]), code = (uint8_t)atoi(argv[2]);
	char text[128];

	printf("%s|%s\n",
	    icmp_error_text(family, type, code, (uint32_t)strtoul(argv[3], NULL, 0), text,
		sizeof(text)),
	    icmp_error_brief(family, type, code));
	return 0;
}

/* Round trips in microseconds: each as ping prints time=, then min/avg/max/mdev. */
static int
unit_rtt(char **argv, int n)
{
	struct ping_stats s = { 0 };
	long long min, avg, max, mdev;
	char buf[32];

	for (int i = 0; i < n; i++) {
		ping_format_rtt(atoll(argv[i]), buf, sizeof(buf));
		printf("%s ", buf);
		ping_stats_add_rtt(&s, atoll(argv[i]));
		s.received++;
	}
	ping_stats_rtt(&s, &min, &avg, &max, &mdev);
	printf("%lld/%lld/%lld/%lld\n", min, avg, max, mdev);
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: sockt-unit "
				"duration|size|range|escapes|remote|local|json|icmp|rtt ARG...\n");
		return 2;
	}
	if (strcmp(argv[1], "duration") == 0)
		return unit_duration(argv + 2);
	if (strcmp(argv[1], "size") == 0)
		return unit_size(argv + 2);
	if (strcmp(argv[1], "range") == 0)
		return unit_range(argv + 2);
	if (strcmp(argv[1], "escapes") == 0)
		return unit_escapes(argv + 2);
	if (strcmp(argv[1], "remote") == 0)
		return unit_endpoint(argv + 2, argc - 2, 0);
	if (strcmp(argv[1], "local") == 0)
		return unit_endpoint(argv + 2, argc - 2, 1);
	if (strcmp(argv[1], "json") == 0)
		return unit_json(argv + 2);
	if (strcmp(argv[1], "icmp") == 0 && argc == 6)
		return unit_icmp(argv + 2);
	if (strcmp(argv[1], "rtt") == 0)
		return unit_rtt(argv + 2, argc - 2);
	fprintf(stderr, "sockt-unit: unknown test '%s'\n", argv[1]);
	return 2;
}
