#!/usr/bin/env python3
# from_peer.py MODE SOURCE HOST PORT [TEXT]: a python3 client that sends from the local
# address SOURCE (127.0.0.2 and 127.0.0.1 are both loopback), the peer of access.bats.
#   tcp   sends TEXT, shuts down, prints the answer, or "RST" when the server reset it
#   udp   sends TEXT as one datagram
import errno
import socket
import sys

import peer


def tcp(source, host, port, text):
    s = socket.socket(peer.family(host), socket.SOCK_STREAM)
    s.settimeout(10)
    s.bind((source, 0))
    try:
        s.connect((host, int(port)))
        s.sendall(text.encode())
        s.shutdown(socket.SHUT_WR)
        sys.stdout.write(peer.read_all(s).decode(errors="replace"))
    except (ConnectionResetError, BrokenPipeError):
        print("RST")
    except OSError as e:
        # A reset that came before our shutdown leaves the socket unconnected.
        if e.errno != errno.ENOTCONN:
            raise
        print("RST")


def udp(source, host, port, text):
    s = socket.socket(peer.family(host), socket.SOCK_DGRAM)
    s.bind((source, 0))
    s.sendto(text.encode(), (host, int(port)))


if __name__ == "__main__":
    {"tcp": tcp, "udp": udp}[sys.argv[1]](*sys.argv[2:5], sys.argv[5] if len(sys.argv) > 5 else "")
