# hostile.py MODE ARGS...: the misbehaving peers of tests/hostile.bats, each a
# real socket on loopback or inside a namespace the test made. Every mode is
# bounded in time; servers print their port as their first line.
import os
import random
import select
import socket
import struct
import sys
import time

from peer import client, family, reply_after_eof, reset, server, with_checksum


def midway_reset(c, send, expect):
    # Sends `send` bytes, takes `expect` of sockt's, then resets: mid-transfer both ways.
    c.sendall(b"r" * send)
    got = 0
    while got < expect:
        d = c.recv(65536)
        if not d:
            break
        got += len(d)
    reset(c)
    print("reset after", got, flush=True)


def flood(c, n):
    # Sends n bytes without reading one; sockt's own sending blocks meanwhile,
    # so this only completes if sockt goes on reading. Then reads all of it.
    c.sendall(b"f" * n)
    print("sent", n, flush=True)
    got = 0
    while True:
        d = c.recv(1 << 20)
        if not d:
            break
        got += len(d)
    print("received", got, flush=True)
    c.close()


def silent(c, limit):
    # Accepts and never sends; says when sockt closed the connection.
    t0 = time.monotonic()
    r, _, _ = select.select([c], [], [], limit)
    if r and c.recv(1) == b"":
        print("closed by sockt after %.1f s" % (time.monotonic() - t0), flush=True)
    else:
        print("still open after %.1f s" % (time.monotonic() - t0), flush=True)


def slowloris(host, port, n, limit):
    # n connections that each send one byte of a request and then stall.
    conns = []
    for _ in range(n):
        c = client(host, port)
        c.sendall(b"G")
        conns.append(c)
    print("opened", n, flush=True)
    t0 = time.monotonic()
    open_ = set(conns)
    while open_ and time.monotonic() - t0 < limit:
        r, _, _ = select.select(list(open_), [], [], 0.1)
        for c in r:
            try:
                d = c.recv(4096)
            except ConnectionResetError:
                d = b""
            if not d:
                open_.discard(c)
    closed = n - len(open_)
    print("%d of %d closed by sockt after %.1f s" % (closed, n, time.monotonic() - t0), flush=True)


def echo_once(host, port, text):
    # One well-behaved client: sends text, waits for its echo.
    c = client(host, port)
    t0 = time.monotonic()
    c.sendall(text.encode())
    got = b""
    while len(got) < len(text):
        d = c.recv(4096)
        if not d:
            break
        got += d
    print("echo %r after %.1f s (port %d)" % (got.decode(errors="replace"),
          time.monotonic() - t0, c.getsockname()[1]), flush=True)
    c.close()


def many(host, port, n, hold):
    # n connections opened at once and held: more than sockt's descriptors allow.
    import resource
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, n + 64)), hard))
    conns = []
    for _ in range(n):
        c = socket.socket(family(host), socket.SOCK_STREAM)
        c.setblocking(False)
        try:
            c.connect((host, int(port)))
        except BlockingIOError:
            pass
        conns.append(c)
    deadline = time.monotonic() + hold
    done = 0
    while time.monotonic() < deadline:
        time.sleep(0.1)
    done = sum(1 for c in conns if is_connected(c))
    for c in conns:
        c.close()
    print("%d connections, %d established" % (n, done), flush=True)


def is_connected(c):
    try:
        c.getpeername()
        return True
    except OSError:
        return False


def stream(c, limit):
    # Sends 4 KiB every 5 ms until sockt goes away or limit seconds pass.
    t0 = time.monotonic()
    try:
        while time.monotonic() - t0 < limit:
            c.sendall(b"s" * 4096)
            time.sleep(0.005)
    except OSError as e:
        print("stream ended:", e.__class__.__name__, flush=True)


def udp_random(host, port, n, outfile, seed):
    # n datagrams of random bytes and random lengths, 0 and the largest among
    # them; each waits for its JSON line, so none is lost to a full buffer.
