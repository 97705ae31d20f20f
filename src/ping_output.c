/* ping_output.c: what raw-ping prints: iputils ping's lines (one prefix per host) or NDJSON. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "hint.h"
#include "io.h"
#include "json.h"
#include "parse.h"
#include "ping_output.h"
#include "report.h"

int
ping_output_init(struct ping_output *out, size_t n, const struct pinger_options *o,
    const char *source_arg)
{
	memset(out, 0, sizeof(*out));
	out->o = o;
	out->source_arg = source_arg;
	if ((out->hosts = calloc(n, sizeof(*out->hosts))) == NULL)
		return -1;
	return 0;
}

void
ping_output_add_host(struct ping_output *out, size_t i, const char *arg, const char *canonical,
    int numeric)
{
	struct ping_output_host *oh = &out->hosts[i];

	oh->arg = arg;
	/* Without memory for the name, the argument does as well. */
	oh->display = strdup(canonical != NULL ? canonical : arg);
	oh->numeric = numeric;
	if (i + 1 > out->n)
		out->n = i + 1;
}

void
ping_output_free(struct ping_output *out)
{
	for (size_t i = 0; i < out->n; i++)
		free(out->hosts[i].display);
	free(out->hosts);
	free(out->buf);
	free(out->lines);
	memset(out, 0, sizeof(*out));
}

static const char *
display(const struct ping_output_host *oh)
{
	return oh->display != NULL ? oh->display : oh->arg;
}

static void text(struct ping_output *, const char *, ...) __attribute__((format(printf, 2, 3)));

/* Appends to the text of the event being written. */
static void
text(struct ping_output *out, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		size_t room = out->cap - out->len;
		va_start(ap, fmt);
		n = vsnprintf(out->buf + out->len, room, fmt, ap);
		va_end(ap);
		if (n < 0)
			return;
		if ((size_t)n < room) {
			out->len += (size_t)n;
			return;
		}
		size_t cap = out->cap ? out->cap * 2 : 1024;
		while (cap - out->len <= (size_t)n)
			cap *= 2;
		char *nbuf = realloc(out->buf, cap);
		if (nbuf == NULL)
			return;
		out->buf = nbuf;
		out->cap = cap;
	}
}

static int
write_out(struct ping_output *out, const char *s, size_t len)
{
	if (out->closed)
		return -1;
	if (io_write_all(STDOUT_FILENO, s, len) == -1) {
		out->closed = 1;
		if (errno != EPIPE) {
			out->write_err = errno;
			report_errno(errno, "write to stdout");
		}
		return -1;
	}
	return 0;
}

/* Writes the event's text, each non-empty line after "HOST: " when there are several hosts. */
static int
flush_text(struct ping_output *out, const struct ping_output_host *oh)
{
	size_t plen = out->several && oh != NULL ? strlen(oh->arg) + 2 : 0, need, used = 0;
	const char *p = out->buf, *end = out->buf + out->len;
	int status;

	if (out->len == 0)
		return 0;
	out->len = 0;
	if (plen == 0)
		return write_out(out, p, (size_t)(end - p));
	need = (size_t)(end - p) * (plen + 1) + 1;
	if (need > out->linecap) {
		char *nl = realloc(out->lines, need);
		if (nl == NULL)
			return write_out(out, p, (size_t)(end - p));
		out->lines = nl;
		out->linecap = need;
	}
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		size_t l = eol != NULL ? (size_t)(eol - p) + 1 : (size_t)(end - p);
		if (l > 1 || *p != '\n') {
			memcpy(out->lines + used, oh->arg, plen - 2);
			memcpy(out->lines + used + plen - 2, ": ", 2);
			used += plen;
		}
		memcpy(out->lines + used, p, l);
		used += l;
		p += l;
	}
	status = write_out(out, out->lines, used);
	return status;
}

static struct ping_output_host *
host_of(struct ping_output *out, const struct ping_host *h)
{
	return &out->hosts[h - out->p->hosts];
}

/* "name (address)" as ping prints a sender, or the address alone for numeric hosts. */
static const char *
sender(struct ping_output_host *oh, const struct sockaddr *sa, socklen_t salen)
{
	char addr[ADDR_STRLEN], name[NI_MAXHOST];

	addr_format(sa, addr, sizeof(addr));
	if (strcmp(addr, oh->last_addr) == 0)
		return oh->last_text;
	strlcpy(oh->last_addr, addr, sizeof(oh->last_addr));
	if (!oh->numeric && getnameinfo(sa, salen, name, sizeof(name), NULL, 0, NI_NAMEREQD) == 0)
		snprintf(oh->last_text, sizeof(oh->last_text), "%s (%s)", name, addr);
	else
		strlcpy(oh->last_text, addr, sizeof(oh->last_text));
	return oh->last_text;
}

