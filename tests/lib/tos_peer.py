#!/usr/bin/env python3
# tests/lib/tos_peer.py: what TOS (IPv4) or traffic class (IPv6) byte packets arrive with.
#   tos_peer.py udp ADDRESS        a UDP receiver (IP_RECVTOS / IPV6_RECVTCLASS): prints
#                                  "port N", then "tos 0xNN" for the first datagram
#   tos_peer.py sniff FAMILY PROTO PORT
#                                  a raw socket that sees the packets of PROTO (tcp, icmp)
#                                  arriving for PORT (for icmp: echo requests), prints
#                                  "ready", then "tos 0xNN" for the first one
# Exits after the first packet or after --lifetime seconds.
import argparse
import select
import socket
import struct
import sys
import time

IP_RECVTOS = getattr(socket, "IP_RECVTOS", 13)
IPV6_RECVTCLASS = getattr(socket, "IPV6_RECVTCLASS", 66)
IPV6_TCLASS = getattr(socket, "IPV6_TCLASS", 67)


def tos_of(anc):
    for level, kind, value in anc:
        if (level, kind) in ((socket.IPPROTO_IP, socket.IP_TOS), (socket.IPPROTO_IPV6, IPV6_TCLASS)):
            return value[0] if len(value) == 1 else int.from_bytes(value[:4], sys.byteorder)
    return None


def udp(args):
    fam = socket.AF_INET6 if ":" in args.address else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_DGRAM)
    if fam == socket.AF_INET:
        s.setsockopt(socket.IPPROTO_IP, IP_RECVTOS, 1)
    else:
        s.setsockopt(socket.IPPROTO_IPV6, IPV6_RECVTCLASS, 1)
    s.bind((args.address, 0))
    print("port", s.getsockname()[1], flush=True)
    s.settimeout(args.lifetime)
    data, anc, flags, frm = s.recvmsg(70000, 256)
    print("tos 0x%02x" % tos_of(anc), flush=True)


def matches(payload, proto, port):
    if proto == "icmp":
        return len(payload) >= 1 and payload[0] in (8, 128)
    return len(payload) >= 4 and struct.unpack("!H", payload[2:4])[0] == port


def sniff(args):
    v6 = args.family == "6"
    proto = {"tcp": socket.IPPROTO_TCP, "icmp": socket.IPPROTO_ICMPV6 if v6 else socket.IPPROTO_ICMP}[args.proto]
    s = socket.socket(socket.AF_INET6 if v6 else socket.AF_INET, socket.SOCK_RAW, proto)
    if v6:
        s.setsockopt(socket.IPPROTO_IPV6, IPV6_RECVTCLASS, 1)
    print("ready", flush=True)
    end = time.monotonic() + args.lifetime
    while time.monotonic() < end:
        if not select.select([s], [], [], max(end - time.monotonic(), 0))[0]:
            break
        data, anc, flags, frm = s.recvmsg(70000, 256)
        if v6:
            tos, payload = tos_of(anc), data
        else:
            tos, payload = data[1], data[(data[0] & 0x0F) * 4:]
        if matches(payload, args.proto, args.port):
            print("tos 0x%02x" % tos, flush=True)
            return 0
    return 1


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lifetime", type=float, default=10.0)
    sub = ap.add_subparsers(dest="mode", required=True)
    u = sub.add_parser("udp")
    u.add_argument("address")
    sn = sub.add_parser("sniff")
    sn.add_argument("family", choices=["4", "6"])
    sn.add_argument("proto", choices=["tcp", "icmp"])
    sn.add_argument("port", type=int)
    args = ap.parse_args()
    return udp(args) if args.mode == "udp" else sniff(args)


if __name__ == "__main__":
    sys.exit(main())
