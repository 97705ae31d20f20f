/*
 * trace_names.h: reverse names of the hops, looked up in threads as soon as
 * an address answers, so the lookups never hold the probes back.
 */
#ifndef SOCKT_TRACE_NAMES_H
#define SOCKT_TRACE_NAMES_H

#include <sys/socket.h>
#include <stddef.h>
#include <stdint.h>

struct trace_name;

struct trace_names {
	struct trace_name **entry;
	size_t n, cap;
	int64_t patience; /* microseconds a printed hop waits for its name */
};

void trace_names_init(struct trace_names *, int64_t patience);
/* Starts the lookup of an address not seen before; no-op when out of room. */
void trace_names_request(struct trace_names *, const struct sockaddr *);
/*
 * The name of an address, waiting for its lookup at most `patience`;
 * NULL if it has none, or none yet, or was never requested.
 */
const char *trace_names_get(struct trace_names *, const struct sockaddr *);
/* Waits for the lookups still running, and frees everything. */
void trace_names_free(struct trace_names *);

#endif
