#!/usr/bin/env python3
# icmp_packet.py KIND: one ICMP or ICMPv6 packet, in hex, built with struct (not by sockt)
# for the parser's unit tests. Every packet is about an echo request of id 4321, seq 9.
#   reply4      an echo reply after its IPv4 header (TTL 57), 24 bytes of payload
#   bad-sum4    an echo reply whose checksum is zero
#   unreach4    host unreachable, quoting the request to 198.51.100.7
#   ttl6        ICMPv6 time exceeded, quoting the request to 2001:db8:9::5
#   short       three bytes
#   quote-cut4  time exceeded quoting an IPv4 header and nothing of the request
import socket
import struct
import sys

from peer import with_checksum


def icmp(kind, code, rest, body, v6=False):
    message = struct.pack("!BBH4s", kind, code, 0, rest) + body
    return message if v6 else with_checksum(message)


def ip4(ttl, src, dst, payload):
    return struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 1, 0, ttl, 1, 0,
                       socket.inet_aton(src), socket.inet_aton(dst)) + payload


def ip6(dst, payload):
    return struct.pack("!IHBB16s16s", 6 << 28, len(payload), 58, 64,
                       socket.inet_pton(socket.AF_INET6, "2001:db8::1"),
                       socket.inet_pton(socket.AF_INET6, dst)) + payload


ID_SEQ = struct.pack("!HH", 4321, 9)
REQUEST = icmp(8, 0, ID_SEQ, b"")
PACKETS = {
    "reply4": lambda: ip4(57, "192.0.2.9", "192.0.2.1", icmp(0, 0, ID_SEQ, bytes(range(24)))),
    "bad-sum4": lambda: icmp(0, 0, ID_SEQ, b"abcd")[:2] + b"\0\0" + icmp(0, 0, ID_SEQ, b"abcd")[4:],
    "unreach4": lambda: icmp(3, 1, b"\0" * 4, ip4(1, "192.0.2.1", "198.51.100.7", REQUEST)),
    "ttl6": lambda: icmp(3, 0, b"\0" * 4, ip6("2001:db8:9::5", icmp(128, 0, ID_SEQ, b"", True)),
                         True),
    "short": lambda: b"\0\0\0",
    "quote-cut4": lambda: icmp(11, 0, b"\0" * 4, ip4(1, "192.0.2.1", "198.51.100.7", REQUEST)[:20]),
}

if len(sys.argv) != 2 or sys.argv[1] not in PACKETS:
    sys.exit("usage: icmp_packet.py " + "|".join(PACKETS))
print(PACKETS[sys.argv[1]]().hex())
