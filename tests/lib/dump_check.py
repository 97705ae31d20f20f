#!/usr/bin/env python3
# dump_check.py DUMP OUTDIR: reads a text --dump back. Checks every block: its header
# ("# TIME conn N ADDR port P > sent|< received, offset O, L bytes"), its hexdump -C lines
# (offsets going on from O, 16 bytes a line, the printable column matching the hex) and
# its closing offset O+L; the offsets of each connection's direction follow one another
# with no gap, and the times never go back. Writes each direction's bytes to
# OUTDIR/conn-N.sent and OUTDIR/conn-N.received, and prints one line a direction:
# "conn N ADDR port P sent|received BYTES in K blocks". Exits 1 at the first fault.
import os
import re
import sys

HEADER = re.compile(
    r"^# (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z) conn (\d+) (\S+)(?: port (\d+))? "
    r"(>|<) (sent|received), offset (\d+), (\d+) bytes?$"
)
LINE = re.compile(r"^([0-9a-f]{8,16})  ((?:[0-9a-f]{2} ){1,8}(?: (?:[0-9a-f]{2} ){0,8})?) *\|(.*)\|$")
END = re.compile(r"^([0-9a-f]{8,16})$")


def fault(n, why, line):
    sys.exit("dump line %d: %s: %r" % (n, why, line))


def printable(b):
    return "".join(chr(c) if 0x20 <= c < 0x7F else "." for c in b)


def read_block(lines, i, off, length):
    """Reads the hex lines after a header at lines[i - 1]; returns (bytes, next index)."""
    data = bytearray()
    while len(data) < length:
        m = LINE.match(lines[i])
        if not m:
            fault(i + 1, "not a hexdump line", lines[i])
        if int(m.group(1), 16) != off + len(data):
            fault(i + 1, "offset %d expected" % (off + len(data)), lines[i])
        chunk = bytes.fromhex(m.group(2).replace(" ", ""))
        if len(chunk) != min(16, length - len(data)) or printable(chunk) != m.group(3):
            fault(i + 1, "bytes or printable column wrong", lines[i])
        data += chunk
        i += 1
    m = END.match(lines[i])
    if not m or int(m.group(1), 16) != off + length:
        fault(i + 1, "closing offset %d expected" % (off + length), lines[i])
    return data, i + 1


def main():
    lines = open(sys.argv[1], encoding="ascii").read().split("\n")
    if lines[-1] != "":
        fault(len(lines), "no newline at the end", lines[-1])
    streams, last_time, i = {}, "", 0
    while i < len(lines) - 1:
        m = HEADER.match(lines[i])
        if not m:
            fault(i + 1, "not a block header", lines[i])
        time, conn, addr, port, arrow, way, off, length = m.groups()
        if (arrow == ">") != (way == "sent") or time < last_time:
            fault(i + 1, "direction or time wrong", lines[i])
        last_time = time
        key = (int(conn), addr, int(port or 0), way)
        s = streams.setdefault(key, [bytearray(), 0])
        if int(off) != len(s[0]):
            fault(i + 1, "offset %d expected" % len(s[0]), lines[i])
        data, i = read_block(lines, i + 1, int(off), int(length))
        s[0] += data
        s[1] += 1
    for (conn, addr, port, way), (data, blocks) in sorted(streams.items()):
        with open(os.path.join(sys.argv[2], "conn-%d.%s" % (conn, way)), "wb") as f:
            f.write(data)
        print("conn %d %s port %d %s %d in %d blocks" % (conn, addr, port, way, len(data), blocks))


main()
