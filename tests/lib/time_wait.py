#!/usr/bin/env python3
# time_wait.py N REUSE PORT: N connections on 127.0.0.1 whose server side closes first, so
# that the server's port holds N TIME_WAIT sockets. REUSE 0 makes the listener without
# SO_REUSEADDR; PORT 0 lets the kernel choose. Prints the port.
import socket
import sys

n, reuse, port = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
srv = socket.socket()
# Bound before SO_REUSEADDR is set, so that the kernel picks a port no socket uses,
# not one where TIME_WAIT from an earlier test lingers.
srv.bind(("127.0.0.1", port))
if reuse:
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.listen(16)
port = srv.getsockname()[1]
for _ in range(n):
    c = socket.create_connection(srv.getsockname(), timeout=5)
    a, _ = srv.accept()
    a.close()              # the active close: TIME_WAIT stays on the server's port
    c.recv(1)              # the client sees EOF and closes too
    c.close()
srv.close()
print(port)
