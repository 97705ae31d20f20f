/*
 * trace_output.c: trace's words. A hop line has traceroute's shape
 * (" 3  fd79::1  0.412 ms  0.398 ms  0.401 ms", "*" for silence, marks
 * after the time); --json gives one object per hop and a summary.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "icmp.h"
#include "io.h"
#include "json.h"
#include "report.h"
#include "trace_answer.h"
#include "trace_output.h"

void
trace_output_init(struct trace_output *out, const struct trace *t, int numeric, int json)
{
	memset(out, 0, sizeof(*out));
	out->t = t;
	out->numeric = numeric;
	out->json = json;
	/* A name that takes longer than a probe's wait is not worth holding the line for. */
	trace_names_init(&out->names, t->opt.wait);
}

void
trace_output_free(struct trace_output *out)
{
	trace_names_free(&out->names);
}

void
trace_output_address(const struct sockaddr *sa, void *arg)
{
	struct trace_output *out = arg;

	if (!out->numeric)
		trace_names_request(&out->names, sa);
}

static const char *
name_of(struct trace_output *out, const struct sockaddr *sa)
{
	return out->numeric ? NULL : trace_names_get(&out->names, sa);
}

/* Only the probes that answered as a hop or host carry a time. */
static int
answered(const struct trace_probe *p)
{
	return p->answer != TRACE_SILENT && p->answer != TRACE_SEND_FAILED &&
	       p->answer != TRACE_PENDING;
}

static void
put_address(struct trace_output *out, FILE *f, const struct sockaddr *sa)
{
	char a[ADDR_STRLEN];
	const char *name = name_of(out, sa);

	addr_format(sa, a, sizeof(a));
	if (name != NULL)
		fprintf(f, " %s (%s)", name, a);
	else
		fprintf(f, " %s", a);
}

static void
text_hop(struct trace_output *out, const struct trace_hop *h)
{
	const struct sockaddr *shown = NULL;

	fprintf(out->f, "%2d ", h->ttl);
	for (int i = 0; i < h->nprobes; i++) {
		const struct trace_probe *p = &h->probe[i];
		if (!answered(p)) {
			fprintf(out->f, " *");
			continue;
		}
		/* As traceroute: the address again only where it changes within the hop. */
		if (shown == NULL || !addr_same_host(shown, (const struct sockaddr *)&p->from)) {
			shown = (const struct sockaddr *)&p->from;
			put_address(out, out->f, shown);
		}
		fprintf(out->f, "  %.3f ms", (double)p->rtt / 1000.0);
		if (p->answer == TRACE_UNREACHABLE)
			fprintf(out->f, " %s", trace_mark(p->icmp6, p->type, p->code));
	}
	if (h->mtu != 0 && h->mtu != out->last_mtu)
		fprintf(out->f, "  pmtu %u", (unsigned)h->mtu);
	if (h->black_hole && out->black_hole_ttl == 0)
		fprintf(out->f, "  (black hole: %u-byte probes vanish)", (unsigned)out->last_mtu);
	fprintf(out->f, "\n");
}

static void
json_probe(struct trace_output *out, struct json *j, const struct trace_probe *p)
{
	char a[ADDR_STRLEN];
	const char *name;

	json_object_begin(j);
	if (answered(p)) {
		addr_format((const struct sockaddr *)&p->from, a, sizeof(a));
		json_string(j, "address", a);
		if ((name = name_of(out, (const struct sockaddr *)&p->from)) != NULL)
			json_string(j, "name", name);
		json_double(j, "ms", (double)p->rtt / 1000.0, 3);
		if (p->answer == TRACE_UNREACHABLE)
			json_string(j, "mark", trace_mark(p->icmp6, p->type, p->code));
	} else
		json_null(j, "address");
	json_object_end(j);
}

static int
json_hop(struct trace_output *out, const struct trace_hop *h)
{
	struct json j;
	int r;

	json_init(&j);
	json_object_begin(&j);
	json_string(&j, "type", "hop");
	json_int(&j, "hop", h->ttl);
	json_array_begin(&j, "probes");
	for (int i = 0; i < h->nprobes; i++)
		json_probe(out, &j, &h->probe[i]);
	json_array_end(&j);
	if (h->mtu != 0)
		json_int(&j, "pmtu", h->mtu);
	if (h->black_hole)
		json_bool(&j, "black_hole", 1);
	json_object_end(&j);
	r = json_write(&j);
	json_free(&j);
	return r;
}

/* Keeps what the last line will need: the final answer, the last hop heard. */
static void
note_hop(struct trace_output *out, const struct trace_hop *h)
{
	for (int i = 0; i < h->nprobes; i++) {
		const struct trace_probe *p = &h->probe[i];
		if (answered(p)) {
			out->last_heard = *p;
			out->last_heard_ttl = h->ttl;
		}
		if (out->final == NULL &&
		    (trace_answer_final(p->answer) || p->answer == TRACE_SEND_FAILED)) {
			out->final = p;
			out->final_ttl = h->ttl;
		}
	}
	if (h->black_hole && out->black_hole_ttl == 0) {
		out->black_hole_ttl = h->ttl;
		out->black_hole_size = out->last_mtu;
	}
	if (h->mtu_from_ttl != 0 && h->mtu != 0 && h->mtu < out->last_mtu && out->last_mtu != 0) {
		out->mtu_hop = h->mtu_from_ttl;
		memcpy(&out->mtu_from, &h->mtu_from, sizeof(out->mtu_from));
	}
	if (h->mtu != 0)
		out->last_mtu = h->mtu;
	out->last_ttl = h->ttl;
}

