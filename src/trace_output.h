/* trace_output.h: what trace prints: traceroute's hop lines and a last line, or NDJSON. */
#ifndef SOCKT_TRACE_OUTPUT_H
#define SOCKT_TRACE_OUTPUT_H

#include <sys/socket.h>
#include <stdio.h>

#include "trace.h"
#include "trace_names.h"

/* How a trace ended, for the last line and the exit status. */
enum trace_end {
	TRACE_END_REACHED, /* the destination answered: open, closed, echo reply */
	TRACE_END_REJECTED, /* an unreachable mark ended it */
	TRACE_END_FILTERED, /* hops answered, then silence to the maximum */
	TRACE_END_SILENT, /* no hop answered at all */
	TRACE_END_MAX_HOPS, /* hops answered up to the maximum */
	TRACE_END_SEND_FAILED, /* a probe could not be sent: err */
	TRACE_END_STOPPED, /* interrupted before the end */
};

struct trace_output {
	const struct trace *t;
	struct trace_names names;
	int numeric, json;
	int closed; /* stdout is gone: nothing more is written */
	FILE *f; /* the text being written, in memory */
	char *text;
	size_t textlen;
	int write_err;
	/* What the hops have shown so far. */
	const struct trace_probe *final; /* the answer that ended it, if any */
	int final_ttl;
	struct trace_probe last_heard; /* the last hop that answered */
	int last_heard_ttl;
	int last_ttl; /* the last hop handed on */
	uint32_t last_mtu;
	int mtu_hop; /* --mtu: the hop whose answer lowered the MTU, its address */
	struct sockaddr_storage mtu_from;
	int black_hole_ttl;
	uint32_t black_hole_size;
};

void trace_output_init(struct trace_output *, const struct trace *, int numeric, int json);
void trace_output_free(struct trace_output *);
/* The trace's on_address and on_hop: names looked up early, hops printed in order. */
void trace_output_address(const struct sockaddr *, void *out);
int trace_output_hop(const struct trace_hop *, void *out);
/* The last line (or summary object); returns how the trace ended. */
enum trace_end trace_output_end(struct trace_output *, int stopped);

#endif
