/* tcping.c: connect -z -c: rounds of scan_run, every -i, with raw-ping's statistics per address. */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "addr.h"
#include "clock.h"
#include "cmd.h"
#include "hint.h"
#include "interrupt.h"
#include "json.h"
#include "parse.h"
#include "pinger.h"
#include "report.h"
#include "tcping.h"

/* One address's figures: open probes count as ping's replies (received, round trips). */
struct probed {
	char text[ADDR_STRLEN];
	struct ping_stats stats;
	long long closed, filtered, errors;
};

struct tcping {
	const struct tcping_options *o;
	const char *host;
	const struct scan_target *targets;
	struct probed *a;
	size_t n;
	long long seq; /* the round under way, 1 for the first */
	uint16_t port;
	int first_error; /* of a local failure (SCAN_ERROR) */
	size_t first_error_target;
	int write_err; /* stdout failed: the run ends */
	int64_t first, last; /* when the first and the last round began */
};

static void
write_probe(struct tcping *t, const struct scan_result *r)
{
	char line[ADDR_STRLEN + 128];
	struct json j;

	if (globals.json) {
		json_init(&j);
		json_object_begin(&j);
		json_string(&j, "type", "probe");
		json_int(&j, "seq", t->seq);
		scan_result_json_fields(&j, t->host, t->a[r->target].text, r);
		json_object_end(&j);
		if (json_write(&j) == -1 && t->write_err == 0)
			t->write_err = errno;
		json_free(&j);
	} else if (!globals.quiet) {
		scan_result_format(r, t->a[r->target].text, t->o->timeout_usec, line, sizeof(line));
		if (printf("seq=%lld %s\n", t->seq, line) < 0 && t->write_err == 0)
			t->write_err = errno;
	}
}

static void
on_probe(const struct scan_result *r, void *ctx)
{
	struct tcping *t = ctx;
	struct probed *a = &t->a[r->target];

	a->stats.transmitted++;
	switch (r->state) {
	case SCAN_OPEN:
		ping_stats_add_rtt(&a->stats, r->rtt_usec);
		a->stats.received++;
		break;
	case SCAN_CLOSED: a->closed++; break;
	case SCAN_FILTERED: a->filtered++; break;
	default:
		a->errors++;
		if (t->first_error == 0) {
			t->first_error = r->err;
			t->first_error_target = r->target;
		}
		break;
	}
	write_probe(t, r);
}

/* Until the clock reads `until`, or SIGINT/SIGTERM; 0, or -1 with errno. */
static int
wait_until(int64_t until, const sigset_t *waitmask)
{
	struct timespec ts;
	int64_t left;

	while (!interrupt_requested && (left = until - clock_now_usec()) > 0) {
		ts.tv_sec = (time_t)(left / 1000000);
		ts.tv_nsec = (long)(left % 1000000) * 1000;
		if (ppoll(NULL, 0, &ts, waitmask) == -1 && errno != EINTR)
			return -1;
	}
	return 0;
}

/*
 * The rounds: each one connects to every address at once and ends when each
 * has its answer (or -w). The next begins -i after this one began, or at once
 * if this one took longer. SIGINT is let in only between rounds, so that no
 * probe is left half counted.
 */
static int
rounds(struct tcping *t, const struct scan_ports *port)
{
	struct scan_options so = { (int)t->n, t->o->timeout_usec, t->o->src, t->o->linger0,
		on_probe, t };
	struct scan_stats st;
	sigset_t waitmask;
	int64_t next;

	interrupt_catch(&waitmask);
	t->first = next = clock_now_usec();
	for (t->seq = 1; t->seq <= t->o->count && t->write_err == 0; t->seq++) {
		if (wait_until(next, &waitmask) == -1) {
			report_errno(errno, "ppoll");
			return EXIT_LOCAL;
		}
		if (interrupt_requested)
			break;
		t->last = clock_now_usec();
		next = t->last + t->o->interval_usec;
		if (scan_run(t->targets, t->n, port, &so, &st) == -1) {
			report_errno(errno, "probe %s port %u", t->host, t->port);
			return EXIT_LOCAL;
		}
		if (!globals.json && fflush(stdout) == EOF && t->write_err == 0)
			t->write_err = errno;
	}
	return EXIT_OK;
}

