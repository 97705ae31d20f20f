#!/bin/sh
# bench/udp.sh: datagrams per second and loss on loopback, in one run:
#   sockt udp-send (one datagram per line)  -> sockt udp-recv -c N
#   socat -b 13 -u - UDP:  (one datagram per 13-byte line) -> socat -u UDP-RECV: -
#   socat -u - UDP:        (socat's default: one datagram per 8 KiB read) -> the same
# Usage: bench/udp.sh [SOCKT] [N]   (SOCKT defaults to ./src/sockt, N to 1000000), like the other benches
# Each receiver stops after 1 s without a datagram (udp-recv -w 1, socat -T 1), so loss is
# counted instead of waited for; that idle second is not counted in its time.
set -eu

SOCKT=${1:-${SOCKT:-./src/sockt}}
N=${2:-1000000}
[ -x "$SOCKT" ] || { echo "bench/udp.sh: no sockt at $SOCKT (set SOCKT)" >&2; exit 2; }
command -v socat >/dev/null || { echo "bench/udp.sh: socat is needed" >&2; exit 2; }

dir=$(mktemp -d)
pids=
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null || true; done
	rm -rf "$dir"
}
trap cleanup EXIT INT TERM

# Fixed-width lines ("line 0000001\n", 13 bytes), so socat -b 13 reads exactly one per datagram.
seq -f 'line %07g' 1 "$N" >"$dir/lines"

now() { date +%s%N; }

free_port() {
	python3 -c 'import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

wait_bound() {
	i=0
	while ! ss -Hlun "sport = :$1" | grep -q .; do
		i=$((i + 1))
		[ "$i" -lt 250 ] || { echo "bench/udp.sh: no receiver on port $1" >&2; exit 1; }
		sleep 0.02
	done
}

# run NAME RECEIVER-COMMAND SENDER-COMMAND: prints "NAME sent_s recv_s received"
run() {
	name=$1 recv=$2 send=$3 port=$(free_port)
	sh -c "$recv" "$port" >"$dir/$name.out" 2>"$dir/$name.err" &
	rpid=$!
	pids="$pids $rpid"
	wait_bound "$port"
	t0=$(now)
	sh -c "$send" "$port" <"$dir/lines" 2>"$dir/$name.send.err" || true
	t1=$(now)
	wait "$rpid" || true
	t2=$(now)
	# An idle second ended the receiver only if it did not reach N.
	echo "$name $t0 $t1 $t2 $(wc -c <"$dir/$name.out")"
}

# udp-send strips the newline (12 bytes a datagram); socat keeps it (13).
{
	run sockt \
	    "exec \"$SOCKT\" udp-recv -c $N -w 1 127.0.0.1 \"\$0\"" \
	    "exec \"$SOCKT\" udp-send 127.0.0.1 \"\$0\""
	run socat-line \
	    "exec socat -T 1 -u UDP-RECV:\"\$0\",bind=127.0.0.1 -" \
	    "exec socat -b 13 -u - UDP:127.0.0.1:\"\$0\""
	run socat-8k \
	    "exec socat -T 1 -u UDP-RECV:\"\$0\",bind=127.0.0.1 -" \
	    "exec socat -u - UDP:127.0.0.1:\"\$0\""
} >"$dir/results"

awk -v n="$N" -v size="$(wc -c <"$dir/lines")" '
{
	name = $1; t0 = $2; t1 = $3; t2 = $4; bytes = $5
	per = name == "sockt" ? 12 : 13
	lines = int(bytes / per)
	dgrams = name == "socat-8k" ? int((size + 8191) / 8192) : n
	got = name == "socat-8k" ? int((bytes + 8191) / 8192) : lines
	send_s = (t1 - t0) / 1e9
	recv_s = (t2 - t0) / 1e9
	if (lines < n) recv_s -= 1	# the idle second that ended it
	if (recv_s < send_s) recv_s = send_s
	rate[name] = got / recv_s
	lrate[name] = lines / recv_s
	printf "%-11s %9d datagrams sent in %6.3f s (%9.0f/s); %9d arrived in %6.3f s (%9.0f/s); lines %8d (%9.0f/s); loss %5.2f%%\n",
	    name, dgrams, send_s, dgrams / send_s, got, recv_s, got / recv_s, lines, lines / recv_s, 100 * (n - lines) / n
}
END {
	if (rate["socat-line"] > 0)
		printf "ratio sockt/socat-line: %.2fx datagrams per second (both one datagram per line)\n", rate["sockt"] / rate["socat-line"]
	if (lrate["socat-8k"] > 0)
		printf "ratio sockt/socat-8k:   %.2fx lines per second (socat packs ~630 lines into each 8 KiB datagram)\n", lrate["sockt"] / lrate["socat-8k"]
}' "$dir/results"
