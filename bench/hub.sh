#!/bin/bash
# bench/hub.sh: sockt listen -k under load, for one or two builds in one run (to compare a
# change with the build before it).
#   1. listen -k --echo: 16 clients at once, each echoing SIZE_MIB through it
#      (MiB/s counted both ways, peak RSS of the server).
#   2. listen -k broadcasting stdin: 1 client that never reads and 15 that read
#      everything; how much the 15 got within LIMIT seconds.
# Not part of make check.
#
#   bench/hub.sh [SOCKT [SOCKT_BEFORE]] [SIZE_MIB] [ROUNDS]
set -eu

SOCKT=${1:-./src/sockt}
BEFORE=${2:-}
SIZE_MIB=${3:-64}
ROUNDS=${4:-3}
LIMIT=10
BCAST_MIB=${BCAST_MIB:-256}

for tool in python3 ss bc; do
	command -v "$tool" >/dev/null || { echo "hub.sh: $tool is needed" >&2; exit 2; }
done
dir=$(mktemp -d "${TMPDIR:-/tmp}/sockt-hub.XXXXXX")
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	rm -rf "$dir"
}
trap cleanup EXIT

. "$(dirname "$0")/lib.sh"

cat >"$dir/echo_clients.py" <<'PY'
import hashlib, socket, sys, threading
port, size = int(sys.argv[1]), int(sys.argv[2]) << 20
chunk = bytes(range(256)) * 1024
bad = []
def one():
    s = socket.create_connection(("127.0.0.1", port))
    def send():
        for _ in range(size // len(chunk)):
            s.sendall(chunk)
        s.shutdown(socket.SHUT_WR)
    t = threading.Thread(target=send)
    t.start()
    h, n = hashlib.sha256(), 0
    while True:
        b = s.recv(262144)
        if not b:
            break
        h.update(b)
        n += len(b)
    t.join()
    if n != size or h.digest() != hashlib.sha256(chunk * (size // len(chunk))).digest():
        bad.append(n)
ts = [threading.Thread(target=one) for _ in range(16)]
for t in ts:
    t.start()
for t in ts:
    t.join()
if bad:
    sys.exit("echo clients: %d of 16 got wrong bytes: %r" % (len(bad), bad))
PY

# echo_round NAME: one 16-client run against the named server; prints seconds and peak RSS.
echo_round() {
	local port hpid start end hwm
	port=$(free_port)
	"$1" listen -k --echo 127.0.0.1 "$port" </dev/null >/dev/null &
	hpid=$!
	pids+=("$hpid")
	wait_listening "$port"
	start=$(now)
	python3 "$dir/echo_clients.py" "$port" "$SIZE_MIB"
	end=$(now)
	hwm=$(awk '/^VmHWM:/ { print $2 }' "/proc/$hpid/status")
	kill "$hpid"
	wait "$hpid" 2>/dev/null || true
	echo "$(echo "$end - $start" | bc -l) $hwm"
}

names=("$SOCKT")
[ -n "$BEFORE" ] && names+=("$BEFORE")
echo "listen -k --echo: 16 clients x $SIZE_MIB MiB each way, $ROUNDS rounds, interleaved; $(nproc) CPUs"
for ((r = 1; r <= ROUNDS; r++)); do
	for i in "${!names[@]}"; do
		echo_round "${names[$i]}" >>"$dir/echo.$i"
	done
done
declare -A rate
for i in "${!names[@]}"; do
	secs=$(cut -d' ' -f1 "$dir/echo.$i" | median)
	rss=$(cut -d' ' -f2 "$dir/echo.$i" | sort -n | tail -n1)
	rate[$i]=$(echo "16 * $SIZE_MIB * 2 / $secs" | bc -l)
	printf '  %-45s median %6.3f s  %6.0f MiB/s  peak RSS %s KiB\n' "${names[$i]}" "$secs" "${rate[$i]}" "$rss"
done
for ((i = 1; i < ${#names[@]}; i++)); do
	printf '  ratio %s / %s: %.2fx\n' "$SOCKT" "${names[$i]}" "$(echo "${rate[0]} / ${rate[$i]}" | bc -l)"
done

# 2. One stalled reader among 15 fast ones, stdin broadcast to all.
head -c "$((BCAST_MIB << 20))" /dev/zero >"$dir/bcast"
cat >"$dir/bcast_clients.py" <<'PY'
import socket, sys, threading, time
port, limit, want = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]) << 20
stalled = socket.create_connection(("127.0.0.1", port))
stalled.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
got = [0] * 15
deadline = time.monotonic() + limit
def fast(i):
    s = socket.create_connection(("127.0.0.1", port))
    s.settimeout(0.2)
    while time.monotonic() < deadline and got[i] < want:
        try:
            b = s.recv(262144)
        except socket.timeout:
            continue
        if not b:
            break
        got[i] += len(b)
ts = [threading.Thread(target=fast, args=(i,)) for i in range(15)]
start = time.monotonic()
for t in ts:
    t.start()
for t in ts:
    t.join()
print("%.3f %d %d" % (time.monotonic() - start, min(got), sum(got)))
PY
bcast_round() { # SOCKT
	local port hpid out
	port=$(free_port)
	# stdin opens once the clients are connected: everyone gets the stream from its start.
	(sleep 1; cat "$dir/bcast") | "$1" listen -k 127.0.0.1 "$port" >/dev/null 2>"$dir/bcast.err" &
	hpid=$!
	pids+=("$hpid")
	wait_listening "$port"
	out=$(python3 "$dir/bcast_clients.py" "$port" "$LIMIT" "$BCAST_MIB")
	kill "$hpid" 2>/dev/null || true
	wait "$hpid" 2>/dev/null || true
	set -- $out
	printf '  %-45s %6.3f s; the slowest fast client got %d MiB (of %d), all 15: %d MiB; %d closed by --max-queue\n' \
	    "$SOCKT_LABEL" "$1" "$(($2 >> 20))" "$BCAST_MIB" "$(($3 >> 20))" "$(grep -c 'did not take' "$dir/bcast.err" || true)"
}
echo "listen -k, stdin ($BCAST_MIB MiB) broadcast to 1 client that never reads + 15 that do (${LIMIT} s at most):"
SOCKT_LABEL=$SOCKT bcast_round "$SOCKT"
if [ -n "$BEFORE" ]; then
	SOCKT_LABEL=$BEFORE bcast_round "$BEFORE"
fi
