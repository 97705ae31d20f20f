#!/usr/bin/env python3
# delayer.py NS_A DEV_A NS_B DEV_B DELAY_MS [SECONDS]: a link with a known delay, for tests
# that need a real round-trip time (these kernels have no netem). It makes a TUN device DEV_A
# in namespace NS_A and DEV_B in NS_B, says "ready" on stdout, and from then on each IP packet
# that one namespace routes into its device comes out of the other's DELAY_MS later: the
# round trip between the two gains twice DELAY_MS. Packets wait in a queue ordered by release
# time, at most MAX_QUEUE of them (more are dropped, as a full link would); it exits after
# SECONDS (30 by default). The test gives the devices their addresses and brings them up.
import ctypes
import fcntl
import heapq
import os
import select
import struct
import sys
import time

TUNSETIFF = 0x400454CA
IFF_TUN = 0x0001
IFF_NO_PI = 0x1000
CLONE_NEWNET = 0x40000000
MAX_QUEUE = 4096

libc = ctypes.CDLL(None, use_errno=True)


def enter(ns):
    """Moves this thread into the named namespace (ip netns keeps them in /run/netns)."""
    fd = os.open("/run/netns/" + ns, os.O_RDONLY)
    try:
        if libc.setns(fd, CLONE_NEWNET) != 0:
            err = ctypes.get_errno()
            raise OSError(err, "setns " + ns + ": " + os.strerror(err))
    finally:
        os.close(fd)


def tun(ns, name):
    enter(ns)
    fd = os.open("/dev/net/tun", os.O_RDWR | os.O_NONBLOCK)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", name.encode(), IFF_TUN | IFF_NO_PI))
    return fd


def main():
    ns_a, dev_a, ns_b, dev_b = sys.argv[1:5]
    delay = float(sys.argv[5]) / 1000
    end = time.monotonic() + (float(sys.argv[6]) if len(sys.argv) > 6 else 30)
    a = tun(ns_a, dev_a)
    b = tun(ns_b, dev_b)
    other = {a: b, b: a}
    print("ready", flush=True)
    queue = []  # (release time, sequence, output fd, packet)
    seq = 0
    while True:
        now = time.monotonic()
        if now >= end:
            return
        while queue and queue[0][0] <= now:
            _, _, out, pkt = heapq.heappop(queue)
            try:
                os.write(out, pkt)
            except OSError:
                pass  # a device that is down drops it, as a wire would
        wait = min(end - now, queue[0][0] - now if queue else end - now)
        ready, _, _ = select.select([a, b], [], [], max(wait, 0))
        for fd in ready:
            for _ in range(64):
                try:
                    pkt = os.read(fd, 65536)
                except BlockingIOError:
                    break
                if len(queue) < MAX_QUEUE:
                    seq += 1
                    heapq.heappush(queue, (time.monotonic() + delay, seq, other[fd], pkt))


if __name__ == "__main__":
    main()
