#!/usr/bin/env python3
# sockdiag_reply.py KIND: one datagram of a NETLINK_SOCK_DIAG dump reply, in hex, built with
# struct (not by sockt) for the parser's unit tests; its messages carry sequence number 7.
#   dump        a TIME_WAIT socket 127.0.0.1:8080-127.0.0.1:54321 (40 s left), a LISTEN
#               socket [::1]:8080, one of another dump (seq 8), one of family AF_UNIX,
#               a socket on port 9, then NLMSG_DONE
#   partial     the TIME_WAIT socket alone, the dump not done
#   error       NLMSG_ERROR with EPERM
#   done-error  NLMSG_DONE carrying EINTR (a dump that failed part way)
#   cut         a message longer than the datagram
import socket
import struct
import sys

NLMSG_ERROR, NLMSG_DONE, SOCK_DIAG_BY_FAMILY = 2, 3, 20


def message(kind, body, seq=7):
    msg = struct.pack("=IHHII", 16 + len(body), kind, 2, seq, 0) + body
    return msg + b"\0" * (-len(msg) % 4)


def diag(family, state, timer, sport, src, dport, dst, expires=0, inode=0, seq=7):
    def addr(a):
        return socket.inet_pton(family, a).ljust(16, b"\0")
    body = struct.pack("=BBBB", family, state, timer, 0) + struct.pack("!HH", sport, dport)
    body += addr(src) + addr(dst) + struct.pack("=III", 0, 0, 0)
    body += struct.pack("=IIIII", expires, 0, 0, 0, inode)
    return message(SOCK_DIAG_BY_FAMILY, body, seq)


TIME_WAIT = diag(socket.AF_INET, 6, 3, 8080, "127.0.0.1", 54321, "127.0.0.1", expires=40000)
LISTEN6 = diag(socket.AF_INET6, 10, 0, 8080, "::1", 0, "::", inode=777)
KINDS = {
    "dump": lambda: TIME_WAIT + LISTEN6
    + diag(socket.AF_INET, 1, 0, 1, "10.0.0.1", 2, "10.0.0.2", seq=8)
    + message(SOCK_DIAG_BY_FAMILY, struct.pack("=BBBB", socket.AF_UNIX, 1, 0, 0) + b"\0" * 68)
    + diag(socket.AF_INET, 1, 0, 9, "127.0.0.1", 40000, "127.0.0.1")
    + message(NLMSG_DONE, struct.pack("=i", 0)),
    "partial": lambda: TIME_WAIT,
    "error": lambda: message(NLMSG_ERROR, struct.pack("=i", -1) + b"\0" * 16),
    "done-error": lambda: message(NLMSG_DONE, struct.pack("=i", -4)),
    "cut": lambda: TIME_WAIT[:40],
}

if len(sys.argv) != 2 or sys.argv[1] not in KINDS:
    sys.exit("usage: sockdiag_reply.py " + "|".join(KINDS))
print(KINDS[sys.argv[1]]().hex())
