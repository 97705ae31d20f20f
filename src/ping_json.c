/* ping_json.c: raw-ping's --json objects: one per reply, error and loss, one summary per host. */
#include "config.h"

#include <errno.h>
#include <stdio.h>

#include "json.h"
#include "ping_output.h"
#include "report.h"

int
ping_json_write(struct ping_output *out, struct json *j)
{
	int status = 0;

	json_object_end(j);
	if (!out->closed && json_write(j) == -1) {
		out->closed = 1;
		if (errno != EPIPE) {
			out->write_err = errno;
			report_errno(errno, "write to stdout");
		}
		status = -1;
	}
	json_free(j);
	return out->closed ? -1 : status;
}

const char *
ping_host_address(const struct ping_host *h, char *buf, size_t len)
{
	return addr_format((const struct sockaddr *)&h->addr, buf, len);
}

void
ping_json_head(struct json *j, const char *type, const struct ping_output_host *oh,
    const struct ping_host *h)
{
	char addr[ADDR_STRLEN];

	json_init(j);
	json_object_begin(j);
	json_string(j, "type", type);
	json_string(j, "host", oh->arg);
	json_string(j, "address", ping_host_address(h, addr, sizeof(addr)));
}

int
ping_json_reply(struct ping_output *out, struct ping_output_host *oh, const struct ping_event *ev)
{
	char from[ADDR_STRLEN];
	struct json j;

	ping_json_head(&j, "reply", oh, ev->host);
	json_string(&j, "from", addr_format(ev->from, from, sizeof(from)));
	json_int(&j, "seq", ev->seq);
	json_int(&j, "bytes", (long long)ev->bytes);
	if (ev->ttl >= 0)
		json_int(&j, "ttl", ev->ttl);
	else
		json_null(&j, "ttl");
	json_double(&j, "rtt_ms", (double)ev->rtt / 1000, 3);
	json_bool(&j, "dup", ev->dup);
	json_bool(&j, "late", ev->late);
	json_bool(&j, "corrupted", ev->corrupted);
	json_bool(&j, "truncated", ev->truncated);
	json_bool(&j, "different_address", ev->different_address);
	json_int(&j, "damaged_bytes", (long long)ev->damage.count);
	if (ev->damage.count > 0) {
		json_int(&j, "first_damaged_byte", (long long)ev->damage.first);
		json_int(&j, "expected", ev->damage.expected);
		json_int(&j, "got", ev->damage.got);
	}
	return ping_json_write(out, &j);
}

int
ping_json_summary(struct ping_output *out, struct ping_output_host *oh, const struct ping_host *h,
    double loss, long long ms)
{
	const struct ping_stats *s = &h->stats;
	struct json j;

	ping_json_head(&j, "summary", oh, h);
	json_int(&j, "transmitted", s->transmitted);
	json_int(&j, "received", s->received);
	json_int(&j, "duplicates", s->duplicates);
	json_int(&j, "corrupted", s->corrupted);
	json_int(&j, "damaged", s->damaged);
	json_int(&j, "errors", s->errors);
	json_int(&j, "lost", s->lost);
	json_int(&j, "late", s->late);
	json_double(&j, "loss_percent", loss, 3);
	json_int(&j, "time_ms", ms);
	ping_stats_rtt_json(&j, s);
	json_int(&j, "pipe", s->pipe);
	return ping_json_write(out, &j);
}