/* The source -I's interface gives, as ping's header shows it; empty if there is none. */
static void
source_address(const struct pinger *p, const struct ping_host *h, char *buf, size_t len)
{
	struct sockaddr_storage ss;

	buf[0] = '\0';
	if (pinger_source_of(p, h, &ss) == 0)
		addr_format((const struct sockaddr *)&ss, buf, len);
}

int
ping_output_headers(struct ping_output *out, const struct pinger *p)
{
	char addr[ADDR_STRLEN], src[ADDR_STRLEN] = "";
	size_t datalen = out->o->datalen;

	out->p = p;
	out->several = p->nhosts > 1;
	if (globals.json)
		return 0;
	if (out->o->source != NULL)
		addr_format(out->o->source, src, sizeof(src));
	for (size_t i = 0; i < p->nhosts; i++) {
		const struct ping_host *h = &p->hosts[i];
		int v6 = h->family == AF_INET6;
		text(out, v6 ? "PING %s(%s) " : "PING %s (%s) ", display(&out->hosts[i]),
		    ping_host_address(h, addr, sizeof(addr)));
		if (out->o->source == NULL && out->o->tun.device != NULL)
			source_address(p, h, src, sizeof(src));
		if (out->o->source != NULL || out->o->tun.device != NULL)
			text(out, "from %s %s: ", src,
			    out->o->tun.device ? out->o->tun.device : "");
		if (v6)
			text(out, "%zu data bytes\n", datalen);
		else
			text(out, "%zu(%zu) bytes of data.\n", datalen, datalen + 8 + 20);
		if (flush_text(out, &out->hosts[i]) == -1)
			return -1;
	}
	return 0;
}

/* iputils' dump of a damaged payload: 32 bytes a line, from the timestamp's end on. */
static void
text_damage(struct ping_output *out, const struct ping_event *ev)
{
	size_t datalen = out->o->datalen, n = ev->datalen < datalen ? ev->datalen : datalen;
	size_t start = datalen >= ICMP_TIMESTAMP_LEN && ev->damage.first >= ICMP_TIMESTAMP_LEN
			   ? ICMP_TIMESTAMP_LEN
			   : 0;

	text(out, "\nwrong data byte #%zu should be 0x%x but was 0x%x", ev->damage.first,
	    ev->damage.expected, ev->damage.got);
	for (size_t i = start; i < n; i++) {
		if ((i - start) % 32 == 0)
			text(out, "\n#%zu\t", i);
		text(out, "%x ", ev->data[i]);
	}
}

static int
text_reply(struct ping_output *out, struct ping_output_host *oh, const struct ping_event *ev)
{
	char rtt[32];

	text(out, "%zu bytes from %s: icmp_seq=%u", ev->bytes, sender(oh, ev->from, ev->fromlen),
	    ev->seq);
	if (ev->ttl >= 0)
		text(out, " ttl=%d", ev->ttl);
	if (ev->truncated) {
		text(out, " (truncated)\n");
		return flush_text(out, oh);
	}
	ping_format_rtt(ev->rtt, rtt, sizeof(rtt));
	text(out, " time=%s ms", rtt);
	if (ev->dup)
		text(out, " (DUP!)");
	if (ev->late)
		text(out, " (late)");
	if (ev->corrupted)
		text(out, " (BAD CHECKSUM!)");
	if (ev->different_address)
		text(out, " (DIFFERENT ADDRESS!)");
	if (ev->damage.count > 0)
		text_damage(out, ev);
	text(out, "\n");
	return flush_text(out, oh);
}

static int
on_error(struct ping_output *out, struct ping_output_host *oh, const struct ping_event *ev)
{
	char msg[128], from[ADDR_STRLEN];
	struct json j;

	icmp_error_text(ev->host->family, ev->icmp_type, ev->icmp_code, ev->info, msg, sizeof(msg));
	if (!globals.json) {
		if (globals.quiet)
			return 0;
		text(out, "From %s icmp_seq=%u %s\n", sender(oh, ev->from, ev->fromlen), ev->seq,
		    msg);
		return flush_text(out, oh);
	}
	ping_json_head(&j, "error", oh, ev->host);
	json_int(&j, "seq", ev->seq);
	json_string(&j, "from", addr_format(ev->from, from, sizeof(from)));
	json_int(&j, "icmp_type", ev->icmp_type);
	json_int(&j, "icmp_code", ev->icmp_code);
	json_string(&j, "message", msg);
	return ping_json_write(out, &j);
}

static int
on_send_error(struct ping_output *out, struct ping_output_host *oh, const struct ping_event *ev)
{
	char addr[ADDR_STRLEN];
	struct json j;

	report_errno(ev->err, "send to %s icmp_seq=%u",
	    ping_host_address(ev->host, addr, sizeof(addr)), ev->seq);
	if (!oh->hinted) {
		oh->hinted = 1;
		if (ev->err == EMSGSIZE)
			report_hint("the request is larger than the path allows; use a smaller -s");
		else
			hint_unreachable(ev->err, (const struct sockaddr *)&ev->host->addr, NULL);
	}
	if (!globals.json)
		return 0;
	ping_json_head(&j, "error", oh, ev->host);
	json_int(&j, "seq", ev->seq);
	json_string(&j, "errno", errno_name(ev->err));
	json_string(&j, "message", strerror(ev->err));
	return ping_json_write(out, &j);
}

