/*
 * unit_formats.c: sockt-unit's subcommands for the output formats and packet parsers
 * (hex dump, ICMP, sock_diag and /proc/net, ping statistics, scan lines); see unit.c.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "addr.h"
#include "hexdump.h"
#include "icmp.h"
#include "pinger.h"
#include "report.h"
#include "scan.h"
#include "sockdiag.h"
#include "unit.h"

/* Bytes from hex ("0a1b..."), into a new buffer; *len their count. NULL for bad hex. */
static uint8_t *
from_hex(const char *hex, size_t *len)
{
	size_t n = strlen(hex) / 2;
	uint8_t *b = malloc(n ? n : 1);
	unsigned v;

	if (b == NULL || strlen(hex) % 2) {
		free(b);
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		if (sscanf(hex + 2 * i, "%2x", &v) != 1) {
			free(b);
			return NULL;
		}
		b[i] = (uint8_t)v;
	}
	*len = n;
	return b;
}

static int
family_arg(const char *s)
{
	return strcmp(s, "6") == 0 ? AF_INET6 : AF_INET;
}

int
unit_hexdump(char **argv, int argc)
{
	size_t len, need;
	uint8_t *b = from_hex(argv[0], &len);
	char *out;

	(void)argc;
	if (b == NULL)
		return 2;
	need = hexdump_size(len);
	if ((out = malloc(need + 1)) == NULL || hexdump_format(b, len, out, need) != need)
		return 2;
	fwrite(out, 1, need, stdout);
	free(out);
	free(b);
	return 0;
}

static const char *const icmp_kinds[] = { "other", "reply", "unreachable", "time-exceeded",
	"too-big", "parameter" };

static void
show_icmp(const struct icmp_packet *p)
{
	char dst[INET6_ADDRSTRLEN] = "-";

	if (p->has_original_dst)
		inet_ntop(p->family, &p->original_dst, dst, sizeof(dst));
	printf("%s type=%u code=%u id=%u seq=%u ttl=%d datalen=%zu sum=%d dst=%s",
	    icmp_kinds[p->kind], p->type, p->code, p->id, p->seq, p->ttl, p->datalen,
	    p->checksum_ok, dst);
	if (p->kind == ICMP_KIND_OTHER)
		printf(" why=%s", p->why);
	printf("\n");
}

/* icmp-parse FAMILY WITH_IP HEX: the packet taken apart. */
int
unit_icmp_parse(char **argv, int argc)
{
	struct icmp_packet p;
	size_t len;
	uint8_t *b = from_hex(argv[2], &len);

	(void)argc;
	if (b == NULL)
		return 2;
	icmp_parse(b, len, family_arg(argv[0]), atoi(argv[1]), &p);
	show_icmp(&p);
	free(b);
	return 0;
}

/*
 * icmp-echo FAMILY ID SEQ DATALEN [DAMAGE]: a request built, turned into its reply (and
 * one payload byte flipped at DAMAGE), parsed back and checked against what was sent.
 */
int
unit_icmp_echo(char **argv, int argc)
{
	struct timespec sent = { 1700000000, 123456789 }, back;
	int family = family_arg(argv[0]);
	size_t datalen = (size_t)atoi(argv[3]), len, wrong;
	uint8_t *b = malloc(ICMP_HEADER_LEN + datalen);
	struct icmp_packet p;
	struct icmp_damage d;

	len = icmp_build_echo(b, ICMP_HEADER_LEN + datalen, family, (uint16_t)atoi(argv[1]),
	    (uint16_t)atoi(argv[2]), &sent, datalen);
	printf("length=%zu request-sum=%u\n", len, icmp_checksum(b, len));
	b[0] = family == AF_INET6 ? 129 : 0;
	if (argc > 4)
		b[ICMP_HEADER_LEN + atoi(argv[4])] ^= 0xff;
	b[2] = b[3] = 0;
	if (family == AF_INET) {
		uint16_t sum = icmp_checksum(b, len);
		b[2] = (uint8_t)(sum >> 8);
		b[3] = (uint8_t)sum;
	}
	icmp_parse(b, len, family, 0, &p);
	show_icmp(&p);
	wrong = icmp_check_payload(p.data, p.datalen, datalen, &sent, &d);
	printf("wrong=%zu", wrong);
	if (wrong)
		printf(" first=%zu expected=%02x got=%02x", d.first, d.expected, d.got);
	if (icmp_payload_time(p.data, p.datalen, &back) == 0)
		printf(" sent=%lld.%09ld", (long long)back.tv_sec, back.tv_nsec);
	printf("\n");
	free(b);
	return 0;
}

/* icmp-text FAMILY TYPE CODE INFO: what ping says about an ICMP error. */
int
unit_icmp_text(char **argv, int argc)
{
	char text[128];

	(void)argc;
	printf("%s\n",
	    icmp_error_text(family_arg(argv[0]), (uint8_t)atoi(argv[1]), (uint8_t)atoi(argv[2]),
		(uint32_t)strtoul(argv[3], NULL, 0), text, sizeof(text)));
	return 0;
}

