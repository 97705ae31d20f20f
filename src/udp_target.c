/* udp_target.c: the socket udp-send sends on: destination and source resolved, options set. */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "dgram.h"
#include "hint.h"
#include "icmp.h"
#include "report.h"
#include "udp_target.h"

static void
resolve_failed(struct udp_target_failures *why, const char *name, int eai)
{
	why->n = 1;
	why->name = name;
	why->f[0].call = "getaddrinfo";
	why->f[0].eai = eai;
	why->f[0].err = errno;
}

static void
keep_failure(struct udp_target_failures *why, const struct sock_failure *f, int family)
{
	if (why->n < UDP_TARGET_FAILURES) {
		why->family[why->n] = family;
		why->f[why->n++] = *f;
	}
}

/* The first source address of the destination's family, or NULL. */
static const struct addrinfo *
source_for(const struct addrinfo *sources, int family)
{
	for (const struct addrinfo *ai = sources; ai != NULL; ai = ai->ai_next)
		if (ai->ai_family == family)
			return ai;
	return NULL;
}

static int
open_one(struct udp_target *t, const struct addrinfo *ai, const struct addrinfo *sources,
    const struct udp_target_options *o, struct udp_target_failures *why)
{
	struct dgram_options d = { .broadcast = o->broadcast, .tun = o->tun };
	const struct addrinfo *src = NULL;
	struct sock_failure f = { 0 };
	int multi = o->broadcast || dgram_is_multicast(ai->ai_addr);

	if (sources != NULL && (src = source_for(sources, ai->ai_family)) == NULL) {
		f.call = "source";
		f.err = EAFNOSUPPORT;
		addr_format(ai->ai_addr, f.addr, sizeof(f.addr));
		f.port = addr_port(ai->ai_addr);
		keep_failure(why, &f, ai->ai_family);
		return -1;
	}
	if (src != NULL) {
		d.source = src->ai_addr;
		d.sourcelen = src->ai_addrlen;
	}
	d.connect = !multi;
	if ((t->fd = dgram_open(ai->ai_addr, ai->ai_addrlen, &d, &f)) == -1) {
		keep_failure(why, &f, ai->ai_family);
		return -1;
	}
	t->family = ai->ai_family;
	t->connected = d.connect;
	t->multi = multi;
	memcpy(&t->to, ai->ai_addr, ai->ai_addrlen);
	t->tolen = ai->ai_addrlen;
	t->to_sa = (const struct sockaddr *)&t->to;
	addr_format(ai->ai_addr, t->text, sizeof(t->text));
	t->port = addr_port(ai->ai_addr);
	return 0;
}

int
udp_target_open(struct udp_target *t, const struct endpoint *ep, const struct udp_target_options *o,
    struct udp_target_failures *why)
{
	struct addrinfo *res, *sources = NULL;
	int eai, r = -1;

	memset(t, 0, sizeof(*t));
	memset(why, 0, sizeof(*why));
	t->fd = -1;
	if ((eai = addr_resolve(ep->host, ep->port, SOCK_DGRAM, 0, &res)) != 0) {
		resolve_failed(why, ep->host, eai);
		return -1;
	}
	if ((o->source != NULL || o->source_port != NULL) &&
	    (eai = addr_resolve(o->source, o->source_port ? o->source_port : "0", SOCK_DGRAM,
		 AI_PASSIVE, &sources)) != 0) {
		resolve_failed(why, o->source ? o->source : o->source_port, eai);
		freeaddrinfo(res);
		return -1;
	}
	/* Every address in order, as connect does; for UDP only local refusals show here. */
	for (struct addrinfo *ai = res; ai != NULL && r == -1; ai = ai->ai_next)
		r = open_one(t, ai, sources, o, why);
	freeaddrinfo(res);
	if (sources != NULL)
		freeaddrinfo(sources);
	return r;
}

void
udp_target_close(struct udp_target *t)
{
	if (t->fd != -1)
		close(t->fd);
	t->fd = -1;
}

/* Where the datagram an error is about was going: its own destination, else the target. */
static const struct sockaddr *
dest_of(const struct udp_target *t, const struct errqueue_entry *e)
{
	return e->dest.ss_family != 0 ? (const struct sockaddr *)&e->dest : t->to_sa;
}

