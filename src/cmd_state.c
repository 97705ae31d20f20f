/* cmd_state.c: who holds a port: this machine's TCP or UDP sockets, their timers and owners. */
#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "cmd.h"
#include "json.h"
#include "opts.h"
#include "parse.h"
#include "report.h"
#include "sockdiag.h"
#include "state_summary.h"
#include "state_unix.h"
#include "unixsock.h"

enum { OPT_STATE = OPT_LONG, OPT_SUMMARY };

static const struct opt options[] = {
	{ "udp", 'u', no_argument, NULL, "list UDP sockets instead of TCP" },
	{ "state", OPT_STATE, required_argument, "STATE[,STATE]",
	    "only sockets in these states (time-wait, listen, ...); repeatable" },
	{ "summary", OPT_SUMMARY, no_argument, NULL,
	    "a census instead: connections per remote address and port, by state" },
	{ "no-header", 'H', no_argument, NULL, "socket lines only: no header, no summary" },
	{ "unix", 'x', no_argument, NULL,
	    "list Unix domain sockets (PATH: only those bound to it)" },
	{ NULL, 0, 0, NULL, NULL },
};

struct state_options {
	struct sockdiag_filter filter;
	int no_header;
	int summary; /* --summary: state_summary.c's census */
	int unix_sockets; /* -x */
	const char *unix_path; /* -x's PATH or @NAME as printed, or NULL */
	struct unix_addr unix_addr; /* where unix_path is kept */
};

/* Column widths of the text table. */
struct widths {
	size_t state, local, remote, timer;
};

/* One text line, built whole: printf's padding took much of the time of 10,000 lines. */
struct line {
	char buf[512];
	size_t len;
};

static void
put_column(struct line *l, const char *s, size_t n, size_t width, int last)
{
	if (l->len + n + width + 3 >= sizeof(l->buf))
		return;
	memcpy(l->buf + l->len, s, n);
	l->len += n;
	if (last)
		return;
	while (n++ < width + 2)
		l->buf[l->len++] = ' ';
}

static void
owner_text(const struct sockdiag_socket *s, char *buf, size_t len)
{
	if (s->pid != 0)
		snprintf(buf, len, "%d/%s", s->pid, s->process);
	else
		snprintf(buf, len, "-");
}

static void
measure(const struct sockdiag_table *t, int protocol, struct widths *w)
{
	char buf[ADDR_STRLEN + 16];
	size_t n;

	*w = (struct widths){ 5, 5, 6, 5 };
	for (size_t i = 0; i < t->n; i++) {
		const struct sockdiag_socket *s = &t->v[i];
		if ((n = strlen(sockdiag_state_name(protocol, s->state))) > w->state)
			w->state = n;
		if ((n = sockdiag_endpoint_text(s, 0, buf, sizeof(buf))) > w->local)
			w->local = n;
		if ((n = sockdiag_endpoint_text(s, 1, buf, sizeof(buf))) > w->remote)
			w->remote = n;
		if ((n = sockdiag_timer_text(s, buf, sizeof(buf))) > w->timer)
			w->timer = n;
	}
}

/* The columns of one line; owner is NULL without -v. */
struct row {
	const char *state, *owner;
	char local[ADDR_STRLEN + 16], remote[ADDR_STRLEN + 16], timer[64];
	size_t nlocal, nremote, ntimer;
};

static void
print_row(const struct widths *w, const struct row *r)
{
	struct line l = { .len = 0 };

	put_column(&l, r->state, strlen(r->state), w->state, 0);
	put_column(&l, r->local, r->nlocal, w->local, 0);
	put_column(&l, r->remote, r->nremote, w->remote, 0);
	put_column(&l, r->timer, r->ntimer, w->timer, r->owner == NULL);
	if (r->owner != NULL)
		put_column(&l, r->owner, strlen(r->owner), 0, 1);
	l.buf[l.len++] = '\n';
	fwrite(l.buf, 1, l.len, stdout);
}

static void
print_text(const struct sockdiag_socket **order, const struct sockdiag_table *t,
    const struct state_options *o, int owners)
{
	int protocol = o->filter.protocol;
	struct row r = { "STATE", owners ? "OWNER" : NULL, "LOCAL", "REMOTE", "TIMER", 5, 6, 5 };
	char owner[96];
	struct widths w;

	measure(t, protocol, &w);
	if (!o->no_header)
		print_row(&w, &r);
	for (size_t i = 0; i < t->n; i++) {
		const struct sockdiag_socket *s = order[i];
		r.state = sockdiag_state_name(protocol, s->state);
		r.nlocal = sockdiag_endpoint_text(s, 0, r.local, sizeof(r.local));
		r.nremote = sockdiag_endpoint_text(s, 1, r.remote, sizeof(r.remote));
		r.ntimer = sockdiag_timer_text(s, r.timer, sizeof(r.timer));
		if (owners) {
			owner_text(s, owner, sizeof(owner));
			r.owner = owner;
		}
		print_row(&w, &r);
	}
}

