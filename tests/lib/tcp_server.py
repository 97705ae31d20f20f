#!/usr/bin/env python3
# tcp_server.py MODE HOST PORT [ARG]: a python3 TCP server for one connection, the peer of
# connect, send and the other clients under test. PORT 0 lets the kernel choose; the bound
# port is the first line on stdout, once it listens (common.bash's tcp_server waits for it).
#   echo         sends back what it receives, until EOF
#   after-eof    answers "got N bytes" only once the client's EOF arrived
#   peername     says "peer ADDRESS PORT" and closes
#   say          says ARG (may be empty) and closes
#   watch        says "hello", then writes how the client closed ("EOF after N bytes" or
#                "RST after N bytes") to the file ARG
#   greet        says "hello", writes "N bytes" that came within 300 ms to the file ARG, closes
#   drain        reads until EOF or RST, then closes (the client closes first)
#   reset        reads until EOF, then closes with RST (SO_LINGER 0)
#   reset-early  a 4 KiB receive buffer; reads 1000 bytes, then closes with RST
#   sha          answers the sha256 of everything received, after EOF
#   source       reads until EOF, then sends the file ARG (stopping quietly at a reset)
#   record-hold  writes what came to the file ARG, answers, holds the connection 5 s
#   silent       accepts, sends nothing, closes after 5 s
import hashlib
import socket
import sys
import time

import peer


def echo(c, arg):
    while True:
        b = c.recv(65536)
        if not b:
            break
        c.sendall(b)


def watch(c, arg):
    c.sendall(b"hello\n")
    n, how = 0, "EOF"
    try:
        n = peer.count_all(c)
    except ConnectionResetError:
        how = "RST"
    with open(arg, "w") as f:
        f.write("%s after %d bytes\n" % (how, n))


def greet(c, arg):
    c.sendall(b"hello\n")
    c.settimeout(0.3)
    n = 0
    try:
        while True:
            b = c.recv(65536)
            if not b:
                break
            n += len(b)
    except socket.timeout:
        pass
    with open(arg, "w") as f:
        f.write("%d bytes\n" % n)


def drain(c, arg):
    try:
        peer.count_all(c)
    except ConnectionResetError:
        pass


def sha(c, arg):
    h = hashlib.sha256()
    while True:
        b = c.recv(262144)
        if not b:
            break
        h.update(b)
    c.sendall((h.hexdigest() + "\n").encode())


def source(c, arg):
    peer.count_all(c)
    try:
        peer.send_file(c, arg)
    except (BrokenPipeError, ConnectionResetError):
        pass


def record_hold(c, arg):
    with open(arg, "wb") as f:
        f.write(peer.read_all(c))
    c.sendall(b"an answer nobody waits for\n")
    time.sleep(5)


MODES = {
    "echo": echo,
    "after-eof": lambda c, arg: c.sendall(b"got %d bytes\n" % peer.count_all(c)),
    "peername": lambda c, arg: c.sendall(("peer %s %d\n" % c.getpeername()[:2]).encode()),
    "say": lambda c, arg: c.sendall((arg or "").encode()),
    "watch": watch,
    "greet": greet,
    "drain": drain,
    "reset": lambda c, arg: (peer.count_all(c), peer.reset(c)),
    "reset-early": lambda c, arg: (c.recv(1000), peer.reset(c)),
    "sha": sha,
    "source": source,
    "record-hold": record_hold,
    "silent": lambda c, arg: time.sleep(5),
}


def main():
    if len(sys.argv) < 4 or sys.argv[1] not in MODES:
        peer.usage("tcp_server.py", MODES)
    mode, host, port = sys.argv[1], sys.argv[2], sys.argv[3]
    arg = sys.argv[4] if len(sys.argv) > 4 else None
    ls = peer.listener(host, port, reuse=True, rcvbuf=4096 if mode == "reset-early" else None)
    peer.announce(ls)
    c, _ = peer.accept_one(ls, timeout=20)
    MODES[mode](c, arg)
    c.close()


main()
