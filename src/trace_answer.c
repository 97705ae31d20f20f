/* trace_answer.c: ICMP messages and socket errors turned into a probe's answer; pure. */
#include "config.h"

#include <errno.h>
#include <netinet/icmp6.h>
#include <netinet/ip_icmp.h>
#include <string.h>

#include "addr.h"
#include "trace_answer.h"

int
trace_answer_final(enum trace_answer a)
{
	return a == TRACE_UNREACHABLE || a == TRACE_PORT_OPEN || a == TRACE_PORT_CLOSED ||
	       a == TRACE_ECHO_REPLY;
}

const char *
trace_mark(int icmp6, int type, int code)
{
	static const char *const v4[16] = { "!N", "!H", "!P", "", "!F", "!S", "!N", "!H", "!S",
		"!A", "!A", "!N", "!H", "!X", "!V", "!C" };
	static const char *const v6[8] = { "!N", "!X", "!S", "!H", "", "!A", "!X", "!N" };

	if (icmp6 && type == ICMP6_DST_UNREACH && code >= 0 && code < 8)
		return v6[code][0] != '\0' ? v6[code] : "!";
	if (!icmp6 && type == ICMP_UNREACH && code >= 0 && code < 16)
		return v4[code][0] != '\0' ? v4[code] : "!";
	/* Parameter problems and unknown codes: traceroute prints a bare code. */
	return "!";
}

static int
is_port_unreachable(int icmp6, int type, int code)
{
	if (icmp6)
		return type == ICMP6_DST_UNREACH && code == ICMP6_DST_UNREACH_NOPORT;
	return type == ICMP_UNREACH && code == ICMP_UNREACH_PORT;
}

static int
is_too_big(int icmp6, int type, int code)
{
	if (icmp6)
		return type == ICMP6_PACKET_TOO_BIG;
	return type == ICMP_UNREACH && code == ICMP_UNREACH_NEEDFRAG;
}

static int
is_time_exceeded(int icmp6, int type)
{
	return icmp6 ? type == ICMP6_TIME_EXCEEDED : type == ICMP_TIMXCEED;
}

/* The answer an ICMP error of this type and code from `from` gives. */
static void
answer_icmp_error(struct trace_probe *p, int icmp6, int type, int code, uint32_t info,
    const struct sockaddr *from, const struct sockaddr *dest)
{
	p->icmp6 = icmp6;
	p->type = (uint8_t)type;
	p->code = (uint8_t)code;
	if (is_time_exceeded(icmp6, type))
		p->answer = TRACE_HOP;
	else if (is_too_big(icmp6, type, code)) {
		p->answer = TRACE_TOO_BIG;
		p->mtu = info;
	} else if (is_port_unreachable(icmp6, type, code) && addr_same_host(from, dest))
		p->answer = TRACE_PORT_CLOSED;
	else
		p->answer = TRACE_UNREACHABLE;
}

void
trace_answer_from_error(struct trace_probe *p, enum trace_kind kind, const struct errqueue_entry *e,
    const struct sockaddr *dest)
{
	p->err = e->err;
	if (e->from_icmp && e->offender.ss_family != AF_UNSPEC) {
		memcpy(&p->from, &e->offender, sizeof(p->from));
		answer_icmp_error(p, e->icmp6, e->type, e->code, e->info,
		    (const struct sockaddr *)&e->offender, dest);
		return;
	}
	if (kind == TRACE_TCP && e->err == ECONNREFUSED) {
		/* No ICMP message behind it: the host itself reset the connection. */
		memcpy(&p->from, dest,
		    dest->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6)
						: sizeof(struct sockaddr_in));
		p->answer = TRACE_PORT_CLOSED;
		return;
	}
	if (e->err == EMSGSIZE && e->info != 0) {
		/* Larger than this machine's own link: the kernel names its MTU. */
		p->answer = TRACE_TOO_BIG;
		p->mtu = e->info;
		return;
	}
	p->answer = TRACE_SEND_FAILED;
}

void
trace_answer_from_icmp(struct trace_probe *p, const struct icmp_packet *pkt,
    const struct sockaddr *from, const struct sockaddr *dest)
{
	memcpy(&p->from, from,
	    from->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in));
	if (pkt->kind == ICMP_KIND_REPLY) {
		p->answer = TRACE_ECHO_REPLY;
		return;
	}
	answer_icmp_error(p, pkt->family == AF_INET6, pkt->type, pkt->code, pkt->info, from, dest);
	if (p->answer == TRACE_HOP)
		p->err = EHOSTUNREACH;
}