/* Text is built in memory and written whole, as JSON is: one write(2), one place for errors. */
static int
text_begin(struct trace_output *out)
{
	out->text = NULL;
	out->textlen = 0;
	return (out->f = open_memstream(&out->text, &out->textlen)) == NULL ? -1 : 0;
}

static int
text_write(struct trace_output *out)
{
	int r = fclose(out->f) == 0 ? io_write_all(STDOUT_FILENO, out->text, out->textlen) : -1;

	out->f = NULL;
	free(out->text);
	out->text = NULL;
	return r;
}

/* A failed write ends the output: said once, unless the reader just went away (EPIPE). */
static int
written(struct trace_output *out, int r)
{
	if (r == 0)
		return 0;
	out->closed = 1;
	if (errno != EPIPE) {
		out->write_err = errno;
		report_errno(errno, "write to stdout");
	}
	return -1;
}

static int
never_sent(const struct trace_hop *h)
{
	for (int i = 0; i < h->nprobes; i++)
		if (h->probe[i].answer != TRACE_SEND_FAILED)
			return 0;
	return 1;
}

int
trace_output_hop(const struct trace_hop *h, void *arg)
{
	struct trace_output *out = arg;
	int r = 0;

	if (out->closed)
		return -1;
	if (never_sent(h)) {
		/* Nothing went out: the error line says why, not a row of stars. */
		note_hop(out, h);
		return 0;
	}
	if (out->json)
		r = json_hop(out, h);
	else if ((r = text_begin(out)) == 0) {
		text_hop(out, h);
		r = text_write(out);
	}
	note_hop(out, h);
	return written(out, r);
}

static const char *
proto_name(const struct trace *t)
{
	return t->opt.kind == TRACE_TCP ? "tcp" : t->opt.kind == TRACE_ICMP ? "icmp" : "udp";
}

/* How the trace ended, from what the hops showed. */
static enum trace_end
ending(const struct trace_output *out, int stopped)
{
	if (out->final != NULL) {
		if (out->final->answer == TRACE_SEND_FAILED)
			return TRACE_END_SEND_FAILED;
		if (out->final->answer == TRACE_UNREACHABLE)
			return TRACE_END_REJECTED;
		return TRACE_END_REACHED;
	}
	if (stopped || out->last_ttl < out->t->opt.max_ttl)
		return TRACE_END_STOPPED;
	if (out->last_heard_ttl == 0)
		return TRACE_END_SILENT;
	if (out->last_heard_ttl < out->last_ttl)
		return TRACE_END_FILTERED;
	return TRACE_END_MAX_HOPS;
}

/* "reached fd80::2, port closed (RST) at hop 4, 1.2 ms" and the other endings that reach it. */
static void
text_reached(struct trace_output *out, const char *dest, const char *rtt)
{
	const struct trace *t = out->t;
	const struct trace_probe *p = out->final;

	if (p->answer == TRACE_PORT_OPEN)
		fprintf(out->f, "port %u (%s) open at hop %d, %s ms\n", (unsigned)t->opt.port,
		    proto_name(t), out->final_ttl, rtt);
	else if (p->answer == TRACE_PORT_CLOSED && t->opt.port != 0)
		fprintf(out->f, "reached %s, port closed (%s) at hop %d, %s ms\n", dest,
		    t->opt.kind == TRACE_TCP && !p->type ? "RST" : "ICMP port unreachable",
		    out->final_ttl, rtt);
	else
		fprintf(out->f, "reached %s at hop %d, %s ms\n", dest, out->final_ttl, rtt);
}

static void
text_rejected(struct trace_output *out, const char *rtt)
{
	const struct trace_probe *p = out->final;
	char from[ADDR_STRLEN], why[128];

	addr_format((const struct sockaddr *)&p->from, from, sizeof(from));
	icmp_error_text(p->icmp6 ? AF_INET6 : AF_INET, p->type, p->code, 0, why, sizeof(why));
	fprintf(out->f, "hop %d (%s) rejects: %s (%s), %s ms\n", out->final_ttl, from, why,
	    trace_mark(p->icmp6, p->type, p->code), rtt);
}

