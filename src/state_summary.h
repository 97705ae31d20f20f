/*
 * state_summary.h: state --summary, the census of connections: the sockets per remote address
 * and port, counted by state, the busiest destination first (sockt-state(1)).
 */
#ifndef SOCKT_STATE_SUMMARY_H
#define SOCKT_STATE_SUMMARY_H

#include <stddef.h>

#include "sockdiag.h"

/* One remote address and port, and its sockets by state. */
struct census_dest {
	const struct sockdiag_socket *first; /* one of its sockets: the address and port */
	size_t total;
	size_t states[SOCKDIAG_STATE_MAX];
};

/*
 * Pure: the destinations of the table's connected sockets (those with a
 * remote port), most sockets first, then by address. Returns a new array
 * of *n to free (NULL with *n 0 for none), or NULL with errno ENOMEM.
 */
struct census_dest *state_census(const struct sockdiag_table *, size_t *n);

/*
 * Prints the census as a table (with a header and a closing total unless
 * no_header) or as JSON lines. Returns 0, or -1 with errno from the write.
 */
int state_summary_print(const struct sockdiag_table *, int protocol, int no_header, int json);

#endif
