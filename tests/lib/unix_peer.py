# tests/lib/unix_peer.py: python3 peers on Unix sockets for tests/unix.bats. Every blocking
# call has a timeout.
#   unix_peer.py hold PATH                 listen (stream), say "ready", accept and keep
#                                          connections until killed (at most 60 s)
#   unix_peer.py stale PATH                bind PATH (stream), exit without removing it
#   unix_peer.py seq-server PATH           listen (seqpacket), say "ready", accept one and
#                                          answer each record R with "<R>", until EOF
#   unix_peer.py seq-client PATH REC...    send each record, print each reply on a line
#   unix_peer.py pid-client PATH           print its pid, connect, send "x", read to EOF
# PATH "@name" is an abstract name.
import os
import socket
import sys
import time


def address(path):
    return "\0" + path[1:] if path.startswith("@") else path


def listener(path, kind):
    s = socket.socket(socket.AF_UNIX, kind)
    s.bind(address(path))
    s.listen(8)
    print("ready", flush=True)
    s.settimeout(60)
    return s


def hold(path):
    s = listener(path, socket.SOCK_STREAM)
    kept, end = [], time.monotonic() + 60
    while time.monotonic() < end:
        try:
            c, _ = s.accept()
        except socket.timeout:
            break
        kept.append(c)


def seq_server(path):
    s = listener(path, socket.SOCK_SEQPACKET)
    c, _ = s.accept()
    c.settimeout(10)
    for _ in range(1000):
        rec = c.recv(65536)
        if not rec:
            break
        c.send(b"<" + rec + b">")
    c.close()


def seq_client(path, records):
    c = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    c.settimeout(10)
    c.connect(address(path))
    for r in records:
        c.send(r.encode())
        print(c.recv(65536).decode(), flush=True)
    c.close()


def pid_client(path):
    print(os.getpid(), flush=True)
    c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    c.settimeout(10)
    c.connect(address(path))
    c.sendall(b"x")
    c.shutdown(socket.SHUT_WR)
    while c.recv(65536):
        pass


def main():
    mode, path = sys.argv[1], sys.argv[2]
    if mode == "hold":
        hold(path)
    elif mode == "stale":
        socket.socket(socket.AF_UNIX, socket.SOCK_STREAM).bind(address(path))
    elif mode == "seq-server":
        seq_server(path)
    elif mode == "seq-client":
        seq_client(path, sys.argv[3:])
    elif mode == "pid-client":
        pid_client(path)
    else:
        sys.exit("unknown mode " + mode)


main()
