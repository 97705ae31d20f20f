/* icmp.c: echo requests built, replies and errors taken apart and checked; pure, no I/O. */
#include "config.h"

#include <sys/socket.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/ip_icmp.h>
#include <stdio.h>
#include <string.h>

#include "icmp.h"

/* IPv6 extension headers that may stand between a quoted header and its ICMPv6 request. */
#define IPV6_HDR_LEN 40
#define NEXTHDR_HOP 0
#define NEXTHDR_ROUTING 43
#define NEXTHDR_FRAGMENT 44
#define NEXTHDR_DEST 60

/* Bytes are read one by one: packets come from anywhere, aligned or not. */
static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void
put64(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--) {
		p[i] = (uint8_t)v;
		v >>= 8;
	}
}

static uint64_t
get64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

uint16_t
icmp_checksum(const void *buf, size_t len)
{
	const uint8_t *p = buf;
	uint64_t sum = 0;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += get16(p + i);
	if (i < len)
		sum += (uint32_t)p[i] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void
timestamp_bytes(const struct timespec *sent, uint8_t out[ICMP_TIMESTAMP_LEN])
{
	put64(out, (uint64_t)sent->tv_sec);
	put64(out + 8, (uint64_t)sent->tv_nsec);
}

uint8_t
icmp_payload_byte(size_t i, size_t datalen, const struct timespec *sent)
{
	uint8_t ts[ICMP_TIMESTAMP_LEN];

	if (datalen >= ICMP_TIMESTAMP_LEN && i < ICMP_TIMESTAMP_LEN && sent != NULL) {
		timestamp_bytes(sent, ts);
		return ts[i];
	}
	return (uint8_t)i;
}

size_t
icmp_build_echo(uint8_t *buf, size_t buflen, int family, uint16_t id, uint16_t seq,
    const struct timespec *sent, size_t datalen)
{
	size_t len = ICMP_HEADER_LEN + datalen;
	uint16_t sum;

	if (datalen > buflen || buflen - datalen < ICMP_HEADER_LEN)
		return 0;
	buf[0] = family == AF_INET6 ? ICMP6_ECHO_REQUEST : ICMP_ECHO;
	buf[1] = 0;
	buf[2] = buf[3] = 0;
	buf[4] = (uint8_t)(id >> 8);
	buf[5] = (uint8_t)id;
	buf[6] = (uint8_t)(seq >> 8);
	buf[7] = (uint8_t)seq;
	for (size_t i = 0; i < datalen; i++)
		buf[ICMP_HEADER_LEN + i] = (uint8_t)i;
	if (datalen >= ICMP_TIMESTAMP_LEN && sent != NULL)
		timestamp_bytes(sent, buf + ICMP_HEADER_LEN);
	if (family != AF_INET6) {
		sum = icmp_checksum(buf, len);
		buf[2] = (uint8_t)(sum >> 8);
		buf[3] = (uint8_t)sum;
	}
	return len;
}

enum icmp_kind
icmp_error_kind(int family, uint8_t type)
{
	if (family == AF_INET6) {
		switch (type) {
		case ICMP6_DST_UNREACH: return ICMP_KIND_UNREACHABLE;
		case ICMP6_PACKET_TOO_BIG: return ICMP_KIND_TOO_BIG;
		case ICMP6_TIME_EXCEEDED: return ICMP_KIND_TIME_EXCEEDED;
		case ICMP6_PARAM_PROB: return ICMP_KIND_PARAMETER;
		}
		return ICMP_KIND_OTHER;
	}
	switch (type) {
	case ICMP_UNREACH: return ICMP_KIND_UNREACHABLE;
	case ICMP_TIMXCEED: return ICMP_KIND_TIME_EXCEEDED;
	case ICMP_PARAMPROB: return ICMP_KIND_PARAMETER;
	}
	return ICMP_KIND_OTHER;
}

static int
other(struct icmp_packet *p, const char *why)
{
	p->kind = ICMP_KIND_OTHER;
	p->why = why;
	return 0;
}

/* The IPv4 header and the first 8 bytes after it, quoted in an error (RFC 792). */
static int
quoted_v4(const uint8_t *q, size_t len, struct icmp_packet *p)
{
	size_t hl;

	if (len < 20 || q[0] >> 4 != 4)
		return other(p, "error quotes no IPv4 header");
	hl = (size_t)(q[0] & 0x0f) * 4;
	if (hl < 20 || len < hl + ICMP_HEADER_LEN)
		return other(p, "error quotes a truncated header");
	if (q[9] != IPPROTO_ICMP || q[hl] != ICMP_ECHO)
		return other(p, "error is about no echo request");
	memcpy(&p->original_dst.v4, q + 16, sizeof(p->original_dst.v4));
	p->has_original_dst = 1;
	p->id = get16(q + hl + 4);
	p->seq = get16(q + hl + 6);
	return 0;
}

/* The IPv6 header quoted in an error, through its extension headers to the ICMPv6 request. */
static int
quoted_v6(const uint8_t *q, size_t len, struct icmp_packet *p)
{
	size_t off = IPV6_HDR_LEN;
	uint8_t next;

	if (len < IPV6_HDR_LEN || q[0] >> 4 != 6)
		return other(p, "error quotes no IPv6 header");
	next = q[6];
	memcpy(&p->original_dst.v6, q + 24, sizeof(p->original_dst.v6));
	/* Each header is at least 8 bytes, so this ends within len / 8 rounds. */
	while (next != IPPROTO_ICMPV6) {
		if (len - off < 8)
			return other(p, "error quotes a truncated header");
		switch (next) {
		case NEXTHDR_HOP:
		case NEXTHDR_ROUTING:
		case NEXTHDR_DEST:
			next = q[off];
			if ((size_t)(q[off + 1] + 1) * 8 > len - off)
				return other(p, "error quotes a truncated header");
			off += (size_t)(q[off + 1] + 1) * 8;
			break;
		case NEXTHDR_FRAGMENT:
			/* Only the first fragment carries the ICMPv6 header. */
			if ((get16(q + off + 2) & 0xfff8) != 0)
				return other(p, "error quotes a later fragment");
			next = q[off];
			off += 8;
			break;
		default: return other(p, "error is about no ICMPv6 packet");
		}
	}
	if (len - off < ICMP_HEADER_LEN)
		return other(p, "error quotes a truncated header");
	if (q[off] != ICMP6_ECHO_REQUEST)
		return other(p, "error is about no echo request");
	p->has_original_dst = 1;
	p->id = get16(q + off + 4);
	p->seq = get16(q + off + 6);
	return 0;
}

static int
parse_icmp(const uint8_t *m, size_t len, int family, struct icmp_packet *p)
{
	int v6 = family == AF_INET6;

	if (len < ICMP_HEADER_LEN)
		return other(p, "shorter than an ICMP header");
	p->length = len;
	p->type = m[0];
	p->code = m[1];
	p->info = get32(m + 4);
	p->checksum_ok = v6 || icmp_checksum(m, len) == 0;
	if (p->type == (v6 ? ICMP6_ECHO_REPLY : ICMP_ECHOREPLY)) {
		p->kind = ICMP_KIND_REPLY;
		p->id = get16(m + 4);
		p->seq = get16(m + 6);
		p->data = m + ICMP_HEADER_LEN;
		p->datalen = len - ICMP_HEADER_LEN;
		return 0;
	}
	if ((p->kind = icmp_error_kind(family, p->type)) == ICMP_KIND_OTHER)
		return other(p, "neither an echo reply nor an error");
	if (v6)
		return quoted_v6(m + ICMP_HEADER_LEN, len - ICMP_HEADER_LEN, p);
	return quoted_v4(m + ICMP_HEADER_LEN, len - ICMP_HEADER_LEN, p);
}

int
icmp_parse(const void *buf, size_t len, int family, int with_ip_header, struct icmp_packet *p)
{
	const uint8_t *b = buf;
	size_t hl;

	memset(p, 0, sizeof(*p));
	p->family = family;
	p->ttl = -1;
	p->checksum_ok = 1;
	if (!with_ip_header)
		return parse_icmp(b, len, family, p);
	if (len < 20 || b[0] >> 4 != 4)
		return other(p, "no IPv4 header");
	hl = (size_t)(b[0] & 0x0f) * 4;
	if (hl < 20 || hl > len)
		return other(p, "bad IPv4 header length");
	if (b[9] != IPPROTO_ICMP)
		return other(p, "not ICMP");
	p->ttl = b[8];
	return parse_icmp(b + hl, len - hl, family, p);
}

int
icmp_parse_quoted_request(const void *buf, size_t len, int family, uint16_t *id, uint16_t *seq)
{
	const uint8_t *b = buf;

	if (len < ICMP_HEADER_LEN || b[0] != (family == AF_INET6 ? ICMP6_ECHO_REQUEST : ICMP_ECHO))
		return -1;
	*id = get16(b + 4);
	*seq = get16(b + 6);
	return 0;
}

size_t
icmp_check_payload(const uint8_t *data, size_t len, size_t datalen, const struct timespec *sent,
    struct icmp_damage *d)
{
	size_t start = datalen >= ICMP_TIMESTAMP_LEN && sent == NULL ? ICMP_TIMESTAMP_LEN : 0;
	size_t n = len < datalen ? len : datalen;

	memset(d, 0, sizeof(*d));
	for (size_t i = start; i < n; i++) {
		uint8_t want = icmp_payload_byte(i, datalen, sent);
		if (data[i] == want)
			continue;
		if (d->count++ == 0) {
			d->first = i;
			d->expected = want;
			d->got = data[i];
		}
	}
	return d->count;
}

int
icmp_payload_time(const uint8_t *data, size_t len, struct timespec *sent)
{
	uint64_t sec, nsec;

	if (len < ICMP_TIMESTAMP_LEN)
		return -1;
	sec = get64(data);
	nsec = get64(data + 8);
	if (sec > INT64_MAX / 2 || nsec >= 1000000000)
		return -1;
	sent->tv_sec = (time_t)sec;
	sent->tv_nsec = (long)nsec;
	return 0;
}

void
icmp_seen_clear(struct icmp_seen *s, uint16_t seq)
{
	s->bits[seq >> 3] &= (uint8_t) ~(1u << (seq & 7));
}

int
icmp_seen_test_and_set(struct icmp_seen *s, uint16_t seq)
{
	uint8_t bit = (uint8_t)(1u << (seq & 7));
	int was = (s->bits[seq >> 3] & bit) != 0;

	s->bits[seq >> 3] |= bit;
	return was;
}
