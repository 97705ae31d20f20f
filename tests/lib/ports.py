#!/usr/bin/env python3
# ports.py MODE ...: port numbers free right now, for tests that must name a port before
# anything listens on it.
#   free tcp|udp ADDRESS   one port the kernel has just handed out and freed
#   block N                a base port with BASE..BASE+N-1 free on 127.0.0.1 and ::1 both
import random
import socket
import sys

import peer


def free(kind, address):
    s = socket.socket(peer.family(address),
                      socket.SOCK_STREAM if kind == "tcp" else socket.SOCK_DGRAM)
    s.bind((address, 0))
    print(s.getsockname()[1])


def block(n):
    for _ in range(200):
        base = random.randrange(20000, 30000)
        held = []
        try:
            for p in range(base, base + int(n)):
                for fam, addr in ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")):
                    s = socket.socket(fam)
                    held.append(s)
                    s.bind((addr, p))
            print(base)
            return
        except OSError:
            pass
        finally:
            for s in held:
                s.close()
    sys.exit("ports.py: no block of %s free ports found" % n)


MODES = {"free": free, "block": block}
if len(sys.argv) < 3 or sys.argv[1] not in MODES:
    peer.usage("ports.py", MODES)
MODES[sys.argv[1]](*sys.argv[2:])
