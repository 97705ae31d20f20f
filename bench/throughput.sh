#!/bin/bash
# bench/throughput.sh: TCP throughput on loopback, sockt against nc.openbsd and socat in
# one run. A file goes from a sender (sockt connect / nc -N / socat) to a receiver
# (sockt listen / nc -l / socat) writing to /dev/null; each tool pair runs ROUNDS times,
# interleaved, and the median is reported with the ratios. Then the peak RSS of a
# sockt relay under load. Not part of make check.
#
#   bench/throughput.sh [SOCKT] [SIZE_MIB] [ROUNDS]
#
# SOCKT defaults to ./src/sockt (run from a build directory), SIZE_MIB to 1024, ROUNDS to 5.
set -eu

SOCKT=${1:-./src/sockt}
SIZE_MIB=${2:-1024}
ROUNDS=${3:-5}
BUF=262144

. "$(dirname "$0")/lib.sh"
bench_need throughput.sh nc.openbsd socat python3 ss /usr/bin/time
bench_workdir "$SIZE_MIB"


# run_pair NAME: one transfer with the named tools; prints the seconds it took.
run_pair() {
	local port start end rpid
	port=$(free_port)
	case $1 in
	sockt) "$SOCKT" listen 127.0.0.1 "$port" </dev/null >/dev/null & ;;
	nc) nc.openbsd -l 127.0.0.1 "$port" </dev/null >/dev/null & ;;
	socat) socat -b "$BUF" -u "TCP-LISTEN:$port,bind=127.0.0.1" OPEN:/dev/null & ;;
	esac
	rpid=$!
	pids+=("$rpid")
	wait_listening "$port"
	start=$(now)
	case $1 in
	sockt) "$SOCKT" connect 127.0.0.1 "$port" <"$file" >/dev/null ;;
	nc) nc.openbsd -N 127.0.0.1 "$port" <"$file" >/dev/null ;;
	socat) socat -b "$BUF" -u "OPEN:$file" "TCP:127.0.0.1:$port" ;;
	esac
	wait "$rpid"
	end=$(now)
	echo "$end - $start" | bc -l
}


echo "throughput: $SIZE_MIB MiB over 127.0.0.1, $ROUNDS rounds each, interleaved; $(nproc) CPUs"
for name in sockt nc socat; do : >"$dir/$name.times"; done
for round in $(seq "$ROUNDS"); do
	for name in sockt nc socat; do
		run_pair "$name" >>"$dir/$name.times"
	done
	echo "  round $round: sockt $(tail -n1 "$dir/sockt.times") s, nc $(tail -n1 "$dir/nc.times") s, socat $(tail -n1 "$dir/socat.times") s"
done

declare -A rate
for name in sockt nc socat; do
	secs=$(median <"$dir/$name.times")
	rate[$name]=$(echo "$SIZE_MIB / $secs" | bc -l)
	printf '  %-40s median %7.3f s  %8.0f MiB/s\n' \
	    "$(case $name in
		sockt) echo "sockt connect -> sockt listen" ;;
		nc) echo "nc.openbsd -N -> nc.openbsd -l" ;;
		socat) echo "socat -b $BUF -> socat -b $BUF" ;;
		esac)" "$secs" "${rate[$name]}"
done
printf '  ratio sockt/nc.openbsd: %.2fx   sockt/socat: %.2fx\n' \
    "$(echo "${rate[sockt]} / ${rate[nc]}" | bc -l)" "$(echo "${rate[sockt]} / ${rate[socat]}" | bc -l)"

# Peak RSS (KiB) of each end of one sockt transfer, and of the other tools for scale.
echo "peak RSS during one $SIZE_MIB MiB transfer (KiB, /usr/bin/time -f %M):"
rss() {
	local port rpid
	port=$(free_port)
	case $1 in
	sockt) /usr/bin/time -f %M -o "$dir/rss.recv" "$SOCKT" listen 127.0.0.1 "$port" </dev/null >/dev/null & ;;
	nc) /usr/bin/time -f %M -o "$dir/rss.recv" nc.openbsd -l 127.0.0.1 "$port" </dev/null >/dev/null & ;;
	socat) /usr/bin/time -f %M -o "$dir/rss.recv" socat -b "$BUF" -u "TCP-LISTEN:$port,bind=127.0.0.1" OPEN:/dev/null & ;;
	esac
	rpid=$!
	pids+=("$rpid")
	wait_listening "$port"
	case $1 in
	sockt) /usr/bin/time -f %M -o "$dir/rss.send" "$SOCKT" connect 127.0.0.1 "$port" <"$file" >/dev/null ;;
	nc) /usr/bin/time -f %M -o "$dir/rss.send" nc.openbsd -N 127.0.0.1 "$port" <"$file" >/dev/null ;;
	socat) /usr/bin/time -f %M -o "$dir/rss.send" socat -b "$BUF" -u "OPEN:$file" "TCP:127.0.0.1:$port" ;;
	esac
	wait "$rpid"
	printf '  %-6s sender %6s   receiver %6s\n' "$1" "$(tail -n1 "$dir/rss.send")" "$(tail -n1 "$dir/rss.recv")"
}
rss sockt
rss nc
rss socat

# The hub under load: 16 clients at once, each echoing 64 MiB through sockt listen -k --echo.
port=$(free_port)
"$SOCKT" listen -k --echo 127.0.0.1 "$port" </dev/null >/dev/null &
hpid=$!
pids+=("$hpid")
wait_listening "$port"
start=$(now)
python3 - "$port" <<'PY'
import socket, sys, threading
port, size, chunk = int(sys.argv[1]), 64 << 20, b"x" * 262144
def one():
    s = socket.create_connection(("127.0.0.1", port))
    def send():
        for _ in range(size // len(chunk)):
            s.sendall(chunk)
        s.shutdown(socket.SHUT_WR)
    t = threading.Thread(target=send)
    t.start()
    n = 0
    while True:
        b = s.recv(262144)
        if not b:
            break
        n += len(b)
    t.join()
    assert n == size, n
ts = [threading.Thread(target=one) for _ in range(16)]
for t in ts:
    t.start()
for t in ts:
    t.join()
PY
end=$(now)
# -k runs until stopped: its peak RSS is read from the kernel before it is.
hwm=$(awk '/^VmHWM:/ { print $2 }' "/proc/$hpid/status")
kill "$hpid"
wait "$hpid" 2>/dev/null || true
printf '  sockt listen -k --echo, 16 clients x 64 MiB each way: %.0f MiB/s total, peak RSS %s KiB\n' \
    "$(echo "16 * 64 * 2 / ($end - $start)" | bc -l)" "$hwm"

# Pipes at both ends (cat | sockt connect, sockt listen | cat): splice from and into pipes.
port=$(free_port)
"$SOCKT" listen 127.0.0.1 "$port" </dev/null | cat >/dev/null &
rpid=$!
pids+=("$rpid")
wait_listening "$port"
start=$(now)
cat "$file" | "$SOCKT" connect 127.0.0.1 "$port" >/dev/null
wait "$rpid"
end=$(now)
printf 'sockt with pipes at both ends (cat | sockt connect ... sockt listen | cat): %.0f MiB/s\n' \
    "$(echo "$SIZE_MIB / ($end - $start)" | bc -l)"