static void
count_states(const struct sockdiag_table *t, size_t counts[SOCKDIAG_STATE_MAX])
{
	memset(counts, 0, sizeof(size_t) * SOCKDIAG_STATE_MAX);
	for (size_t i = 0; i < t->n; i++)
		if (t->v[i].state < SOCKDIAG_STATE_MAX)
			counts[t->v[i].state]++;
}

/* "4 TCP sockets on port 4096: 1 LISTEN, 3 TIME_WAIT" */
static void
print_summary(const struct sockdiag_table *t, const struct state_options *o)
{
	size_t counts[SOCKDIAG_STATE_MAX];
	char states[512], port[32] = "";
	int protocol = o->filter.protocol;

	count_states(t, counts);
	sockdiag_states_text(counts, protocol, states, sizeof(states));
	if (o->filter.port != -1)
		snprintf(port, sizeof(port), " on port %d", o->filter.port);
	printf("%s%zu %s socket%s%s%s%s\n", o->no_header ? "" : "\n", t->n,
	    protocol == IPPROTO_UDP ? "UDP" : "TCP", t->n == 1 ? "" : "s", port, t->n ? ": " : "",
	    states);
}

static const char *
source_name(const struct sockdiag_table *t)
{
	return t->source == SOCKDIAG_SOURCE_NETLINK ? "netlink" : "proc";
}

static int
json_socket(const struct sockdiag_socket *s, int owners)
{
	struct json j;
	int rc;

	json_init(&j);
	sockdiag_json(&j, s, owners);
	rc = json_write(&j);
	json_free(&j);
	return rc;
}

static int
json_summary(const struct sockdiag_table *t, const struct state_options *o)
{
	size_t counts[SOCKDIAG_STATE_MAX];
	int protocol = o->filter.protocol, rc;
	struct json j;

	count_states(t, counts);
	json_init(&j);
	json_object_begin(&j);
	json_string(&j, "type", "summary");
	json_string(&j, "protocol", protocol == IPPROTO_UDP ? "udp" : "tcp");
	if (o->filter.port != -1)
		json_int(&j, "port", o->filter.port);
	else
		json_null(&j, "port");
	json_string(&j, "source", source_name(t));
	json_int(&j, "total", (long long)t->n);
	json_array_begin(&j, "states");
	for (int st = 1; st < SOCKDIAG_STATE_MAX; st++) {
		if (counts[st] == 0)
			continue;
		json_object_begin(&j);
		json_string(&j, "state", sockdiag_state_name(protocol, st));
		json_int(&j, "count", (long long)counts[st]);
		json_object_end(&j);
	}
	json_array_end(&j);
	json_object_end(&j);
	rc = json_write(&j);
	json_free(&j);
	return rc;
}

static int
print_json(const struct sockdiag_socket **order, const struct sockdiag_table *t,
    const struct state_options *o, int owners)
{
	for (size_t i = 0; i < t->n; i++)
		if (json_socket(order[i], owners) == -1)
			return -1;
	return o->no_header ? 0 : json_summary(t, o);
}

/* -v: where the table came from, and what could not be seen. */
static void
say_source(const struct sockdiag_table *t, const struct state_options *o)
{
	const char *files =
	    o->filter.protocol == IPPROTO_UDP ? "/proc/net/udp and udp6" : "/proc/net/tcp and tcp6";

	if (t->source == SOCKDIAG_SOURCE_NETLINK)
		report_verbose(1, "source: netlink (NETLINK_SOCK_DIAG)%s%s%s",
		    o->filter.states != 0 || t->kernel_port_filter ? ", filtered in the kernel by "
								   : "",
		    o->filter.states != 0 ? (t->kernel_port_filter ? "state and " : "state") : "",
		    t->kernel_port_filter ? "port" : "");
	else if (t->forced)
		report_verbose(1, "source: %s (SOCKT_SOCKDIAG=proc)", files);
	else
		report_verbose(1, "source: %s (netlink: %s [%s, errno %d])", files,
		    strerror(t->netlink_err), errno_name(t->netlink_err), t->netlink_err);
	if (t->skipped != 0)
		report_verbose(1, "%zu malformed %s%s ignored", t->skipped,
		    t->source == SOCKDIAG_SOURCE_NETLINK ? "message" : "line",
		    t->skipped == 1 ? "" : "s");
}

static void
find_owners(struct sockdiag_table *t)
{
	int hidden = sockdiag_find_owners(t);

	if (hidden == -1)
		report_errno(errno, "read /proc to find the owners");
	else if (hidden > 0)
		report_verbose(1,
		    "owners: %d process%s could not be looked into (as root every owner "
		    "shows)",
		    hidden, hidden == 1 ? "" : "es");
}

