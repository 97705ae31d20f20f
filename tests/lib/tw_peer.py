#!/usr/bin/env python3
# tw_peer.py MODE HOST PORT N: the two ends of N short TCP connections whose client closes
# first, so that the client's side keeps them in TIME_WAIT (its local ports stay taken).
#   serve    listens on HOST PORT, prints "ready", then for each of N connections reads to
#            EOF and closes; exits after N or 10 s without one
#   connect  opens N connections to HOST PORT one after another; each sends its FIN first,
#            waits for the server's, and closes; prints "done N"
import socket
import sys

mode, host, port, n = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
family = socket.AF_INET6 if ":" in host else socket.AF_INET

if mode == "serve":
    srv = socket.socket(family)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((host, port))
    srv.listen(64)
    srv.settimeout(10)
    print("ready", flush=True)
    for _ in range(n):
        try:
            a, _ = srv.accept()
        except socket.timeout:
            break
        a.settimeout(5)
        while a.recv(4096):
            pass
        a.close()
else:
    for _ in range(n):
        c = socket.create_connection((host, port), timeout=5)
        c.shutdown(socket.SHUT_WR)  # the active close: TIME_WAIT stays on this side
        while c.recv(4096):
            pass
        c.close()
    print("done %d" % n, flush=True)
