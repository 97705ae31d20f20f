#!/bin/sh
# bench/state.sh: `sockt state` against `ss -tan` with 10,000 TIME_WAIT sockets, both run
# inside a network namespace this script makes (the host's tables are untouched): median
# wall time and peak RSS, same run, and their ratios.
# Usage (root): bench/state.sh [SOCKT] [RUNS] [SOCKETS (at most 50000)]
set -eu
sockt=$(readlink -f "${1:-src/sockt}")
runs=${2:-21}
sockets=${3:-10000}
if [ "$sockets" -gt 50000 ]; then
	echo "bench/state.sh: at most 50000 sockets (client ports 10000-59999)" >&2
	exit 2
fi

if [ "${SOCKT_BENCH_INSIDE:-}" != 1 ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "bench/state.sh: needs root to make a network namespace" >&2
		exit 2
	fi
	ns=sktbench$$
	ip netns add "$ns"
	trap 'ip netns del "$ns"' EXIT
	trap 'exit 130' INT TERM
	ip -n "$ns" link set lo up
	SOCKT_BENCH_INSIDE=1 ip netns exec "$ns" sh "$0" "$sockt" "$runs" "$sockets"
	exit
fi

# Inside the namespace. The server closes first, so each connection leaves one TIME_WAIT
# socket on the server's port; they last 60 s, longer than the measurements below take.
# Each client binds a port of its own: a kernel-chosen port could come round again, and
# its SYN would end the TIME_WAIT of the earlier connection with the same addresses.
python3 - "$sockets" <<'PY'
import socket, sys
n = int(sys.argv[1])
srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", 5000))
srv.listen(128)
for i in range(n):
    c = socket.socket()
    c.settimeout(5)
    c.bind(("127.0.0.1", 10000 + i))
    c.connect(srv.getsockname())
    a, _ = srv.accept()
    a.close()
    c.recv(1)
    c.close()
srv.close()
PY
made=$(ss -Htan state time-wait | wc -l)
seen=$("$sockt" state -H --state time-wait | wc -l)
echo "TIME_WAIT sockets in the namespace: $made (ss), $seen (sockt state)"

. "$(dirname "$0")/lib.sh"

# row LABEL CMD...: prints the figures and keeps them for the ratio
row() {
	label=$1
	shift
	t=$(median_us "$@")
	m=$(peak_rss_kib "$@")
	printf '%-44s %9s us %8s KiB\n' "$label" "$t" "$m"
	echo "$t $m" >>"$figures"
}

figures=$(mktemp)
trap 'rm -f "$figures"' EXIT
printf '%-44s %12s %12s\n' "" "median wall" "peak RSS"
row "sockt state" "$sockt" state
row "ss -tan" ss -tan
row "sockt state -H --state time-wait" "$sockt" state -H --state time-wait
row "ss -Htan state time-wait" ss -Htan state time-wait
row "sockt --json state" "$sockt" --json state
row "SOCKT_SOCKDIAG=proc sockt state" env SOCKT_SOCKDIAG=proc "$sockt" state
row "cat /proc/net/tcp /proc/net/tcp6" cat /proc/net/tcp /proc/net/tcp6
awk -v runs="$runs" '
	{ t[NR] = $1; m[NR] = $2 }
	END {
		printf "ratio sockt/ss, all sockets:       time %.2f, RSS %.2f\n", t[1] / t[2], m[1] / m[2]
		printf "ratio sockt/ss, TIME_WAIT only:    time %.2f, RSS %.2f\n", t[3] / t[4], m[3] / m[4]
		printf "ratio /proc/netlink (sockt state): time %.2f, RSS %.2f\n", t[6] / t[1], m[6] / m[1]
		printf "(median of %d runs, peak RSS the largest of 5)\n", runs
	}' "$figures"
