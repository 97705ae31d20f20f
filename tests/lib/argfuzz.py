#!/usr/bin/env python3
"""argfuzz.py: throws random command lines at sockt and reports any that crash.

Commands and options come from sockt's own --help; values from a list of hostile
ones. Each line runs with stdin from /dev/null, is ended by SIGTERM after a short
while (a listener waits for ever, by design), and counts as a crash if it dies of
another signal, exits with a status sockt never uses, or prints a sanitizer report.
Run it inside a network namespace of its own: whatever a random line sends stays there.

usage: argfuzz.py SOCKT COUNT SEED
"""
import random
import re
import signal
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

HOSTILE = [
    "", " ", "-", "--", "0", "-1", "1", "65535", "65536", "70000", "99999999999999999999",
    "-99999999999999999999", "1.5", "250ms", "0.001", "1e9", "0x10", "nan", "inf", "%n%n%s",
    "%s%s%s%s", "127.0.0.1", "::1", "[::1]", "[::1]:9", "[::1", "::1]", "[]", "[]:80",
    "fe80::1%", "fe80::1%nosuchif", "fe80::1%lo", "localhost", "127.0.0.1:9", "a:b:c",
    "1-", "1-65535", "65535-1", "http", "no-such-service", "x" * 5000, "\t", "\x01\x02",
    "é", "1k", "64k", "1G", "99G", "::", "0.0.0.0", "127.0.0.1 9", "-v", "--json",
]


def parse_help(sockt):
    out = subprocess.run([sockt, "help"], capture_output=True, text=True).stdout
    commands = re.findall(r"^  ([a-z-]+) ", out, re.M)
    options = {}
    for c in commands:
        text = subprocess.run([sockt, c, "--help"], capture_output=True, text=True).stdout
        opts = []
        for m in re.finditer(r"^  (?:-(\w), )?\s*--([a-z0-9-]+)( \S+)?", text, re.M):
            short, long_, arg = m.groups()
            if long_ in ("help", "version"):
                continue
            opts.append((short, long_, arg is not None))
        options[c] = opts
    return commands, options


def one_line(rng, commands, options):
    c = rng.choice(commands)
    argv = [c]
    for _ in range(rng.randint(0, 5)):
        short, long_, has_arg = rng.choice(options[c])
        name = "-" + short if short and rng.random() < 0.5 else "--" + long_
        argv.append(name)
        if has_arg:
            if rng.random() < 0.2 and name.startswith("--"):
                argv[-1] = name + "=" + rng.choice(HOSTILE)
            else:
                argv.append(rng.choice(HOSTILE))
    for _ in range(rng.randint(0, 4)):
        argv.append(rng.choice(HOSTILE))
    if rng.random() < 0.3:
        rng.shuffle(argv[1:])
    return argv


def run(sockt, argv):
    p = subprocess.Popen([sockt] + argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE)
    try:
        _, err = p.communicate(timeout=0.3)
        ended = False
    except subprocess.TimeoutExpired:
        p.send_signal(signal.SIGTERM)
        try:
            _, err = p.communicate(timeout=3)
        except subprocess.TimeoutExpired:
            p.kill()
            _, err = p.communicate()
            return argv, "did not end on SIGTERM within 3 s", err
        ended = True
    err = err.decode(errors="replace")
    rc = p.returncode
    if "Sanitizer" in err or "runtime error:" in err:
        return argv, "sanitizer report", err
    if rc < 0 and not (ended and rc == -signal.SIGTERM):
        return argv, "killed by signal %d" % -rc, err
    if rc > 4 and not (ended and rc == 128 + signal.SIGTERM) and rc != 128 + signal.SIGINT:
        return argv, "exit status %d" % rc, err
    return None


def main():
    sockt, count, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    rng = random.Random(seed)
    commands, options = parse_help(sockt)
    lines = [one_line(rng, commands, options) for _ in range(count)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda a: run(sockt, a), lines))
    bad = [r for r in results if r is not None]
    for argv, why, err in bad[:20]:
        print("CRASH (%s): sockt %s" % (why, " ".join(repr(a)[:80] for a in argv)))
        print("  " + err[-2000:].replace("\n", "\n  "))
    print("%d command lines (seed %d), %d crashed" % (count, seed, len(bad)))
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
