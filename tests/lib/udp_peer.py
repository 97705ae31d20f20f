#!/usr/bin/env python3
# udp_peer.py MODE ARGS...: python3 UDP peers of udp-send and udp-recv.
#   recv ADDRESS COUNT TIMEOUT PREFIX [PORT]
#       binds (PORT 0 by default) and prints "port N"; then per datagram
#       "LENGTH ADDRESS PORT TTL" (the TTL or hop limit it arrived with) with datagram i
#       written to PREFIX.i; "done N" after COUNT datagrams or TIMEOUT seconds of silence
#   echo ADDRESS
#       binds, prints "port N", answers each datagram with "re:" and the datagram (10 s)
#   say ADDRESS PORT TEXT...
#       one datagram per TEXT; "hex:HEX" sends those bytes, "file:PATH" that file's
#   send-random ADDRESS PORT COUNT SIZE FILE
#       COUNT datagrams of SIZE random bytes, each different, all also written to FILE
import os
import socket
import sys

import peer


def udp(addr):
    return socket.socket(peer.family(addr), socket.SOCK_DGRAM)


def recv(addr, count, timeout, prefix, port=0):
    s = udp(addr)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    if s.family == socket.AF_INET:
        s.setsockopt(socket.IPPROTO_IP, getattr(socket, "IP_RECVTTL", 12), 1)
    else:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_RECVHOPLIMIT, 1)
    s.bind((addr, int(port)))
    print("port", s.getsockname()[1], flush=True)
    s.settimeout(float(timeout))
    n = 0
    while n < int(count):
        try:
            data, anc, flags, frm = s.recvmsg(70000, 64)
        except socket.timeout:
            break
        ttl = "-"
        for level, kind, value in anc:
            ttl = int.from_bytes(value[:4], sys.byteorder)
        with open("%s.%d" % (prefix, n), "wb") as f:
            f.write(data)
        print(len(data), frm[0], frm[1], ttl, flush=True)
        n += 1
    print("done", n, flush=True)


def echo(addr):
    s = udp(addr)
    s.bind((addr, 0))
    print("port", s.getsockname()[1], flush=True)
    s.settimeout(10)
    while True:
        data, frm = s.recvfrom(70000)
        s.sendto(b"re:" + data, frm)


def payload(text):
    if text.startswith("hex:"):
        return bytes.fromhex(text[4:])
    if text.startswith("file:"):
        with open(text[5:], "rb") as f:
            return f.read()
    return text.encode()


def say(addr, port, *texts):
    s = udp(addr)
    for text in texts:
        s.sendto(payload(text), (addr, int(port)))


def send_random(addr, port, count, size, path):
    s = udp(addr)
    with open(path, "wb") as f:
        for _ in range(int(count)):
            data = os.urandom(int(size))
            s.sendto(data, (addr, int(port)))
            f.write(data)


MODES = {"recv": recv, "echo": echo, "say": say, "send-random": send_random}

if len(sys.argv) < 3 or sys.argv[1] not in MODES:
    peer.usage("udp_peer.py", MODES)
MODES[sys.argv[1]](*sys.argv[2:])