/* An entry of the error queue: who said no (the ICMP message's sender), and about what. */
void
udp_target_report_error(const struct udp_target *t, const struct errqueue_entry *e)
{
	char dest[ADDR_STRLEN], from[ADDR_STRLEN] = "an unknown host";
	const char *text = t->text;
	uint16_t port = t->port;

	if (e->dest.ss_family != 0) {
		port = dgram_address((const struct sockaddr *)&e->dest, dest, sizeof(dest));
		text = dest;
	}
	if (!e->from_icmp) {
		report_errno(e->err, "send to %s port %u (udp)", text, port);
		if (e->err == EMSGSIZE && e->info != 0)
			report_hint("the path carries at most %u bytes a packet (its MTU)",
			    e->info);
		else
			hint_unreachable(e->err, dest_of(t, e), NULL);
		return;
	}
	if (e->offender.ss_family != 0)
		dgram_address((const struct sockaddr *)&e->offender, from, sizeof(from));
	report_errno(e->err, "send to %s port %u (udp): %s %s from %s", text, port,
	    e->icmp6 ? "ICMPv6" : "ICMP",
	    icmp_error_brief(e->icmp6 ? AF_INET6 : AF_INET, e->type, e->code), from);
	if (e->err == ECONNREFUSED &&
	    (e->offender.ss_family == 0 ||
		addr_same_host((const struct sockaddr *)&e->offender, dest_of(t, e))))
		report_hint("nothing listens on UDP port %u at %s; its host answered with ICMP "
			    "port unreachable",
		    port, text);
	else
		hint_unreachable(e->err, dest_of(t, e), e);
}

/* Why no address of the destination could be used: each one's reason, as connect says them. */
int
udp_target_report_failures(const struct udp_target_failures *why,
    const struct udp_target_options *o)
{
	struct endpoint src = { (char *)(uintptr_t)o->source,
		(char *)(uintptr_t)(o->source_port ? o->source_port : "0") };
	int status = EXIT_OK, st;

	for (int i = 0; i < why->n; i++) {
		const struct sock_failure *f = &why->f[i];
		if (f->eai != 0) {
			/* -n with a name and a bad port were refused while parsing. */
			report_eai(f->eai, f->err, "%s", why->name);
			return EXIT_RESOLVE;
		}
		if (f->tunable != TUNABLE_NONE)
			st = report_tunable_failure(&o->tun, f->tunable, f->err);
		else if (strcmp(f->call, "source") == 0) {
			report_error("send to %s port %u (udp): source %s has no %s address",
			    f->addr, f->port, o->source ? o->source : "*",
			    why->family[i] == AF_INET6 ? "IPv6" : "IPv4");
			st = EXIT_USAGE;
		} else if (strcmp(f->call, "bind") == 0)
			st = report_bind_failure(&src, f, SOCK_DGRAM);
		else {
			report_errno(f->err, "%s to %s port %u (udp)", f->call, f->addr, f->port);
			if (f->err == EACCES && !o->broadcast)
				report_hint("%s is a broadcast address: sending to it needs "
					    "--broadcast",
				    f->addr);
			else
				hint_for_errno(f->err, why->family[i]);
			st = exit_status_for_errno(f->err);
		}
		if (status == EXIT_OK)
			status = st;
	}
	return status;
}

int
udp_target_report_too_long(const struct udp_target *t, size_t size)
{
	report_errno(EMSGSIZE,
	    "send to %s port %u (udp): datagram of %zu bytes is over the %s limit of %zu", t->text,
	    t->port, size, t->family == AF_INET6 ? "IPv6" : "IPv4", dgram_limit(t->family));
	report_hint("a UDP datagram carries at most %d bytes over IPv4 and %d over IPv6; send "
		    "less, "
		    "or use TCP ('sockt send')",
	    DGRAM_MAX_IPV4, DGRAM_MAX_IPV6);
	/* The kernel refused it before anything reached the network: a local failure. */
	return EXIT_LOCAL;
}

int
udp_target_report_errno(const struct udp_target *t, int err, const char *what)
{
	report_errno(err, "%s %s port %u (udp)", what, t->text, t->port);
	hint_unreachable(err, t->to_sa, NULL);
	return exit_status_for_errno(err);
}
