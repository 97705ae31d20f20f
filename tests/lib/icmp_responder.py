#!/usr/bin/env python3
# tests/lib/icmp_responder.py: answers ICMP and ICMPv6 echo requests from raw sockets, the way a
# test wants them answered: late, only some, twice, damaged, larger than asked, or with
# another identifier.
# Run it in a network namespace whose kernel does not answer echo requests itself
# (net.ipv4.icmp_echo_ignore_all=1, net.ipv6.icmp.echo_ignore_all=1).
# Prints "ready" once both sockets are open; exits after --lifetime seconds.
import argparse
import heapq
import select
import socket
import struct
import sys
import time

from peer import with_checksum


def reply_for(message, v6, args):
    """The reply to one echo request (ICMP header on), or None to stay silent."""
    if len(message) < 8 or message[0] != (128 if v6 else 8):
        return None
    ident, seq = struct.unpack("!HH", message[4:8])
    if args.every and seq % args.every != 1 % args.every:
        return None
    payload = bytearray(message[8:])
    if args.reply_size is not None:  # longer: the request's pattern (byte i is i & 0xff) goes on
        payload = (payload + bytes(i & 0xFF for i in range(len(payload), args.reply_size)))[: args.reply_size]
    if args.damage is not None and args.damage < len(payload):
        payload[args.damage] ^= 0xFF
    if args.foreign_id:
        ident ^= 0x8001
    header = struct.pack("!BBHHH", 129 if v6 else 0, 0, 0, ident, seq)
    packet = header + bytes(payload)
    if not v6:  # the kernel sums ICMPv6 itself
        packet = with_checksum(packet)
    return packet


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--delay", type=float, default=0.0, help="seconds before each reply")
    ap.add_argument("--every", type=int, default=0, help="answer only sequence numbers 1, 1+N, ...")
    ap.add_argument("--dup", action="store_true", help="send every reply twice")
    ap.add_argument("--damage", type=int, help="flip this payload byte")
    ap.add_argument("--foreign-id", action="store_true", help="reply with another identifier")
    ap.add_argument("--reply-size", type=int, help="answer with a payload of this many bytes")
    ap.add_argument("--lifetime", type=float, default=30.0)
    args = ap.parse_args()

    s4 = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    s6 = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
    print("ready", flush=True)
    due = []  # (time, order, socket, packet, address)
    order = 0
    end = time.monotonic() + args.lifetime
    while time.monotonic() < end:
        now = time.monotonic()
        while due and due[0][0] <= now:
            _, _, sock, packet, address = heapq.heappop(due)
            sock.sendto(packet, address)
        timeout = min(end - now, (due[0][0] - now) if due else 1.0)
        readable, _, _ = select.select([s4, s6], [], [], max(timeout, 0))
        for sock in readable:
            data, address = sock.recvfrom(65536)
            v6 = sock is s6
            if not v6:
                data = data[(data[0] & 0x0F) * 4:]  # IPv4 raw sockets give the IP header
                address = (address[0], 0)
            packet = reply_for(data, v6, args)
            if packet is None:
                continue
            for _ in range(2 if args.dup else 1):
                order += 1
                heapq.heappush(due, (time.monotonic() + args.delay, order, sock, packet, address))
    return 0


if __name__ == "__main__":
    sys.exit(main())