/* icmp-brief FAMILY TYPE CODE: the short words of an error line (udp-send). */
int
unit_icmp_brief(char **argv, int argc)
{
	(void)argc;
	printf("%s\n",
	    icmp_error_brief(family_arg(argv[0]), (uint8_t)atoi(argv[1]), (uint8_t)atoi(argv[2])));
	return 0;
}

/* One socket of the table as state prints it, with the fields it does not print. */
static void
show_socket(const struct sockdiag_socket *s)
{
	char local[64], remote[64], timer[64];

	sockdiag_endpoint_text(s, 0, local, sizeof(local));
	sockdiag_endpoint_text(s, 1, remote, sizeof(remote));
	sockdiag_timer_text(s, timer, sizeof(timer));
	printf("%s %s %s %s queues=%u/%u uid=%u inode=%llu\n",
	    sockdiag_state_name(s->protocol, s->state), local, remote, timer, s->send_queue,
	    s->recv_queue, s->uid, (unsigned long long)s->inode);
}

/* proc-line FAMILY tcp|udp LINE: one /proc/net line as state prints it. */
int
unit_proc_line(char **argv, int argc)
{
	struct sockdiag_socket s;
	int protocol = strcmp(argv[1], "udp") == 0 ? IPPROTO_UDP : IPPROTO_TCP;

	(void)argc;
	if (sockdiag_parse_proc_line(argv[2], family_arg(argv[0]), protocol, 100, &s) == -1) {
		printf("error\n");
		return 1;
	}
	show_socket(&s);
	return 0;
}

/*
 * netlink HEX [PORT]: one datagram of a TCP dump (sequence number 7) through the parser,
 * with the port filter: each socket kept, then "end", "more" or the error's name, and how
 * many messages were skipped.
 */
int
unit_netlink(char **argv, int argc)
{
	struct sockdiag_filter f = { IPPROTO_TCP, AF_UNSPEC, 0, argc > 1 ? atoi(argv[1]) : -1 };
	struct sockdiag_table t = { 0 };
	size_t len;
	uint8_t *b = from_hex(argv[0], &len);
	int r;

	if (b == NULL)
		return 2;
	r = sockdiag_parse_netlink(b, len, 7, &f, &t);
	for (size_t i = 0; i < t.n; i++)
		show_socket(&t.v[i]);
	printf("%s skipped=%zu\n", r == 1 ? "end" : r == 0 ? "more" : errno_name(errno), t.skipped);
	sockdiag_table_free(&t);
	free(b);
	return 0;
}

/* rtt-stats USEC...: the replies' min/avg/max/mdev line as raw-ping's summary says it. */
int
unit_rtt_stats(char **argv, int argc)
{
	struct ping_stats s = { 0 };
	long long v[4];
	char t[4][32];

	for (int i = 0; i < argc; i++) {
		ping_stats_add_rtt(&s, atoll(argv[i]));
		s.received++;
	}
	ping_stats_rtt(&s, &v[0], &v[1], &v[2], &v[3]);
	for (int i = 0; i < 4; i++)
		ping_format_rtt(v[i], t[i], sizeof(t[i]));
	printf("rtt min/avg/max/mdev = %s/%s/%s/%s ms\n", t[0], t[1], t[2], t[3]);
	return 0;
}

/* scan-line PORT ERRNO RTT_USEC TIMEOUT_USEC: one line of connect -z. */
int
unit_scan_line(char **argv, int argc)
{
	struct scan_result r = { .port = (uint16_t)atoi(argv[0]),
		.err = atoi(argv[1]),
		.rtt_usec = atoll(argv[2]) };
	char line[256];

	(void)argc;
	r.state = r.err ? scan_classify(r.err) : SCAN_OPEN;
	scan_result_format(&r, "127.0.0.1", atoll(argv[3]), line, sizeof(line));
	printf("%s\n", line);
	return 0;
}

/* scan-order ADDRESS...: the literals in the order a scan reports them, each once. */
int
unit_scan_order(char **argv, int argc)
{
	struct scan_target *t = calloc((size_t)argc, sizeof(*t));
	struct addrinfo hints = { .ai_flags = AI_NUMERICHOST }, *res;
	char text[ADDR_STRLEN];
	size_t n = 0;

	if (t == NULL)
		return 1;
	for (int i = 0; i < argc; i++) {
		if (getaddrinfo(argv[i], NULL, &hints, &res) != 0) {
			free(t);
			return 1;
		}
		memcpy(&t[n].addr, res->ai_addr, res->ai_addrlen);
		t[n++].len = res->ai_addrlen;
		freeaddrinfo(res);
	}
	n = scan_targets_sort(t, n);
	for (size_t i = 0; i < n; i++)
		printf("%s%s", i ? " " : "",
		    addr_format((struct sockaddr *)&t[i].addr, text, sizeof(text)));
	printf("\n");
	free(t);
	return 0;
}
