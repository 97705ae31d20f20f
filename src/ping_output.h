/* ping_output.h: raw-ping's words: iputils ping's lines, prefixed per host, or NDJSON. */
#ifndef SOCKT_PING_OUTPUT_H
#define SOCKT_PING_OUTPUT_H

#include <netdb.h>
#include <stddef.h>

#include "addr.h"
#include "pinger.h"

struct ping_output_host {
	const char *arg; /* HOST as given: the line prefix */
	char *display; /* the canonical name, as ping shows it */
	int numeric; /* an address literal or -n: no reverse lookups */
	int hinted; /* a send error's hint was given */
	char last_addr[ADDR_STRLEN]; /* the last address looked up, and what it gave */
	char last_text[NI_MAXHOST + ADDR_STRLEN + 4];
};

struct ping_output {
	const struct pinger_options *o;
	const struct pinger *p;
	const char *source_arg;
	struct ping_output_host *hosts;
	size_t n;
	int several; /* more than one host: every line starts "HOST: " */
	int closed; /* stdout went away (EPIPE): the run ends quietly */
	int write_err; /* any other write error */
	char *buf; /* the text of one event, then its prefixed lines */
	size_t len, cap;
	char *lines;
	size_t linecap;
};

int ping_output_init(struct ping_output *, size_t n, const struct pinger_options *,
    const char *source_arg);
void ping_output_add_host(struct ping_output *, size_t i, const char *arg, const char *canonical,
    int numeric);
void ping_output_free(struct ping_output *);
/* "PING HOST (ADDRESS) 56(84) bytes of data." per host. -1 if stdout is gone. */
int ping_output_headers(struct ping_output *, const struct pinger *);
/* The pinger's event handler: a line (or object) per reply, error, loss. */
int ping_output_event(const struct ping_event *, void *output);
/* The summaries; returns the exit status (0 every host answered, 1 some did not, 4 no stdout). */
int ping_output_summaries(struct ping_output *, const struct pinger *);

/* Shared by ping_output.c and ping_json.c. */
struct json;
/* Ends and writes an object; -1 once stdout is gone (a failure other than EPIPE is said). */
int ping_json_write(struct ping_output *, struct json *);
/* Starts an object: its type, host and address. */
void ping_json_head(struct json *, const char *type, const struct ping_output_host *,
    const struct ping_host *);
int ping_json_reply(struct ping_output *, struct ping_output_host *, const struct ping_event *);
int ping_json_summary(struct ping_output *, struct ping_output_host *, const struct ping_host *,
    double loss, long long ms);
const char *ping_host_address(const struct ping_host *, char *buf, size_t len);

#endif
