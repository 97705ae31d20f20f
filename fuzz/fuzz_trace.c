/*
 * fuzz_trace: what trace makes of an ICMP answer: error-queue entries of any
 * type, code and offender, and whole packets as the raw socket delivers them.
 */
#include "config.h"

#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "addr.h"
#include "icmp.h"
#include "trace_answer.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Flags, the destination, another address, an error-queue entry; then the packet. */
#define ENTRY_LEN 24
#define HEADER_LEN (1 + 16 + 16 + ENTRY_LEN)

/* An address of the family from 16 bytes: the destination, or whoever else. */
static void
make_addr(struct sockaddr_storage *ss, int family, const uint8_t *b)
{
	memset(ss, 0, sizeof(*ss));
	ss->ss_family = (sa_family_t)family;
	if (family == AF_INET6)
		memcpy(&((struct sockaddr_in6 *)ss)->sin6_addr, b, 16);
	else
		memcpy(&((struct sockaddr_in *)ss)->sin_addr, b, 4);
}

static void
check(const struct trace_probe *p)
{
	if (p->answer < TRACE_PENDING || p->answer > TRACE_SEND_FAILED)
		abort();
	if (trace_mark(p->icmp6, p->type, p->code)[0] != '!')
		abort();
}

static void
error_entry(const uint8_t *d, int family, enum trace_kind kind, const struct sockaddr *dest)
{
	struct errqueue_entry e;
	struct trace_probe p;

	memset(&e, 0, sizeof(e));
	memset(&p, 0, sizeof(p));
	e.err = d[0];
	e.from_icmp = d[1] & 1;
	e.icmp6 = family == AF_INET6;
	e.type = d[2];
	e.code = d[3];
	e.info = (uint32_t)d[4] << 24 | (uint32_t)d[5] << 16 | (uint32_t)d[6] << 8 | d[7];
	/* The offender: the destination itself, someone else, or unknown. */
	if (d[1] & 2)
		memcpy(&e.offender, dest, sizeof(struct sockaddr_in6));
	else if (d[1] & 4)
		make_addr(&e.offender, family, d + 8);
	trace_answer_from_error(&p, kind, &e, dest);
	check(&p);
	if (p.answer == TRACE_PORT_CLOSED && e.from_icmp && e.offender.ss_family != 0 &&
	    !addr_same_host((struct sockaddr *)&p.from, dest))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sockaddr_storage dest, from;
	struct icmp_packet pkt;
	struct trace_probe p;
	int family;
	enum trace_kind kind;
	uint8_t *copy;

	if (size < HEADER_LEN)
		return 0;
	family = data[0] & 1 ? AF_INET6 : AF_INET;
	kind = (enum trace_kind)((data[0] >> 1) % 3);
	make_addr(&dest, family, data + 1);
	make_addr(&from, family, data + 17);
	error_entry(data + 33, family, kind, (struct sockaddr *)&dest);
	/* An exact-size copy, so that ASan sees any read past the packet. */
	size -= HEADER_LEN;
	if ((copy = malloc(size ? size : 1)) == NULL)
		return 0;
	memcpy(copy, data + HEADER_LEN, size);
	icmp_parse(copy, size, family, family == AF_INET && (data[0] & 8), &pkt);
	if (pkt.kind != ICMP_KIND_OTHER) {
		memset(&p, 0, sizeof(p));
		trace_answer_from_icmp(&p, &pkt,
		    (data[0] & 16) ? (struct sockaddr *)&dest : (struct sockaddr *)&from,
		    (struct sockaddr *)&dest);
		check(&p);
	}
	free(copy);
	return 0;
}