/* An address's figures as one --json object. */
static void
summary_json(struct tcping *t, const struct probed *a, long long ms)
{
	const struct ping_stats *s = &a->stats;
	struct json j;

	json_init(&j);
	json_object_begin(&j);
	json_string(&j, "type", "summary");
	json_string(&j, "host", t->host);
	json_string(&j, "address", a->text);
	json_int(&j, "port", t->port);
	json_int(&j, "sent", s->transmitted);
	json_int(&j, "open", s->received);
	json_int(&j, "closed", a->closed);
	json_int(&j, "filtered", a->filtered);
	json_int(&j, "errors", a->errors);
	json_double(&j, "loss_percent", ping_stats_loss(s), 3);
	json_int(&j, "time_ms", ms);
	ping_stats_rtt_json(&j, s);
	json_object_end(&j);
	if (json_write(&j) == -1 && t->write_err == 0)
		t->write_err = errno;
	json_free(&j);
}

/* ping's three lines: the banner, the counts, the round trips (when any probe was open). */
static void
summary(struct tcping *t, const struct probed *a, long long ms)
{
	const struct ping_stats *s = &a->stats;
	char rtt[160], name[ADDR_STRLEN * 2 + 8];

	if (globals.json) {
		summary_json(t, a, ms);
		return;
	}
	if (strcmp(t->host, a->text) == 0)
		snprintf(name, sizeof(name), "%s", a->text);
	else
		snprintf(name, sizeof(name), "%s (%s)", t->host, a->text);
	printf("\n--- %s port %u (tcp) probe statistics ---\n", name, t->port);
	printf("%lld probes sent, %lld open", s->transmitted, s->received);
	if (a->closed > 0)
		printf(", %lld closed", a->closed);
	if (a->filtered > 0)
		printf(", %lld filtered", a->filtered);
	if (a->errors > 0)
		printf(", %lld errors", a->errors);
	printf(", %g%% loss, time %lldms\n", ping_stats_loss(s), ms);
	if (s->received > 0 && ping_stats_rtt_text(s, rtt, sizeof(rtt)) > 0)
		printf("%s\n", rtt);
}

/* 0 when every address was open at least once; a local failure is said once, as a scan says it. */
static int
status_of(const struct tcping *t)
{
	const struct sockaddr *sa;

	if (t->write_err != 0 && t->write_err != EPIPE) {
		report_errno(t->write_err, "write to stdout");
		return EXIT_LOCAL;
	}
	if (t->first_error != 0) {
		sa = (const struct sockaddr *)&t->targets[t->first_error_target].addr;
		report_errno(t->first_error, "connect to %s port %u (tcp)",
		    t->a[t->first_error_target].text, t->port);
		hint_for_errno(t->first_error, sa->sa_family);
		return exit_status_for_errno(t->first_error);
	}
	for (size_t i = 0; i < t->n; i++)
		if (t->a[i].stats.received == 0)
			return EXIT_NETWORK;
	return EXIT_OK;
}

int
tcping_run(const struct tcping_options *o, const char *host, const struct scan_target *targets,
    size_t n, const struct scan_ports *port)
{
	struct tcping t = { .o = o, .host = host, .targets = targets, .n = n };
	int status;

	if ((t.a = calloc(n, sizeof(*t.a))) == NULL) {
		report_errno(errno, "probe %s", host);
		return EXIT_LOCAL;
	}
	while (!scan_ports_has(port, t.port))
		t.port++;
	for (size_t i = 0; i < n; i++)
		addr_format((const struct sockaddr *)&targets[i].addr, t.a[i].text, ADDR_STRLEN);
	report_verbose(1, "probing %s port %u on %zu address%s, %lld time%s", host, t.port, n,
	    n == 1 ? "" : "es", o->count, o->count == 1 ? "" : "s");
	status = rounds(&t, port);
	for (size_t i = 0; i < n && t.write_err == 0; i++)
		summary(&t, &t.a[i], (t.last - t.first + 500) / 1000);
	if (status == EXIT_OK)
		status = status_of(&t);
	free(t.a);
	return status;
}
