#!/bin/bash
# bench/trace.sh: sockt trace beside traceroute (its defaults) and tracepath, in one run,
# through a 10-hop chain of network namespaces it makes (root only), where hop 5 sends
# no time-exceeded messages. Wall time (median of RUNS) and CPU (user+sys) as ratios.
# No names are looked up (-n for all three); nothing leaves the namespaces.
# Usage: bench/trace.sh [SOCKT] [RUNS]
set -eu
sockt=$(realpath "${1:-src/sockt}")
runs=${2:-5}
here=$(cd "$(dirname "$0")" && pwd)
[ "$(id -u)" = 0 ] || { echo "bench/trace.sh: needs root (network namespaces)" >&2; exit 2; }
command -v traceroute >/dev/null && command -v tracepath >/dev/null ||
    { echo "bench/trace.sh: needs traceroute and tracepath (bootstrap installs them)" >&2; exit 2; }

# shellcheck source=../tests/lib/netns.bash
. "$here/../tests/lib/netns.bash"
# shellcheck source=../tests/lib/netchain.bash
. "$here/../tests/lib/netchain.bash"
record=$(mktemp)
tmpd=$(mktemp -d)
cleanup() {
	chain_destroy "$record"
	rm -rf "$tmpd"
}
trap cleanup EXIT

chain_build "sktB$$" 9 "$record"
client=${CHAIN_NS[0]}
printf 'table inet skt {\nchain out { type filter hook output priority 0;
	icmp type time-exceeded drop; icmpv6 type time-exceeded drop; }\n}\n' |
    ip netns exec "${CHAIN_NS[5]}" nft -f -

# measure CMD...: "WALL_MS CPU_S" inside the client namespace, so that ip netns exec's own
# work is not counted: the median wall time of $runs runs and the mean user+sys time
# (getrusage, in microseconds: time(1) counts in 10 ms steps, more than a trace takes).
measure() {
	ip netns exec "$client" python3 -c 'import resource, statistics, subprocess, sys, time
n = int(sys.argv[1])
walls = []
for _ in range(n):
    t = time.monotonic()
    subprocess.run(sys.argv[2:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    walls.append((time.monotonic() - t) * 1000)
r = resource.getrusage(resource.RUSAGE_CHILDREN)
print("%.1f %.5f" % (statistics.median(walls), (r.ru_utime + r.ru_stime) / n))' "$runs" "$@"
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }

in_client() { ip netns exec "$client" "$@"; }

echo "10 hops to $CHAIN_DEST4 and $CHAIN_DEST6, hop 5 silent; wall: median of $runs runs, cpu: mean"
printf '%-34s %10s %8s\n' "command" "wall ms" "cpu s"
for dest in "$CHAIN_DEST4" "$CHAIN_DEST6"; do
	declare -A wall=() cpus=()
	for tool in sockt traceroute tracepath; do
		case $tool in
		sockt) cmd=("$sockt" trace -n "$dest") ;;
		traceroute) cmd=(traceroute -n "$dest") ;;
		tracepath) cmd=(tracepath -n "$dest") ;;
		esac
		read -r "wall[$tool]" "cpus[$tool]" < <(measure "${cmd[@]}")
		printf '%-34s %10s %8s\n' "${cmd[*]##*/}" "${wall[$tool]}" "${cpus[$tool]}"
	done
	in_client "$sockt" trace -n "$dest" >"$tmpd/hops" 2>/dev/null || true
	grep -q '^ 5  \* \* \*$' "$tmpd/hops" || { echo "hop 5 was not silent:" >&2; cat "$tmpd/hops" >&2; }
	echo "  wall: sockt/traceroute $(ratio "${wall[sockt]}" "${wall[traceroute]}")," \
	    "sockt/tracepath $(ratio "${wall[sockt]}" "${wall[tracepath]}")"
	echo "  cpu:  sockt/traceroute $(ratio "${cpus[sockt]}" "${cpus[traceroute]}")," \
	    "sockt/tracepath $(ratio "${cpus[sockt]}" "${cpus[tracepath]}")"
done
