/* icmp.h: ICMP and ICMPv6 echo packets built and checked, with no I/O (the fuzzers call these). */
#ifndef SOCKT_ICMP_H
#define SOCKT_ICMP_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define ICMP_HEADER_LEN 8
/* The send time at the start of the payload: seconds and nanoseconds, 64 bits each, big-endian. */
#define ICMP_TIMESTAMP_LEN 16
/* The largest payloads: an IPv4 datagram of 65535 bytes less 20 + 8; 65535 less 8 for IPv6. */
#define ICMP_MAX_PAYLOAD_V4 65507
#define ICMP_MAX_PAYLOAD_V6 65527

/* What a received packet means to a pinger. */
enum icmp_kind {
	ICMP_KIND_OTHER, /* malformed, truncated, or about no echo request: ignored */
	ICMP_KIND_REPLY, /* an echo reply */
	ICMP_KIND_UNREACHABLE, /* destination unreachable, about one of the requests */
	ICMP_KIND_TIME_EXCEEDED, /* TTL or hop limit exceeded, or reassembly time */
	ICMP_KIND_TOO_BIG, /* ICMPv6 packet too big */
	ICMP_KIND_PARAMETER, /* parameter problem */
};

/* A received packet taken apart. Pointers point into the caller's buffer. */
struct icmp_packet {
	enum icmp_kind kind;
	int family;
	uint8_t type, code; /* of the message received */
	uint32_t info; /* its second word: MTU, pointer, gateway */
	uint16_t id, seq; /* of the reply, or of the request quoted inside an error */
	int ttl; /* from the IPv4 header; -1 where the socket gives no header */
	int checksum_ok; /* IPv4 only; ICMPv6 sums are checked by the kernel */
	size_t length; /* ICMP message bytes, header included */
	const uint8_t *data; /* the reply's payload, after the 8-byte header */
	size_t datalen;
	int has_original_dst; /* an error: the quoted request's destination follows */
	union {
		struct in_addr v4;
		struct in6_addr v6;
	} original_dst;
	const char *why; /* for ICMP_KIND_OTHER: what is wrong with it */
};

/* The first wrong byte of a reply's payload and how many there were. */
struct icmp_damage {
	size_t count;
	size_t first;
	uint8_t expected, got;
};

/* Which request numbers were answered already: 2^16 bits, for duplicates. */
struct icmp_seen {
	uint8_t bits[65536 / 8];
};

/* The Internet checksum (RFC 1071) of len bytes. */
uint16_t icmp_checksum(const void *, size_t);

/*
 * Writes an echo request of ICMP_HEADER_LEN + datalen bytes into buf: the
 * header, then the payload, byte i being i & 0xff (as iputils ping fills
 * it), with the send time over the first 16 bytes when the payload holds
 * them. IPv4 gets its checksum; for ICMPv6 the kernel sums the pseudo-header.
 * Returns the length, or 0 if buf is too small.
 */
size_t icmp_build_echo(uint8_t *buf, size_t buflen, int family, uint16_t id, uint16_t seq,
    const struct timespec *sent, size_t datalen);

/*
 * Takes apart a packet as the socket delivered it: with its IPv4 header
 * (with_ip_header, IPv4 raw sockets), or from the ICMP header on (ICMPv6,
 * and ping sockets of both families). Always returns 0 and fills *p; a
 * packet that is not an echo reply or an error about an echo request is
 * ICMP_KIND_OTHER with p->why set.
 */
int icmp_parse(const void *buf, size_t len, int family, int with_ip_header, struct icmp_packet *p);

/*
 * Reads the id and seq of an echo request as an error queue returns it
 * (IP_RECVERR: the quoted ICMP header on). Returns 0, or -1 if it is not one.
 */
int icmp_parse_quoted_request(const void *buf, size_t len, int family, uint16_t *id, uint16_t *seq);

/* The kind of an error message's type, for the error queue's ee_type. */
enum icmp_kind icmp_error_kind(int family, uint8_t type);

/*
 * Compares a reply's payload with what was sent. With sent NULL (the send
 * record is gone) the timestamp bytes are not checked. Returns the number of
 * wrong bytes, the first one in *d.
 */
size_t icmp_check_payload(const uint8_t *data, size_t len, size_t datalen,
    const struct timespec *sent, struct icmp_damage *d);
/* The byte sent at payload offset i (the timestamp's bytes need sent). */
uint8_t icmp_payload_byte(size_t i, size_t datalen, const struct timespec *sent);
/* The send time written in a payload; -1 if the payload is too short for one. */
int icmp_payload_time(const uint8_t *data, size_t len, struct timespec *sent);

/* What ping says about an error: "Destination Host Unreachable", "Time exceeded: Hop limit". */
const char *icmp_error_text(int family, uint8_t type, uint8_t code, uint32_t info, char *buf,
    size_t len);

/* What an error line says: "port unreachable", "time exceeded", "packet too big". */
const char *icmp_error_brief(int family, uint8_t type, uint8_t code);
/* "ICMP" or "ICMPv6", for the family of the echo sockets being named. */
const char *icmp_family_name(int family);

void icmp_seen_clear(struct icmp_seen *, uint16_t seq);
/* Marks seq answered; returns whether it was already (a duplicate). */
int icmp_seen_test_and_set(struct icmp_seen *, uint16_t seq);

#endif