static void
add_states(const struct command *cmd, const char *arg, int protocol, uint32_t *states)
{
	char *copy = strdup(arg), *word, *rest;
	int st;

	if (copy == NULL) {
		report_errno(ENOMEM, "parse options");
		exit(EXIT_LOCAL);
	}
	for (rest = copy; (word = strsep(&rest, ",")) != NULL;) {
		if ((st = sockdiag_state_from_name(protocol, word)) == -1)
			opt_usage_error(cmd,
			    "invalid state '%s': must be one of established, syn-sent, "
			    "syn-recv, fin-wait-1, fin-wait-2, time-wait, close, close-wait, "
			    "last-ack, "
			    "listen, closing (UDP: unconnected, connected)",
			    word);
		/* TCP's names parse for UDP too (its states borrow their numbers), yet only
		 * these two ever match: an empty list must not pass for an answer. */
		if (protocol == IPPROTO_UDP && st != SOCKDIAG_CLOSE && st != SOCKDIAG_ESTABLISHED)
			opt_usage_error(cmd,
			    "invalid state '%s' with -u: UDP has no %s state; a UDP socket is "
			    "unconnected (bound, as a server's is) or connected",
			    word, word);
		*states |= UINT32_C(1) << st;
	}
	free(copy);
}

/* -x [PATH]: the path checked as -U checks it, then printed as the table prints paths. */
static void
parse_unix_args(const struct command *cmd, int argc, char **argv, struct state_options *o,
    size_t nstates)
{
	if (o->filter.protocol == IPPROTO_UDP || nstates > 0)
		opt_usage_error(cmd, "-x takes neither -u nor --state");
	if (o->summary)
		opt_usage_error(cmd, "-x takes no --summary: Unix sockets have no remote port");
	if (argc > 1)
		opt_usage_error(cmd, "too many arguments: one PATH at most");
	if (argc == 1) {
		unix_operand(cmd, argc, argv, &o->unix_addr);
		o->unix_path = o->unix_addr.text;
	}
}

static void
parse_args(const struct command *cmd, int argc, char **argv, struct state_options *o)
{
	struct opt_parser p;
	const char *state_args[16];
	size_t nstates = 0;
	int ch;

	o->filter = (struct sockdiag_filter){ IPPROTO_TCP, AF_UNSPEC, 0, -1 };
	opt_begin(&p, cmd, argc, argv);
	while ((ch = opt_next(&p)) != -1) {
		switch (ch) {
		case 'u': o->filter.protocol = IPPROTO_UDP; break;
		case 'H': o->no_header = 1; break;
		case OPT_SUMMARY: o->summary = 1; break;
		case 'x': o->unix_sockets = 1; break;
		case OPT_STATE:
			if (nstates == sizeof(state_args) / sizeof(state_args[0]))
				opt_usage_error(cmd,
				    "too many --state options: list states with commas");
			state_args[nstates++] = p.arg;
			break;
		}
	}
	opt_end(&p);
	if (o->unix_sockets) {
		parse_unix_args(cmd, argc - p.optind, argv + p.optind, o, nstates);
		return;
	}
	/* After all options, so that -u decides which names --state knows. */
	for (size_t i = 0; i < nstates; i++)
		add_states(cmd, state_args[i], o->filter.protocol, &o->filter.states);
	o->filter.family = globals.family;
	argc -= p.optind;
	argv += p.optind;
	if (argc > 1)
		opt_usage_error(cmd, "too many arguments: one PORT at most");
	if (argc == 1) {
		const char *proto = o->filter.protocol == IPPROTO_UDP ? "udp" : "tcp";
		o->filter.port = opt_port_operand(cmd, argv[0], proto, 1);
	}
}

static int
run(const struct command *cmd, int argc, char **argv)
{
	struct state_options o = { 0 };
	struct sockdiag_table t;
	const struct sockdiag_socket **order;
	int owners = globals.verbose > 0, rc;

	parse_args(cmd, argc, argv, &o);
	if (o.unix_sockets)
		return state_unix_run(o.unix_path, o.no_header);
	if (sockdiag_list(&o.filter, &t) == -1) {
		rc = sockdiag_list_failed(t.bad_mode, t.netlink_err, t.forced, errno,
		    "socket table", "/proc/net");
		sockdiag_table_free(&t);
		return rc;
	}
	say_source(&t, &o);
	if (owners)
		find_owners(&t);
	if ((order = sockdiag_sorted(&t)) == NULL) {
		report_errno(errno, "sort the sockets");
		sockdiag_table_free(&t);
		return EXIT_LOCAL;
	}
	if (o.summary)
		rc = state_summary_print(&t, o.filter.protocol, o.no_header, globals.json);
	else if (globals.json)
		rc = print_json(order, &t, &o, owners);
	else {
		print_text(order, &t, &o, owners);
		if (!o.no_header)
			print_summary(&t, &o);
		rc = 0;
	}
	if (rc == -1 && errno != EPIPE) {
		report_errno(errno, "write to stdout");
		rc = EXIT_LOCAL;
	} else
		rc = EXIT_OK;
	free(order);
	sockdiag_table_free(&t);
	return rc;
}

const struct command cmd_state = {
	"state",
	"list TCP or UDP sockets, their timers and owners",
	"[OPTIONS] [PORT]\n-x [OPTIONS] [PATH]",
	options,
	run,
};
