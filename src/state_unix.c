/* state_unix.c: state -x: the Unix socket table printed as text or NDJSON (sockt-state(1)). */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "json.h"
#include "report.h"
#include "state_unix.h"
#include "unixdiag.h"

/* Bound sockets by path (a listener before its connections), then unbound ones by inode. */
static int
compare(const void *a, const void *b)
{
	const struct unixdiag_socket *x = a, *y = b;
	int c;

	if ((x->path[0] == '\0') != (y->path[0] == '\0'))
		return x->path[0] == '\0' ? 1 : -1;
	if ((c = strcmp(x->path, y->path)) != 0)
		return c;
	if ((x->state == UNIXDIAG_LISTEN) != (y->state == UNIXDIAG_LISTEN))
		return x->state == UNIXDIAG_LISTEN ? -1 : 1;
	return x->inode < y->inode ? -1 : x->inode > y->inode;
}

/* Keeps the sockets bound to path (as printed: "/run/x.sock", "@name"). */
static void
keep_path(struct unixdiag_table *t, const char *path)
{
	size_t j = 0;

	for (size_t i = 0; i < t->n; i++)
		if (strcmp(t->v[i].path, path) == 0)
			t->v[j++] = t->v[i];
	t->n = j;
}

static void
print_line(const struct unixdiag_socket *s, int owners)
{
	char peer[24] = "-", uid[16] = "-", owner[96] = "";

	if (s->peer != 0)
		snprintf(peer, sizeof(peer), "%" PRIu64, s->peer);
	if (s->has_uid)
		snprintf(uid, sizeof(uid), "%u", s->uid);
	if (owners && s->pid != 0)
		snprintf(owner, sizeof(owner), "%d/%s", s->pid, s->process);
	else if (owners)
		strlcpy(owner, "-", sizeof(owner));
	printf("%-10s %-12s %-10" PRIu64 " %-10s %-6s %s%s%s\n", unixdiag_type_name(s->type),
	    unixdiag_state_name(s->state), s->inode, peer, uid, owner,
	    owners ? (owner[0] ? "  " : "") : "", s->path[0] ? s->path : "-");
}

static void
counts_text(const struct unixdiag_table *t, char *buf, size_t len)
{
	static const int states[] = { UNIXDIAG_LISTEN, UNIXDIAG_CONNECTED, UNIXDIAG_CONNECTING,
		UNIXDIAG_UNCONNECTED };
	size_t used = 0, n;

	buf[0] = '\0';
	for (size_t k = 0; k < sizeof(states) / sizeof(states[0]); k++) {
		n = 0;
		for (size_t i = 0; i < t->n; i++)
			n += t->v[i].state == states[k];
		if (n > 0 && used < len)
			used += (size_t)snprintf(buf + used, len - used, "%s%zu %s",
			    used ? ", " : "", n, unixdiag_state_name(states[k]));
	}
}

static void
print_text(const struct unixdiag_table *t, int no_header, int owners)
{
	char counts[256];

	if (!no_header)
		printf("%-10s %-12s %-10s %-10s %-6s %sPATH\n", "TYPE", "STATE", "INODE", "PEER",
		    "UID", owners ? "OWNER  " : "");
	for (size_t i = 0; i < t->n; i++)
		print_line(&t->v[i], owners);
	if (no_header)
		return;
	counts_text(t, counts, sizeof(counts));
	printf("\n%zu Unix socket%s%s%s\n", t->n, t->n == 1 ? "" : "s", t->n ? ": " : "", counts);
}

static int
write_json(struct json *j)
{
	int rc = json_write(j);

	json_free(j);
	return rc;
}

static int
print_json(const struct unixdiag_table *t, int no_header, int owners)
{
	struct json j;

	for (size_t i = 0; i < t->n; i++) {
		json_init(&j);
		unixdiag_json(&j, &t->v[i], owners);
		if (write_json(&j) == -1)
			return -1;
	}
	if (no_header)
		return 0;
	json_init(&j);
	json_object_begin(&j);
	json_string(&j, "type", "summary");
	json_string(&j, "protocol", "unix");
	json_string(&j, "source", t->source == SOCKDIAG_SOURCE_NETLINK ? "netlink" : "proc");
	json_int(&j, "total", (long long)t->n);
	json_object_end(&j);
	return write_json(&j);
}

/* -v: where the table came from (as state says it for TCP and UDP). */
static void
say_source(const struct unixdiag_table *t)
{
	if (t->source == SOCKDIAG_SOURCE_NETLINK)
		report_verbose(1, "source: netlink (NETLINK_SOCK_DIAG, UNIX_DIAG)");
	else if (t->forced)
		report_verbose(1, "source: /proc/net/unix (SOCKT_SOCKDIAG=proc)");
	else
		report_verbose(1, "source: /proc/net/unix (netlink: %s [%s, errno %d])",
		    strerror(t->netlink_err), errno_name(t->netlink_err), t->netlink_err);
	if (t->skipped != 0)
		report_verbose(1, "%zu malformed %s ignored", t->skipped,
		    t->source == SOCKDIAG_SOURCE_NETLINK ? "messages" : "lines");
}

int
state_unix_run(const char *path, int no_header)
{
	struct unixdiag_table t;
	int owners = globals.verbose > 0, rc, hidden;

	if (unixdiag_list(&t) == -1) {
		rc = sockdiag_list_failed(t.bad_mode, t.netlink_err, t.forced, errno,
		    "Unix socket table", "/proc/net/unix");
		unixdiag_table_free(&t);
		return rc;
	}
	say_source(&t);
	if (path != NULL)
		keep_path(&t, path);
	if (owners && (hidden = unixdiag_find_owners(&t)) == -1)
		report_errno(errno, "read /proc to find the owners");
	else if (owners && hidden > 0)
		report_verbose(1, "owners: %d process%s could not be looked into", hidden,
		    hidden == 1 ? "" : "es");
	/* An empty table may have no array at all, and qsort must not be handed NULL. */
	if (t.n > 1)
		qsort(t.v, t.n, sizeof(*t.v), compare);
	rc = 0;
	if (globals.json)
		rc = print_json(&t, no_header, owners);
	else
		print_text(&t, no_header, owners);
	unixdiag_table_free(&t);
	if (rc == -1 && errno != EPIPE) {
		report_errno(errno, "write to stdout");
		return EXIT_LOCAL;
	}
	return EXIT_OK;
}
