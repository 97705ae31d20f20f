/*
 * icmp_text.c: what ICMP and ICMPv6 error types and codes are called, in
 * one place: iputils ping's words (raw-ping, trace) and short ones for an
 * error line (udp-send). Pure: the fuzzers and unit tests call these.
 */
#include "config.h"

#include <sys/socket.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/ip_icmp.h>
#include <stdio.h>

#include "icmp.h"

static const char *
unreachable_v4(uint8_t code, uint32_t info, char *buf, size_t len)
{
	static const char *const text[] = {
		"Destination Net Unreachable",
		"Destination Host Unreachable",
		"Destination Protocol Unreachable",
		"Destination Port Unreachable",
		NULL,
		"Source Route Failed",
		"Destination Net Unknown",
		"Destination Host Unknown",
		"Source Host Isolated",
		"Destination Net Prohibited",
		"Destination Host Prohibited",
		"Destination Net Unreachable for Type of Service",
		"Destination Host Unreachable for Type of Service",
		"Packet filtered",
		"Precedence Violation",
		"Precedence Cutoff",
	};

	if (code == ICMP_UNREACH_NEEDFRAG)
		snprintf(buf, len, "Frag needed and DF set (mtu = %u)", info & 0xffff);
	else if (code < sizeof(text) / sizeof(text[0]))
		snprintf(buf, len, "%s", text[code]);
	else
		snprintf(buf, len, "Dest Unreachable, Bad Code: %d", code);
	return buf;
}

static const char *
error_text_v4(uint8_t type, uint8_t code, uint32_t info, char *buf, size_t len)
{
	switch (type) {
	case ICMP_UNREACH: return unreachable_v4(code, info, buf, len);
	case ICMP_TIMXCEED:
		if (code == ICMP_TIMXCEED_INTRANS)
			snprintf(buf, len, "Time to live exceeded");
		else if (code == ICMP_TIMXCEED_REASS)
			snprintf(buf, len, "Frag reassembly time exceeded");
		else
			snprintf(buf, len, "Time exceeded, Bad Code: %d", code);
		return buf;
	case ICMP_PARAMPROB:
		snprintf(buf, len, "Parameter problem: pointer = %u", info >> 24);
		return buf;
	}
	snprintf(buf, len, "Bad ICMP type: %d", type);
	return buf;
}

static const char *
unreachable_v6(uint8_t code, char *buf, size_t len)
{
	static const char *const text[] = {
		"No route",
		"Administratively prohibited",
		"Beyond scope of source address",
		"Address unreachable",
		"Port unreachable",
		"Source address failed ingress/egress policy",
		"Reject route to destination",
	};

	if (code < sizeof(text) / sizeof(text[0]))
		snprintf(buf, len, "Destination unreachable: %s", text[code]);
	else
		snprintf(buf, len, "Destination unreachable: Unknown code %d", code);
	return buf;
}

static const char *
error_text_v6(uint8_t type, uint8_t code, uint32_t info, char *buf, size_t len)
{
	static const char *const problem[] = {
		"Wrong header field ",
		"Unknown header ",
		"Unknown option ",
	};

	switch (type) {
	case ICMP6_DST_UNREACH: return unreachable_v6(code, buf, len);
	case ICMP6_PACKET_TOO_BIG:
		if (code != 0)
			snprintf(buf, len, "Packet too big: mtu=%u, code=%d", info, code);
		else
			snprintf(buf, len, "Packet too big: mtu=%u", info);
		return buf;
	case ICMP6_TIME_EXCEEDED:
		if (code == ICMP6_TIME_EXCEED_TRANSIT)
			snprintf(buf, len, "Time exceeded: Hop limit");
		else if (code == ICMP6_TIME_EXCEED_REASSEMBLY)
			snprintf(buf, len, "Time exceeded: Defragmentation failure");
		else
			snprintf(buf, len, "Time exceeded: code %d", code);
		return buf;
	case ICMP6_PARAM_PROB:
		if (code < sizeof(problem) / sizeof(problem[0]))
			snprintf(buf, len, "Parameter problem: %sat %u", problem[code], info);
		else
			snprintf(buf, len, "Parameter problem: code %d at %u", code, info);
		return buf;
	}
	snprintf(buf, len, "unknown icmp type: %u", type);
	return buf;
}

/* The words of iputils ping, so that what people grep for is there. */
const char *
icmp_error_text(int family, uint8_t type, uint8_t code, uint32_t info, char *buf, size_t len)
{
	if (family == AF_INET6)
		return error_text_v6(type, code, info, buf, len);
	return error_text_v4(type, code, info, buf, len);
}

static const char *
brief_v4(uint8_t type, uint8_t code)
{
	if (type == ICMP_TIMXCEED)
		return "time exceeded";
	if (type == ICMP_SOURCEQUENCH)
		return "source quench";
	if (type == ICMP_PARAMPROB)
		return "parameter problem";
	if (type != ICMP_UNREACH)
		return "error";
	switch (code) {
	case ICMP_UNREACH_NET: return "network unreachable";
	case ICMP_UNREACH_HOST: return "host unreachable";
	case ICMP_UNREACH_PROTOCOL: return "protocol unreachable";
	case ICMP_UNREACH_PORT: return "port unreachable";
	case ICMP_UNREACH_NEEDFRAG: return "fragmentation needed";
	case ICMP_UNREACH_NET_PROHIB:
	case ICMP_UNREACH_HOST_PROHIB:
	case ICMP_UNREACH_FILTER_PROHIB: return "administratively prohibited";
	default: return "destination unreachable";
	}
}

static const char *
brief_v6(uint8_t type, uint8_t code)
{
	if (type == ICMP6_TIME_EXCEEDED)
		return "time exceeded";
	if (type == ICMP6_PACKET_TOO_BIG)
		return "packet too big";
	if (type == ICMP6_PARAM_PROB)
		return "parameter problem";
	if (type != ICMP6_DST_UNREACH)
		return "error";
	switch (code) {
	case ICMP6_DST_UNREACH_NOROUTE: return "no route to destination";
	case ICMP6_DST_UNREACH_ADMIN: return "administratively prohibited";
	case ICMP6_DST_UNREACH_ADDR: return "address unreachable";
	case ICMP6_DST_UNREACH_NOPORT: return "port unreachable";
	default: return "destination unreachable";
	}
}

const char *
icmp_error_brief(int family, uint8_t type, uint8_t code)
{
	return family == AF_INET6 ? brief_v6(type, code) : brief_v4(type, code);
}

const char *
icmp_family_name(int family)
{
	return family == AF_INET6 ? "ICMPv6" : "ICMP";
}
