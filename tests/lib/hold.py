#!/usr/bin/env python3
# hold.py KIND HOST PORT... [--reuseaddr] [--lifetime SECONDS]: python3 sockets held open
# in the background: KIND "tcp" listens on each PORT, "udp" is bound to it (0 lets the
# kernel choose). Prints each bound port on a line of its own, then "ready"; exits after
# the lifetime (30 s by default) or when killed.
import socket
import sys
import time

import peer

args = sys.argv[1:]
reuse = "--reuseaddr" in args
lifetime = 30.0
if "--lifetime" in args:
    i = args.index("--lifetime")
    lifetime = float(args[i + 1])
    del args[i:i + 2]
args = [a for a in args if a != "--reuseaddr"]
if len(args) < 3 or args[0] not in ("tcp", "udp"):
    sys.exit("usage: hold.py tcp|udp HOST PORT... [--reuseaddr] [--lifetime SECONDS]")
kind, host, ports = args[0], args[1], args[2:]
held = []
for p in ports:
    if kind == "tcp":
        s = peer.listener(host, p, backlog=128, reuse=reuse)
    else:
        s = socket.socket(peer.family(host), socket.SOCK_DGRAM)
        if reuse:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((host, int(p)))
    peer.announce(s)
    held.append(s)
print("ready", flush=True)
time.sleep(lifetime)
