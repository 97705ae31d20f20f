#!/usr/bin/env python3
# proxy_script.py PROTO RECORD ANSWER...: a scripted proxy on 127.0.0.1 (the port is the
# first line on stdout), the peer of proxy.bats, for one connection per ANSWER, in turn. For
# each it reads the client's handshake of PROTO, writes what it read to the file RECORD (as
# Python's repr of the bytes, one line per message), and gives ANSWER, then after a success
# sends "early\n" in the same segment as the reply and echoes until EOF:
#   socks5   ANSWER: a reply code 0-255; "noauth" (method 255); "auth-N" (asks for RFC 1929
#            credentials, answers status N, then reply 0); "cut" (3 bytes of a success reply,
#            then EOF); "cut-5" (2 bytes: version and code 5, then EOF); "garbage"; "silent"
#   socks4   ANSWER: a reply code (90 grants); "cut"
#   http     ANSWER: a status code; "garbage" (not HTTP); "cut" (a status line, then EOF);
#            "long" (a header that never ends)
# proxy_script.py dest SIZE FILE: the destination behind a real proxy (which may close at the
# client's half-close): reads SIZE bytes, answers their sha256 in hex and a newline, then the
# bytes of FILE, and closes.
import hashlib
import socket
import sys

import peer

REASONS = {200: "Connection established", 403: "Forbidden", 407: "Proxy Authentication Required",
           418: "I'm a teapot", 502: "Bad Gateway"}
GARBAGE = b"SSH-2.0-OpenSSH_9.2\r\n\x00\x01\xff"


def recv_exact(c, n):
    out = b""
    while len(out) < n:
        b = c.recv(n - len(out))
        if not b:
            raise EOFError("client closed")
        out += b
    return out


def recv_until(c, end, limit=65536):
    out = b""
    while not out.endswith(end) and len(out) < limit:
        b = c.recv(1)
        if not b:
            raise EOFError("client closed")
        out += b
    return out


def socks5_auth(c, answer, got):
    head = recv_exact(c, 2)
    user = recv_exact(c, head[1])
    plen = recv_exact(c, 1)
    got.append(head + user + plen + recv_exact(c, plen[0]))
    c.sendall(bytes([1, int(answer[5:])]))
    return answer[5:] == "0"


def socks5(c, answer, got):
    greeting = recv_exact(c, 2)
    got.append(greeting + recv_exact(c, greeting[1]))
    if answer == "garbage":
        c.sendall(GARBAGE)
        return False
    if answer == "noauth":
        c.sendall(b"\x05\xff")
        return False
    c.sendall(b"\x05\x02" if answer.startswith("auth-") else b"\x05\x00")
    if answer.startswith("auth-") and not socks5_auth(c, answer, got):
        return False
    head = recv_exact(c, 4)
    if head[3] == 3:
        head += recv_exact(c, 1)
    got.append(head + recv_exact(c, {1: 4, 4: 16}.get(head[3], head[-1]) + 2))
    if answer == "silent":
        c.settimeout(10)
        peer.read_all(c)
        return False
    if answer in ("cut", "cut-5"):
        c.sendall(b"\x05\x00\x00" if answer == "cut" else b"\x05\x05")
        return False
    code = 0 if answer.startswith("auth-") else int(answer)
    c.sendall(bytes([5, code, 0, 1, 127, 0, 0, 1, 0x30, 0x39]) + (b"early\n" if code == 0 else b""))
    return code == 0


def socks4(c, answer, got):
    head = recv_exact(c, 8)
    rest = recv_until(c, b"\0")
    if head[4:7] == b"\0\0\0" and head[7] != 0:
        rest += recv_until(c, b"\0")
    got.append(head + rest)
    if answer == "cut":
        c.sendall(b"\x00\x5a\x00")
        return False
    code = int(answer)
    c.sendall(bytes([0, code, 0, 0, 0, 0, 0, 0]) + (b"early\n" if code == 90 else b""))
    return code == 90


def http(c, answer, got):
    got.append(recv_until(c, b"\r\n\r\n"))
    if answer == "garbage":
        c.sendall(GARBAGE)
        return False
    if answer == "cut":
        c.sendall(b"HTTP/1.1 200 Connection established\r\nVia: scripted\r\n")
        return False
    if answer == "long":
        c.sendall(b"HTTP/1.1 200 OK\r\n" + b"X-Filler: " + b"x" * 20000)
        c.settimeout(10)
        peer.read_all(c)
        return False
    code = int(answer)
    reply = "HTTP/1.1 %d %s\r\nVia: scripted\r\n\r\n" % (code, REASONS.get(code, "Whatever"))
    c.sendall(reply.encode() + (b"early\n" if code == 200 else b""))
    return code == 200


def dest(size, path):
    c = peer.server("127.0.0.1")
    data = recv_exact(c, int(size)) if int(size) > 0 else b""
    c.sendall(hashlib.sha256(data).hexdigest().encode() + b"\n")
    with open(path, "rb") as f:
        c.sendall(f.read())
    c.close()


def serve(c, proto, answer, record):
    got = []
    try:
        ok = {"socks5": socks5, "socks4": socks4, "http": http}[proto](c, answer, got)
        if ok:
            # The tunnel: an echo, until the client's EOF.
            while True:
                b = c.recv(65536)
                if not b:
                    break
                c.sendall(b)
    except (EOFError, ConnectionError, socket.timeout):
        pass
    finally:
        with open(record, "w") as f:
            for g in got:
                f.write(repr(g) + "\n")
        c.close()


def main():
    if sys.argv[1] == "dest":
        dest(sys.argv[2], sys.argv[3])
        return
    proto, record, answers = sys.argv[1], sys.argv[2], sys.argv[3:]
    ls = peer.listener("127.0.0.1")
    peer.announce(ls)
    ls.settimeout(10)
    for answer in answers:
        c = ls.accept()[0]
        c.settimeout(10)
        serve(c, proto, answer, record)
    ls.close()


main()
