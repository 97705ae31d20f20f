#!/usr/bin/env python3
# accept_peer.py HOST PORT... [--lifetime SECONDS]: TCP listeners that accept every
# connection and close it once the client has closed (EOF or reset), so that the client
# closes first: a client's normal close then leaves its TIME_WAIT on the client's side.
# Prints "ready" once listening; exits after the lifetime (30 s by default) or when killed.
import selectors
import sys
import time

import peer

args = sys.argv[1:]
lifetime = 30.0
if "--lifetime" in args:
    i = args.index("--lifetime")
    lifetime = float(args[i + 1])
    del args[i:i + 2]
host, ports = args[0], args[1:]
sel = selectors.DefaultSelector()
for p in ports:
    ls = peer.listener(host, p, backlog=512, reuse=True)
    ls.setblocking(False)
    sel.register(ls, selectors.EVENT_READ, "listener")
print("ready", flush=True)
end = time.monotonic() + lifetime
while time.monotonic() < end:
    for key, _ in sel.select(timeout=0.5):
        s = key.fileobj
        if key.data == "listener":
            try:
                c, _ = s.accept()
            except BlockingIOError:
                continue
            c.setblocking(False)
            sel.register(c, selectors.EVENT_READ, "conn")
            continue
        try:
            data = s.recv(4096)
        except BlockingIOError:
            continue
        except ConnectionResetError:
            data = b""
        if not data:
            sel.unregister(s)
            s.close()