# OUTFILE.sent gets each datagram in hex, a line each.
    rnd = random.Random(seed)
    lengths = [0, 65507 if family(host) == socket.AF_INET else 65527, 1]
    while len(lengths) < n:
        lengths.append(rnd.choice([rnd.randrange(0, 64), rnd.randrange(0, 2048),
                                   rnd.randrange(0, 65508)]))
    s = socket.socket(family(host), socket.SOCK_DGRAM)
    sent = open(outfile + ".sent", "w")
    for i, ln in enumerate(lengths):
        kind = rnd.randrange(4)
        if kind == 0:
            data = bytes(rnd.getrandbits(8) for _ in range(min(ln, 4096)))
            data = (data * (ln // max(len(data), 1) + 1))[:ln]
        elif kind == 1:
            data = bytes(rnd.choice(b"\x00\x1b\x7f\"\\\n\r\t\x80\xc3\xe2\xed\xf0\xff")
                         for _ in range(min(ln, 512)))
            data = (data * (ln // max(len(data), 1) + 1))[:ln]
        elif kind == 2:
            # Valid UTF-8 with escapes JSON must spell out (cut at ln, maybe mid-character).
            text = "".join(rnd.choice(["a", "é", "\u2028", "\x00", "\x1f", '"', "\\", "😀"])
                           for _ in range(ln))
            data = text.encode()[:ln]
        else:
            data = os.urandom(ln)
        assert len(data) == ln
        sent.write(data.hex() + "\n")
        sent.flush()
        s.sendto(data, (host, int(port)))
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            with open(outfile, "rb") as f:
                if f.read().count(b"\n") > i:
                    break
            time.sleep(0.001)
        else:
            print("no line for datagram", i, "of", ln, "bytes", flush=True)
            sys.exit(1)
    print("sent", len(lengths), flush=True)


# Bytes a terminal would act on: a title change, a bell, clear screen, NUL, CR, DEL.
NASTY = b"\x1b]0;owned\x07\x1b[2J\x1b[31mred\r\x00\x7f\x08\x9b1m\n"


def say_nasty(c):
    c.sendall(NASTY * 4)
    c.close()


def udp_say_nasty(host):
    # Answers the first datagram with NASTY.
    s = socket.socket(family(host), socket.SOCK_DGRAM)
    s.bind((host, 0))
    print(s.getsockname()[1], flush=True)
    s.settimeout(10)
    _, src = s.recvfrom(65535)
    s.sendto(NASTY, src)


def udp_send_nasty(host, port):
    s = socket.socket(family(host), socket.SOCK_DGRAM)
    s.sendto(NASTY, (host, int(port)))


def named(name, host):
    # A listener whose process name is NAME (any bytes: it is the kernel's comm).
    import ctypes
    ctypes.CDLL(None).prctl(15, name.encode("latin-1").decode("unicode_escape")
                            .encode("latin-1"), 0, 0, 0)
    s = socket.socket(family(host), socket.SOCK_STREAM)
    s.bind((host, 0))
    s.listen(1)
    print(s.getsockname()[1], flush=True)
    time.sleep(10)


def throw_at_requests(raw, limit, burst_for):
    # Runs in the other namespace: sniffs sockt's echo requests (to learn its identifier)
    # and answers each with the burst that burst_for(packet, source) builds, or None for
    # a packet that is not a request. Ends after HOSTILE_REQUESTS requests (10) or limit s.
    print("ready", flush=True)
    thrown = requests = 0
    t0 = time.monotonic()
    while time.monotonic() - t0 < limit:
        r, _, _ = select.select([raw], [], [], 0.2)
        if not r:
            continue
        pkt, src = raw.recvfrom(65535)
        burst = burst_for(pkt, src)
        if burst is None:
            continue
        requests += 1
        for b in burst:
            try:
                raw.sendto(b, (src[0], 0))
                thrown += 1
            except OSError:
                pass
        if requests >= int(os.environ.get("HOSTILE_REQUESTS", "10")):
            break
    print("threw %d packets at %d requests" % (thrown, requests), flush=True)


def noise(rnd, n):
    return [bytes(rnd.getrandbits(8) for _ in range(rnd.randrange(0, 80))) for _ in range(n)]


def icmp_garbage(limit, seed):
    # Answers each echo request with garbage: random bytes, truncated replies, its own
    # identifier with a bad checksum or a cut payload, errors quoting truncated or
    # nonsense headers.
    rnd = random.Random(seed)

    def burst_for(pkt, src):
        ihl = (pkt[0] & 15) * 4
        icmp = pkt[ihl:]
        if len(icmp) < 8 or icmp[0] != 8:
            return None
        ident, seq = struct.unpack("!HH", icmp[4:8])
        burst = noise(rnd, 8)
        # Echo replies cut before their header ends.
        for ln in range(0, 8):
            burst.append((bytes([0, 0, 0, 0]) + struct.pack("!HH", ident, seq))[:ln])
        # Its identifier and sequence, a wrong checksum.
        burst.append(struct.pack("!BBHHH", 0, 0, 0x1234, ident, seq) + icmp[8:])
        # Its identifier, a right checksum, a payload cut short.
        burst.append(with_checksum(struct.pack("!BBHHH", 0, 0, 0, ident, seq) + icmp[8:20]))
        # Errors quoting: nothing, a cut IP header, an IHL beyond the data, a cut echo.
        quote_ok = pkt[:ihl] + icmp[:8]
        for q in (b"", pkt[:10], bytes([0x4f]) + pkt[1:ihl], quote_ok[:ihl + 3],
                  bytes([0x45]) + os.urandom(40)):
            for typ in (3, 11):
                burst.append(with_checksum(struct.pack("!BBHI", typ, rnd.randrange(16), 0, 0) + q))
        # A big one of noise.
        burst.append(b"\x00\x00" + os.urandom(1400))
        return burst

    throw_at_requests(socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP),
                      limit, burst_for)


def icmp6_garbage(limit, seed):
    # As icmp_garbage, for ICMPv6 (the kernel fills in ICMPv6 checksums, so
    # the garbage is in lengths, types and quotes).
    rnd = random.Random(seed)

    def burst_for(icmp, src):
        if len(icmp) < 8 or icmp[0] != 128:
            return None
        ident, seq = struct.unpack("!HH", icmp[4:8])
        burst = noise(rnd, 8)
        # Echo replies cut before their header ends, and one cut in its payload.
        for ln in range(0, 8):
            burst.append((bytes([129, 0, 0, 0]) + struct.pack("!HH", ident, seq))[:ln])
        burst.append(struct.pack("!BBHHH", 129, 0, 0, ident, seq) + icmp[8:20])
        # Errors quoting nothing, a cut IPv6 header, a wrong version, a cut echo.
        v6hdr = struct.pack("!IHBB", 6 << 28, len(icmp), 58, 64) + \
            socket.inet_pton(socket.AF_INET6, src[0].split("%")[0]) * 2
        for q in (b"", v6hdr[:20], b"\x45" + v6hdr[1:] + icmp[:8], v6hdr + icmp[:3],
                  os.urandom(48)):
            for typ in (1, 3):
                burst.append(struct.pack("!BBHI", typ, rnd.randrange(8), 0, 0) + q)
        # Informational types no ping should take for a reply.
        for typ in (130, 133, 135, 200):
            burst.append(struct.pack("!BBHHH", typ, 0, 0, ident, seq))
        return burst

    throw_at_requests(socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6),
                      limit, burst_for)


def main():
    mode, args = sys.argv[1], sys.argv[2:]
    if mode == "server-reset":
        midway_reset(server(args[0]), 200000, 200000)
    elif mode == "client-reset":
        midway_reset(client(args[0], args[1]), 200000, 200000)
    elif mode == "server-flood":
        flood(server(args[0]), int(args[1]))
    elif mode == "client-flood":
        flood(client(args[0], args[1]), int(args[2]))
    elif mode == "server-silent":
        silent(server(args[0]), float(args[1]))
    elif mode == "server-reply":
        reply_after_eof(server(args[0]))
    elif mode == "server-nasty":
        say_nasty(server(args[0]))
    elif mode == "client-nasty":
        say_nasty(client(args[0], args[1]))
    elif mode == "udp-answer-nasty":
        udp_say_nasty(args[0])
    elif mode == "udp-send-nasty":
        udp_send_nasty(args[0], args[1])
    elif mode == "named":
        named(args[0], args[1])
    elif mode == "server-stream":
        stream(server(args[0]), float(args[1]))
    elif mode == "client-stream":
        stream(client(args[0], args[1]), float(args[2]))
    elif mode == "slowloris":
        slowloris(args[0], args[1], int(args[2]), float(args[3]))
    elif mode == "echo-once":
        echo_once(args[0], args[1], args[2])
    elif mode == "many":
        many(args[0], args[1], int(args[2]), float(args[3]))
    elif mode == "udp-random":
        udp_random(args[0], args[1], int(args[2]), args[3], int(args[4]))
    elif mode == "icmp-garbage":
        icmp_garbage(float(args[0]), int(args[1]))
    elif mode == "icmp6-garbage":
        icmp6_garbage(float(args[0]), int(args[1]))
    else:
        sys.exit("hostile.py: unknown mode " + mode)


main()
