#!/usr/bin/env python3
# tcp_client.py MODE HOST PORT [ARG]: a python3 TCP client, the peer of listen and the other
# servers under test.
#   after-eof  answers "got N bytes" only once the server's EOF (its half-close) arrived
#   send       like nc -N: sends ARG, shuts down, prints everything until EOF
#   both       sends the file ARG while receiving; the received bytes go to stdout
#   reset      sends a byte, then closes with RST
#   no-eof     says whether an EOF came within ARG seconds ("eof" or "open"), sends "bye"
#   hold       says how the server ended the connection: EOF, data, or RST (a fast RST may
#              even beat connect's return)
#   refused    says "refused" or "connected"
#   echo-many  ARG clients at once, each sending its own 256 KiB and checking the echo
#   line       waits for one line (a broadcast), prints it, sends ARG, closes
import os
import select
import socket
import sys
import threading

import peer


def both(host, port, path):
    s = peer.client(host, port)

    def sender():
        peer.send_file(s, path)
        s.shutdown(socket.SHUT_WR)

    t = threading.Thread(target=sender)
    t.start()
    while True:
        b = s.recv(262144)
        if not b:
            break
        sys.stdout.buffer.write(b)
    t.join()


def no_eof(host, port, seconds):
    s = peer.client(host, port)
    r, _, _ = select.select([s], [], [], float(seconds))
    print("eof" if r and s.recv(1) == b"" else "open", flush=True)
    s.sendall(b"bye\n")
    s.close()


def hold(host, port, arg):
    try:
        s = peer.client(host, port)
        print("EOF" if peer.read_all(s) == b"" else "data")
    except ConnectionResetError:
        print("RST")


def refused(host, port, arg):
    try:
        peer.client(host, port)
        print("connected")
    except ConnectionRefusedError:
        print("refused")


def echo_many(host, port, count):
    def one(i, res):
        data = os.urandom(262144)
        s = peer.client(host, port)

        def send():
            s.sendall(data)
            s.shutdown(socket.SHUT_WR)

        t = threading.Thread(target=send)
        t.start()
        back = peer.read_all(s)
        t.join()
        res[i] = back == data

    n = int(count)
    res = [False] * n
    ts = [threading.Thread(target=one, args=(i, res)) for i in range(n)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    print("%d of %d echoed" % (sum(res), n))


def line(host, port, text):
    s = peer.client(host, port)
    print(s.makefile("rb").readline().decode().strip(), flush=True)
    s.sendall(text.encode())
    s.close()


def reset(host, port, arg):
    s = peer.client(host, port)
    s.sendall(b"x")
    peer.reset(s)


def send(host, port, text):
    s = peer.client(host, port)
    s.sendall(text.encode())
    s.shutdown(socket.SHUT_WR)
    sys.stdout.buffer.write(peer.read_all(s))


MODES = {
    "after-eof": lambda host, port, arg: peer.reply_after_eof(peer.client(host, port)),
    "send": send,
    "both": both,
    "reset": reset,
    "no-eof": no_eof,
    "hold": hold,
    "refused": refused,
    "echo-many": echo_many,
    "line": line,
}

if len(sys.argv) < 4 or sys.argv[1] not in MODES:
    peer.usage("tcp_client.py", MODES)
MODES[sys.argv[1]](sys.argv[2], sys.argv[3], sys.argv[4] if len(sys.argv) > 4 else None)
