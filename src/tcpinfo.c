/* tcpinfo.c: TCP_INFO read with the kernel's own layout, and said in words or JSON. */
#include "config.h"

#include <sys/socket.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "tcpinfo.h"

/*
 * The kernel copies min(its struct, our optlen) bytes and says how many: an
 * older kernel fills fewer fields, so each is used only if it lies inside
 * the returned length. <linux/tcp.h> has the newer fields glibc's lacks.
 */
#define FILLED(len, field)                                                                         \
	((len) >= offsetof(struct tcp_info, field) + sizeof(((struct tcp_info *)0)->field))

void
tcpinfo_parse(const void *buf, size_t len, struct tcpinfo *ti)
{
	struct tcp_info k;

	memset(ti, 0, sizeof(*ti));
	memset(&k, 0, sizeof(k));
	memcpy(&k, buf, len < sizeof(k) ? len : sizeof(k));
	if (FILLED(len, tcpi_total_retrans)) {
		ti->have |= TCPINFO_RTT;
		ti->rtt_usec = k.tcpi_rtt;
		ti->rttvar_usec = k.tcpi_rttvar;
		ti->retrans = k.tcpi_total_retrans;
		ti->pmtu = k.tcpi_pmtu;
		ti->cwnd = k.tcpi_snd_cwnd;
		ti->lost = k.tcpi_lost;
	}
	if (FILLED(len, tcpi_bytes_received)) {
		ti->have |= TCPINFO_BYTES;
		ti->bytes_acked = k.tcpi_bytes_acked;
		ti->bytes_received = k.tcpi_bytes_received;
	}
	if (FILLED(len, tcpi_delivery_rate)) {
		ti->have |= TCPINFO_DELIVERY;
		ti->delivery_rate = k.tcpi_delivery_rate;
	}
}

void
tcpinfo_read(int fd, struct tcpinfo *ti)
{
	struct tcp_info k;
	socklen_t len = sizeof(k);

	memset(ti, 0, sizeof(*ti));
	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &k, &len) == -1)
		return;
	tcpinfo_parse(&k, len, ti);
}

/* A rate in bits a second, in the unit that keeps it short: "12.3 Mbit/s". */
static void
format_rate(uint64_t bytes_per_sec, char *buf, size_t len)
{
	static const char *const unit[] = { "bit/s", "kbit/s", "Mbit/s", "Gbit/s", "Tbit/s" };
	double v = (double)bytes_per_sec * 8;
	size_t u = 0;

	while (v >= 1000 && u + 1 < sizeof(unit) / sizeof(unit[0])) {
		v /= 1000;
		u++;
	}
	snprintf(buf, len, u == 0 ? "%.0f %s" : "%.1f %s", v, unit[u]);
}

void
tcpinfo_format(const struct tcpinfo *ti, char *buf, size_t len)
{
	char rate[32];
	size_t used;

	buf[0] = '\0';
	if (!(ti->have & TCPINFO_RTT))
		return;
	snprintf(buf, len, "rtt %.3f/%.3f ms, retrans %u, lost %u, pmtu %u, cwnd %u",
	    ti->rtt_usec / 1000.0, ti->rttvar_usec / 1000.0, ti->retrans, ti->lost, ti->pmtu,
	    ti->cwnd);
	used = strlen(buf);
	if ((ti->have & TCPINFO_DELIVERY) && used < len) {
		format_rate(ti->delivery_rate, rate, sizeof(rate));
		snprintf(buf + used, len - used, ", delivery %s", rate);
		used += strlen(buf + used);
	}
	if ((ti->have & TCPINFO_BYTES) && used < len)
		snprintf(buf + used, len - used, ", acked %llu B, received %llu B",
		    (unsigned long long)ti->bytes_acked, (unsigned long long)ti->bytes_received);
}

void
tcpinfo_json(struct json *j, const struct tcpinfo *ti)
{
	if (!(ti->have & TCPINFO_RTT))
		return;
	json_object_begin_key(j, "tcp_info");
	json_double(j, "rtt_ms", ti->rtt_usec / 1000.0, 3);
	json_double(j, "rttvar_ms", ti->rttvar_usec / 1000.0, 3);
	json_int(j, "retrans", ti->retrans);
	json_int(j, "lost", ti->lost);
	json_int(j, "pmtu", ti->pmtu);
	json_int(j, "cwnd", ti->cwnd);
	if (ti->have & TCPINFO_DELIVERY)
		json_int(j, "delivery_rate_bps", (long long)(ti->delivery_rate * 8));
	if (ti->have & TCPINFO_BYTES) {
		json_int(j, "bytes_acked", (long long)ti->bytes_acked);
		json_int(j, "bytes_received", (long long)ti->bytes_received);
	}
	json_object_end(j);
}