static void
text_mtu(struct trace_output *out)
{
	char from[ADDR_STRLEN];
	int hop;

	if (!out->t->opt.mtu || out->last_mtu == 0)
		return;
	if (out->mtu_hop != 0) {
		addr_format((const struct sockaddr *)&out->mtu_from, from, sizeof(from));
		hop = trace_hop_of(out->t, (const struct sockaddr *)&out->mtu_from);
		if (hop != 0)
			fprintf(out->f, "path MTU %u: lowered at hop %d (%s)\n",
			    (unsigned)out->last_mtu, hop, from);
		else
			fprintf(out->f, "path MTU %u: lowered by %s\n", (unsigned)out->last_mtu,
			    from);
	} else if (out->black_hole_ttl != 0)
		fprintf(out->f, "path MTU %u or more: a black hole hides the exact size\n",
		    (unsigned)out->last_mtu);
	else
		fprintf(out->f, "path MTU %u\n", (unsigned)out->last_mtu);
	if (out->black_hole_ttl != 0)
		fprintf(out->f,
		    "MTU black hole before hop %d: %u-byte probes vanish without an ICMP error, "
		    "%u-byte ones pass\n",
		    out->black_hole_ttl, (unsigned)out->black_hole_size, (unsigned)out->last_mtu);
}

static void
text_end(struct trace_output *out, enum trace_end end)
{
	char dest[ADDR_STRLEN], heard[ADDR_STRLEN], rtt[32] = "";

	addr_format((const struct sockaddr *)&out->t->dest, dest, sizeof(dest));
	addr_format((const struct sockaddr *)&out->last_heard.from, heard, sizeof(heard));
	if (out->final != NULL)
		snprintf(rtt, sizeof(rtt), "%.3f", (double)out->final->rtt / 1000.0);
	text_mtu(out);
	switch (end) {
	case TRACE_END_REACHED: text_reached(out, dest, rtt); break;
	case TRACE_END_REJECTED: text_rejected(out, rtt); break;
	case TRACE_END_FILTERED:
		fprintf(out->f, "no answer past hop %d (%s): filtered here\n", out->last_heard_ttl,
		    heard);
		break;
	case TRACE_END_SILENT:
		fprintf(out->f,
		    "no hop answered in %d: filtered at the first hop or on this machine\n",
		    out->last_ttl);
		break;
	case TRACE_END_MAX_HOPS:
		fprintf(out->f, "%s not reached in %d hops\n", dest, out->last_ttl);
		break;
	case TRACE_END_SEND_FAILED:
	case TRACE_END_STOPPED: break;
	}
}

static const char *
end_name(const struct trace_output *out, enum trace_end end)
{
	switch (end) {
	case TRACE_END_REACHED:
		if (out->final->answer == TRACE_PORT_OPEN)
			return "open";
		if (out->final->answer == TRACE_PORT_CLOSED && out->t->opt.port != 0)
			return "closed";
		return "reached";
	case TRACE_END_REJECTED: return "rejected";
	case TRACE_END_FILTERED: return "filtered";
	case TRACE_END_SILENT: return "silent";
	case TRACE_END_MAX_HOPS: return "max_hops";
	case TRACE_END_SEND_FAILED: return "send_failed";
	case TRACE_END_STOPPED: break;
	}
	return "stopped";
}

static int
json_end(struct trace_output *out, enum trace_end end)
{
	const struct trace *t = out->t;
	char a[ADDR_STRLEN];
	struct json j;
	int r;

	json_init(&j);
	json_object_begin(&j);
	json_string(&j, "type", "summary");
	json_string(&j, "destination",
	    addr_format((const struct sockaddr *)&t->dest, a, sizeof(a)));
	json_string(&j, "protocol", proto_name(t));
	if (t->opt.port != 0)
		json_int(&j, "port", t->opt.port);
	json_bool(&j, "reached", end == TRACE_END_REACHED);
	json_string(&j, "result", end_name(out, end));
	json_int(&j, "hops", out->last_ttl);
	if (out->final != NULL && out->final->answer != TRACE_SEND_FAILED) {
		json_int(&j, "hop", out->final_ttl);
		json_double(&j, "ms", (double)out->final->rtt / 1000.0, 3);
		if (out->final->answer == TRACE_UNREACHABLE)
			json_string(&j, "mark",
			    trace_mark(out->final->icmp6, out->final->type, out->final->code));
	}
	if (out->last_heard_ttl != 0) {
		json_int(&j, "last_hop", out->last_heard_ttl);
		addr_format((const struct sockaddr *)&out->last_heard.from, a, sizeof(a));
		json_string(&j, "last_address", a);
	}
	if (t->opt.mtu && out->last_mtu != 0) {
		json_int(&j, "pmtu", out->last_mtu);
		if (out->mtu_hop != 0)
			json_int(&j, "pmtu_hop",
			    trace_hop_of(t, (const struct sockaddr *)&out->mtu_from));
		if (out->black_hole_ttl != 0)
			json_int(&j, "black_hole_hop", out->black_hole_ttl);
	}
	json_object_end(&j);
	r = json_write(&j);
	json_free(&j);
	return r;
}

enum trace_end
trace_output_end(struct trace_output *out, int stopped)
{
	enum trace_end end = ending(out, stopped);

	if (out->closed)
		return end;
	if (out->json)
		written(out, json_end(out, end));
	else if (text_begin(out) == 0) {
		text_end(out, end);
		written(out, text_write(out));
	} else
		written(out, -1);
	return end;
}
