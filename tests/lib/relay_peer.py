#!/usr/bin/env python3
"""relay_peer.py MODE [ARGS]: real TCP peers for sockt's relay tests, on loopback only.

Servers bind 127.0.0.1 port 0, print their port on the first stdout line, serve one
connection and print what they saw. Clients take HOST PORT. Every wait is bounded.

  answer-after N DELAY      server: reads the request, waits DELAY s, sends N bytes,
                            shuts down; prints "sent N then EOF|RST" (how sockt
                            ended) or "send failed: ERRNO"
  send-reset N              server: sends N bytes, then closes with RST
  talk-then-read DATA       server: sends DATA, shuts down, prints all it receives
  never-read SECS           server: accepts, reads nothing for SECS s, closes
  send N [reset]            client: sends N bytes (then RST instead of FIN), prints
                            "M then EOF" (M bytes came back) or "RST"
  sha-send N                client: sends N bytes of noise and half-closes; prints
                            their sha256 and reads until EOF
  trickle HOST PORT N SECS  N clients that each send a byte every second for SECS s
  real HOST PORT MSG        a client that sends MSG, half-closes and prints the
                            seconds until sockt's EOF came back
"""
import hashlib
import os
import socket
import sys
import threading
import time

import peer

TIMEOUT = 20


def serve_one():
    ls = socket.socket()
    ls.bind(("127.0.0.1", 0))
    ls.listen(1)
    print(ls.getsockname()[1], flush=True)
    ls.settimeout(TIMEOUT)
    s, _ = ls.accept()
    s.settimeout(TIMEOUT)
    ls.close()
    return s


def connect(host, port):
    s = socket.create_connection((host, int(port)), timeout=TIMEOUT)
    return s


def pattern(n):
    return (bytes(range(256)) * (n // 256 + 1))[:n]


def main():
    mode, args = sys.argv[1], sys.argv[2:]
    if mode == "answer-after":
        s = serve_one()
        s.recv(65536)
        time.sleep(float(args[1]))
        try:
            s.sendall(pattern(int(args[0])))
            s.shutdown(socket.SHUT_WR)
        except OSError as e:
            print("send failed:", e.errno, flush=True)
            return
        try:
            peer.count_all(s)
            print("sent", args[0], "then EOF", flush=True)
        except ConnectionResetError:
            print("sent", args[0], "then RST", flush=True)
        s.close()
    elif mode == "send-reset":
        s = serve_one()
        s.sendall(pattern(int(args[0])))
        time.sleep(0.2)
        peer.reset(s)
    elif mode == "talk-then-read":
        s = serve_one()
        s.sendall(args[0].encode())
        s.shutdown(socket.SHUT_WR)
        sys.stdout.buffer.write(b"got: ")
        while True:
            b = s.recv(65536)
            if not b:
                break
            sys.stdout.buffer.write(b)
        sys.stdout.flush()
        s.close()
    elif mode == "never-read":
        s = serve_one()
        time.sleep(float(args[0]))
        s.close()
    elif mode == "send":
        s = connect(args[0], args[1])
        s.sendall(pattern(int(args[2])))
        if len(args) > 3 and args[3] == "reset":
            peer.reset(s)
            return
        s.shutdown(socket.SHUT_WR)
        try:
            print(peer.count_all(s), "then EOF", flush=True)
        except ConnectionResetError:
            print("RST", flush=True)
    elif mode == "sha-send":
        s = connect(args[0], args[1])
        data = os.urandom(int(args[2]))
        print(hashlib.sha256(data).hexdigest(), flush=True)
        s.sendall(data)
        s.shutdown(socket.SHUT_WR)
        peer.count_all(s)
    elif mode == "trickle":
        n, secs = int(args[2]), float(args[3])
        socks = []
        for _ in range(n):
            try:
                socks.append(connect(args[0], args[1]))
            except OSError:
                pass
        end = time.monotonic() + secs
        while time.monotonic() < end:
            for s in list(socks):
                try:
                    s.send(b".")
                except OSError:
                    socks.remove(s)
            time.sleep(1)
        print("trickled on", len(socks), flush=True)
    elif mode == "real":
        start = time.monotonic()
        s = connect(args[0], args[1])
        s.sendall(args[2].encode())
        s.shutdown(socket.SHUT_WR)
        peer.count_all(s)
        print("%.2f" % (time.monotonic() - start), flush=True)
    else:
        sys.exit("relay_peer.py: unknown mode " + mode)


if __name__ == "__main__":
    main()