static int
on_loss(struct ping_output *out, struct ping_output_host *oh, const struct ping_event *ev)
{
	char timeout[32];
	struct json j;

	duration_format(out->o->timeout, timeout, sizeof(timeout));
	report_verbose(1, "%s: icmp_seq=%u: no reply within %s", oh->arg, ev->seq, timeout);
	if (!globals.json)
		return 0;
	ping_json_head(&j, "loss", oh, ev->host);
	json_int(&j, "seq", ev->seq);
	return ping_json_write(out, &j);
}

static int
on_ignored(const struct ping_event *ev)
{
	char from[ADDR_STRLEN] = "?";

	if (ev->from != NULL)
		addr_format(ev->from, from, sizeof(from));
	if (ev->truncated) {
		report_error("a packet of more than %zu bytes from %s was %s", ev->bytes, from,
		    ev->why);
		return 0;
	}
	report_verbose(2, "ignored a packet from %s: %s", from, ev->why);
	return 0;
}

int
ping_output_event(const struct ping_event *ev, void *arg)
{
	struct ping_output *out = arg;
	struct ping_output_host *oh = ev->host != NULL ? host_of(out, ev->host) : NULL;

	switch (ev->type) {
	case PING_EVENT_REPLY:
		if (globals.json)
			return ping_json_reply(out, oh, ev);
		return globals.quiet ? 0 : text_reply(out, oh, ev);
	case PING_EVENT_ERROR: return on_error(out, oh, ev);
	case PING_EVENT_SEND_ERROR: return on_send_error(out, oh, ev);
	case PING_EVENT_LOSS: return on_loss(out, oh, ev);
	case PING_EVENT_IGNORED: return on_ignored(ev);
	}
	return 0;
}

static void
text_rtt_line(struct ping_output *out, const struct ping_stats *s)
{
	long long min, avg, max, mdev;
	const char *comma = "";

	if (s->received > 0) {
		ping_stats_rtt(s, &min, &avg, &max, &mdev);
		text(out,
		    "rtt min/avg/max/mdev = %lld.%03lld/%lld.%03lld/%lld.%03lld/%lld.%03lld ms",
		    min / 1000, min % 1000, avg / 1000, avg % 1000, max / 1000, max % 1000,
		    mdev / 1000, mdev % 1000);
		comma = ", ";
	}
	if (s->pipe > 1)
		text(out, "%spipe %d", comma, s->pipe);
	text(out, "\n");
}

/* The summary as iputils ping writes it, blank line first and last line possibly empty. */
static int
text_summary(struct ping_output *out, struct ping_output_host *oh, const struct ping_stats *s,
    double loss, long long ms)
{
	text(out, "\n--- %s ping statistics ---\n", display(oh));
	text(out, "%lld packets transmitted, %lld received", s->transmitted, s->received);
	if (s->duplicates)
		text(out, ", +%lld duplicates", s->duplicates);
	if (s->corrupted)
		text(out, ", +%lld corrupted", s->corrupted);
	if (s->errors)
		text(out, ", +%lld errors", s->errors);
	if (s->transmitted)
		text(out, ", %g%% packet loss, time %lldms", loss, ms);
	text(out, "\n");
	text_rtt_line(out, s);
	return flush_text(out, oh);
}

int
ping_output_summaries(struct ping_output *out, const struct pinger *p)
{
	int status = EXIT_OK;

	for (size_t i = 0; i < p->nhosts; i++) {
		const struct ping_host *h = &p->hosts[i];
		const struct ping_stats *s = &h->stats;
		/* ping's figure, float included, so that both print the same. */
		double loss = s->transmitted ? (float)((double)(s->transmitted - s->received) *
						       100.0 / (double)s->transmitted)
					     : 0;
		long long ms = (s->last_send - s->first_send + 500) / 1000;
		int w = globals.json ? ping_json_summary(out, &out->hosts[i], h, loss, ms)
				     : text_summary(out, &out->hosts[i], s, loss, ms);
		if (w == -1)
			break;
		if (s->received == 0) {
			status = EXIT_NETWORK;
			/* Silence, not an error message: where the kernel sent the requests,
			 * and a trace for where they stop. An ICMP error's line names its
			 * sender already, as ping's does. */
			if (s->errors == 0 && s->transmitted > 0) {
				hint_route((const struct sockaddr *)&h->addr);
				hint_trace((const struct sockaddr *)&h->addr, SOCK_RAW);
			}
		}
	}
	return out->write_err != 0 ? EXIT_LOCAL : status;
}
