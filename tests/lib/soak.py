#!/usr/bin/env python3
"""soak.py PORT ERRFILE [COUNT] [SEED] [linger0]: COUNT connections (default 500) through
`sockt -v listen -k --echo` on 127.0.0.1 PORT, whose stderr is ERRFILE. With linger0
(sockt runs with --linger 0) an exchange ends with sockt's RST instead of its FIN.

Each connection comes from its own source address (127.1.X.Y), so that sockt's lines
name it alone, and does one of: a normal exchange (send while reading, half-close),
a stall (send everything before reading a byte), a slow reader, or a reset (RST after
part of the exchange). Then each is checked against what sockt said:
  - an exchange that ended normally got back exactly what it sent (sha256), and
    sockt's summary counts that many bytes each way, with no error line;
  - a reset connection got back a prefix of what it sent, sockt's summary says how
    many bytes it received (R) and wrote back (W), and an error line names it; if
    W < R, a line says that R - W bytes were not delivered.
Nothing is lost silently. Prints the figures; exits 1 with the first failures.
Bounded: every socket has a timeout, the whole run at most about 120 s.
"""
import hashlib
import os
import random
import re
import socket
import struct
import sys
import threading
import time

PORT, ERRFILE = int(sys.argv[1]), sys.argv[2]
COUNT = int(sys.argv[3]) if len(sys.argv) > 3 else 500
SEED = int(sys.argv[4]) if len(sys.argv) > 4 and sys.argv[4] else int(time.time())
LINGER0 = len(sys.argv) > 5 and sys.argv[5] == "linger0"
PARALLEL = 40
rng = random.Random(SEED)


