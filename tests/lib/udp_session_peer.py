#!/usr/bin/env python3
# udp_session_peer.py ADDRESS PORT STEP...: a python3 UDP peer that talks both ways, for
# udp-session.bats. It binds an ephemeral port of ADDRESS's family (PORT 0: it only listens,
# and answers whoever sent the first datagram), prints "port N", then runs each STEP in order:
#   send:TEXT    one datagram TEXT (to PORT, or to the first sender when PORT is 0)
#   size:N       one datagram of N bytes ("x" repeated)
#   recv         one datagram, printed as "got LENGTH ADDRESS PORT TEXT" (TEXT up to 40 bytes)
#   wait:FILE    until FILE exists
# Every wait ends after 10 s ("timeout" printed, status 1).
import os
import socket
import sys
import time

import peer


def main(addr, port, *steps):
    s = socket.socket(peer.family(addr), socket.SOCK_DGRAM)
    s.bind((addr, 0))
    s.settimeout(10)
    print("port", s.getsockname()[1], flush=True)
    to = (addr, int(port)) if int(port) else None
    for step in steps:
        kind, _, arg = step.partition(":")
        if kind in ("send", "size"):
            s.sendto(arg.encode() if kind == "send" else b"x" * int(arg), to)
        elif kind == "recv":
            try:
                data, frm = s.recvfrom(70000)
            except socket.timeout:
                print("timeout", flush=True)
                return 1
            to = to or frm
            print("got", len(data), frm[0], frm[1], data[:40].decode(errors="replace"),
                  flush=True)
        elif kind == "wait":
            for _ in range(500):
                if os.path.exists(arg):
                    break
                time.sleep(0.02)
            else:
                print("timeout", flush=True)
                return 1
        else:
            print("unknown step", step, file=sys.stderr)
            return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
