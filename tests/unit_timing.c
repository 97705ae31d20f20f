/* unit_timing.c: sockt-unit's subcommands for the timing lines (TCP_INFO); see unit.c. */
#include "config.h"

#include <linux/tcp.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "json.h"
#include "tcpinfo.h"
#include "unit.h"

/* How much of struct tcp_info a kernel of each age fills. */
static size_t
kernel_length(const char *age)
{
	if (strcmp(age, "2.6") == 0) /* up to tcpi_total_retrans */
		return offsetof(struct tcp_info, tcpi_total_retrans) + 4;
	if (strcmp(age, "4.1") == 0) /* and the byte counts */
		return offsetof(struct tcp_info, tcpi_bytes_received) + 8;
	if (strcmp(age, "short") == 0) /* not even the RTT */
		return 8;
	return sizeof(struct tcp_info);
}

/*
 * tcpinfo-line AGE: a struct tcp_info of known values cut where a kernel of
 * that age ends it ("2.6", "4.1", "short", "new"), as the tcp_info line and
 * its JSON say it.
 */
int
unit_tcpinfo_line(char **argv, int argc)
{
	struct tcp_info k;
	struct tcpinfo ti;
	struct json j;
	char line[256];

	(void)argc;
	memset(&k, 0, sizeof(k));
	k.tcpi_rtt = 80312;
	k.tcpi_rttvar = 2104;
	k.tcpi_total_retrans = 3;
	k.tcpi_lost = 1;
	k.tcpi_pmtu = 1500;
	k.tcpi_snd_cwnd = 10;
	k.tcpi_bytes_acked = 1048576;
	k.tcpi_bytes_received = 120;
	k.tcpi_delivery_rate = 1537500; /* bytes a second: 12.3 Mbit/s */
	tcpinfo_parse(&k, kernel_length(argv[0]), &ti);
	tcpinfo_format(&ti, line, sizeof(line));
	printf("%s\n", line);
	json_init(&j);
	json_object_begin(&j);
	tcpinfo_json(&j, &ti);
	json_object_end(&j);
	fflush(stdout);
	json_write(&j);
	json_free(&j);
	return 0;
}