def source(i):
    return "127.1.%d.%d" % (i // 250, i % 250 + 1)


def plan(i):
    r = rng.random()
    kind = ("normal" if r < 0.45 else "stall" if r < 0.65 else "slow" if r < 0.8 else "reset")
    size = rng.choice([0, 1, rng.randrange(1, 65536), rng.randrange(65536, 1 << 20)])
    if rng.random() < 0.02:
        size = 4 << 20
    return {"i": i, "src": source(i), "kind": kind, "size": size,
            "cut": rng.randrange(0, size + 1), "pause": rng.uniform(0.05, 0.6),
            "early": rng.random() < 0.5}


def run_one(p):
    data = os.urandom(p["size"])
    s = socket.socket()
    s.settimeout(30)
    s.bind((p["src"], 0))
    s.connect(("127.0.0.1", PORT))
    got = hashlib.sha256()
    n_got = 0
    if p["kind"] == "reset":
        # Send part, read what comes back for a moment, then reset.
        s.sendall(data[: p["cut"]])
        s.settimeout(p["pause"])
        if p["early"]:
            # Reset at once: sockt may hold bytes it read and has not echoed yet.
            time.sleep(p["pause"] / 100)
        try:
            while n_got < p["cut"] and not p["early"]:
                b = s.recv(65536)
                if not b:
                    break
                got.update(b)
                n_got += len(b)
        except socket.timeout:
            pass
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        s.close()
        p.update(sent=p["cut"], got=n_got,
                 prefix_ok=got.digest() == hashlib.sha256(data[:n_got]).digest())
        return

    def sender():
        try:
            s.sendall(data)
            s.shutdown(socket.SHUT_WR)
        except OSError as e:
            p["send_error"] = e.errno

    t = threading.Thread(target=sender)
    t.start()
    if p["kind"] == "stall":
        time.sleep(p["pause"])
    chunk = 4096 if p["kind"] == "slow" else 262144
    while True:
        try:
            b = s.recv(chunk)
        except ConnectionResetError:
            if not LINGER0:
                raise
            break
        if not b:
            break
        got.update(b)
        n_got += len(b)
        if p["kind"] == "slow":
            time.sleep(0.001)
    t.join()
    s.close()
    p.update(sent=len(data), got=n_got,
             exact=n_got == len(data) and got.digest() == hashlib.sha256(data).digest())


def worker(plans, lock):
    while True:
        with lock:
            if not plans:
                return
            p = plans.pop()
        try:
            run_one(p)
        except OSError as e:
            p["error"] = "%s: %s" % (type(e).__name__, e)


def sockt_lines(count, limit=60):
    # Every connection's summary comes once sockt has closed it.
    end = time.monotonic() + limit
    while True:
        with open(ERRFILE) as f:
            text = f.read()
        if text.count(": closed: ") >= count or time.monotonic() > end:
            return text.splitlines()
        time.sleep(0.1)


SUMMARY = re.compile(r"^sockt listen: (\S+) port \d+: closed: (\d+) bytes? sent, (\d+) received, "
                     r"(\d+) written out in ")
LOST = re.compile(r"^sockt listen: (\S+) port \d+: (\d+) of (\d+) bytes received were not delivered$")


def check(plans_done, lines):
    by_src = {}
    for line in lines:
        m = re.match(r"^sockt listen: .*?(127\.1\.\d+\.\d+)", line)
        if m:
            by_src.setdefault(m.group(1), []).append(line)
    bad, verified, resets, lost_reported = [], 0, 0, 0
    for p in plans_done:
        mine = by_src.get(p["src"], [])
        summary = [SUMMARY.match(x) for x in mine if SUMMARY.match(x)]
        # The tcp_info line after each summary is what the kernel measured, not an error.
        errors = [x for x in mine
                  if ": closed: " not in x and "connection from" not in x and ": tcp_info: " not in x]
        what = "%s (%s, %d bytes, seed %d)" % (p["src"], p["kind"], p["size"], SEED)
        if "error" in p:
            bad.append("%s: the client failed: %s" % (what, p["error"]))
            continue
        if len(summary) != 1:
            bad.append("%s: %d summaries from sockt" % (what, len(summary)))
            continue
        sent_back, received, written = (int(summary[0].group(k)) for k in (2, 3, 4))
        if p["kind"] != "reset":
            if not p["exact"] or received != p["sent"] or written != p["sent"] or errors:
                bad.append("%s: got %d back, sockt received %d, wrote %d; %r" %
                           (what, p["got"], received, written, errors))
            verified += 2 * p["sent"]
            continue
        resets += 1
        lost = [LOST.match(x) for x in errors if LOST.match(x)]
        if not p["prefix_ok"] or received > p["sent"] or p["got"] > written:
            bad.append("%s: echo not a prefix, or counts wrong: sent %d, got %d, sockt %d/%d" %
                       (what, p["sent"], p["got"], received, written))
        elif written < received and not (lost and int(lost[0].group(2)) == received - written):
            bad.append("%s: %d bytes received and not written back, and not said: %r" %
                       (what, received - written, errors))
        elif received == p["sent"] and written == received and not errors:
            pass  # everything came back before the reset mattered
        elif not errors:
            bad.append("%s: reset, %d of %d received, and no error line" %
                       (what, received, p["sent"]))
        lost_reported += received - written
        verified += p["got"]
    return bad, verified, resets, lost_reported


def main():
    plans = [plan(i) for i in range(COUNT)]
    todo = list(reversed(plans))
    lock = threading.Lock()
    start = time.monotonic()
    ts = [threading.Thread(target=worker, args=(todo, lock)) for _ in range(PARALLEL)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(timeout=150)
    secs = time.monotonic() - start
    bad, verified, resets, lost = check(plans, sockt_lines(COUNT))
    kinds = {k: sum(1 for p in plans if p["kind"] == k) for k in ("normal", "stall", "slow", "reset")}
    print("soak: %d connections in %.1f s (seed %d): %s; %d bytes verified by sha256, "
          "%d resets, %d bytes received before a reset and reported as not echoed" %
          (COUNT, secs, SEED, ", ".join("%d %s" % (v, k) for k, v in kinds.items()),
           verified, resets, lost), flush=True)
    for b in bad[:20]:
        print("FAIL", b, flush=True)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
