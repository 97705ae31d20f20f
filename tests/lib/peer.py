# tests/lib/peer.py: what the python3 peers of the tests share (tcp_server.py, tcp_client.py,
# udp_peer.py, hold.py, hostile.py): sockets of the right family, a port said once it is
# bound, reading to the end, closing with RST. Every blocking call has a timeout.
import socket
import struct
import sys


def family(host):
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def announce(sock):
    # The bound port, as the first line on stdout: tests wait for it (and read it) there.
    print(sock.getsockname()[1], flush=True)


def listener(host, port=0, backlog=8, reuse=False, rcvbuf=None):
    s = socket.socket(family(host), socket.SOCK_STREAM)
    if reuse:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if rcvbuf:
        # Before listen, so that accepted sockets inherit the small window.
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    s.bind((host, int(port)))
    s.listen(backlog)
    return s


def accept_one(ls, timeout=10):
    # One connection; the listener is closed so that a second client is refused.
    ls.settimeout(timeout)
    c, addr = ls.accept()
    ls.close()
    c.settimeout(timeout)
    return c, addr


def server(host, port=0):
    # Listens, says its port, and returns the first connection.
    ls = listener(host, port)
    announce(ls)
    return accept_one(ls)[0]


def client(host, port, timeout=10):
    return socket.create_connection((host, int(port)), timeout=timeout)


def read_all(c, size=65536):
    out = bytearray()
    while True:
        b = c.recv(size)
        if not b:
            return bytes(out)
        out += b


def count_all(c):
    # Like read_all, for transfers too large to keep.
    n = 0
    while True:
        b = c.recv(262144)
        if not b:
            return n
        n += len(b)


def reset(c):
    # SO_LINGER 0: close sends RST instead of FIN.
    c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    c.close()


def reply_after_eof(c):
    # Reads until the other side's EOF (its half-close), then says how much came.
    c.sendall(b"got %d bytes\n" % count_all(c))
    c.close()


def send_file(c, path):
    with open(path, "rb") as f:
        while True:
            b = f.read(262144)
            if not b:
                return
            c.sendall(b)


def icmp_checksum(data):
    # RFC 1071, as the kernel sums ICMP (ICMPv6 sums are the kernel's own).
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def with_checksum(message):
    # An ICMP message with its checksum field filled in.
    return message[:2] + struct.pack("!H", icmp_checksum(message[:2] + b"\0\0" + message[4:])) + \
        message[4:]


def usage(script, modes):
    sys.exit("%s: unknown mode; one of %s" % (script, ", ".join(sorted(modes))))
