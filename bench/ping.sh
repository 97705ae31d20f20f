#!/bin/bash
# bench/ping.sh: sockt raw-ping beside iputils ping and fping, in one run, inside network
# namespaces it makes (root only):
#   1. RTT accuracy against a responder that answers after a fixed delay;
#   2. CPU time (user+sys) for 10,000 requests at -i 0.001 to 127.0.0.1;
#   3. 100 hosts (10.200.0.1-100 on a namespace's lo, all answering) in one run.
# Usage: bench/ping.sh [SOCKT] [DELAY_MS]
set -eu
sockt=$(realpath "${1:-src/sockt}")
delay_ms=${2:-50}
here=$(cd "$(dirname "$0")" && pwd)
responder="$here/../tests/lib/icmp_responder.py"
[ "$(id -u)" = 0 ] || { echo "bench/ping.sh: needs root (network namespaces)" >&2; exit 2; }

A=sktbenchA$$ B=sktbenchB$$ L=sktbenchL$$
rpid=
cleanup() {
	[ -n "$rpid" ] && kill "$rpid" 2>/dev/null
	for ns in $A $B $L; do ip netns del "$ns" 2>/dev/null || true; done
}
trap cleanup EXIT

for ns in $A $B $L; do
	ip netns add "$ns"
	ip -n "$ns" link set lo up
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
done
ip link add va netns "$A" type veth peer name vb netns "$B"
ip -n "$A" addr add 10.202.0.1/24 dev va
ip -n "$B" addr add 10.202.0.2/24 dev vb
ip -n "$A" link set va up
ip -n "$B" link set vb up
ip netns exec "$B" sysctl -qw net.ipv4.icmp_echo_ignore_all=1
for i in $(seq 1 100); do
	ip -n "$L" addr add "10.200.$((i / 256)).$((i % 256))/32" dev lo
done
hosts=$(for i in $(seq 1 100); do printf '10.200.%d.%d ' $((i / 256)) $((i % 256)); done)
until ip -n "$A" -br link show va | grep -q ' UP '; do sleep 0.02; done

# cpu CMD...: user+sys seconds of a command, from /usr/bin/time; its output in $tmpd/out.
cpu() {
	/usr/bin/time -f '%U %S %e' -o "$tmpd/time" "$@" >"$tmpd/out" 2>&1 || true
	awk '{printf "%.2f", $1 + $2}' "$tmpd/time"
}
# elapsed: the wall time of the last cpu run.
elapsed() {
	awk '{printf "%.2f", $3}' "$tmpd/time"
}
tmpd=$(mktemp -d)
trap 'cleanup; rm -rf "$tmpd"' EXIT
: >"$tmpd/responder"

echo "== 1. RTT against a responder that waits ${delay_ms} ms (20 requests, -i 0.05)"
ip netns exec "$B" python3 "$responder" --delay "$(awk -v d="$delay_ms" 'BEGIN {print d / 1000}')" \
    --lifetime 60 >"$tmpd/responder" &
rpid=$!
until grep -q ready "$tmpd/responder"; do sleep 0.05; done
s_line=$(ip netns exec "$A" "$sockt" raw-ping -q -c 20 -i 0.05 10.202.0.2 | grep '^rtt')
p_line=$(ip netns exec "$A" ping -q -c 20 -i 0.05 10.202.0.2 | grep '^rtt')
kill "$rpid"
rpid=
printf '%-14s %s\n' "sockt" "$s_line" "iputils ping" "$p_line"
awk -v s="$s_line" -v p="$p_line" -v d="$delay_ms" 'BEGIN {
	# "rtt min/avg/max/mdev = x/y/z/w ms": the average is field 7, mdev field 9.
	split(s, a, "[ =/]+"); split(p, b, "[ =/]+")
	printf "avg over the delay: sockt %+.3f ms, ping %+.3f ms; sockt - ping %+.3f ms\n",
	    a[7] - d, b[7] - d, a[7] - b[7]
	printf "mdev: sockt %.3f ms, ping %.3f ms\n", a[9], b[9]
}'

echo
echo "== 2. CPU time for 10,000 requests at -i 0.001 to 127.0.0.1 (-q)"
s_cpu=$(cpu ip netns exec "$L" "$sockt" raw-ping -q -c 10000 -i 0.001 127.0.0.1)
printf 'sockt raw-ping: %s s user+sys, %s s wall: %s\n' "$s_cpu" "$(elapsed)" \
    "$(grep transmitted "$tmpd/out")"
p_cpu=$(cpu ip netns exec "$L" ping -q -c 10000 -i 0.001 127.0.0.1)
printf 'iputils ping:   %s s user+sys, %s s wall: %s\n' "$p_cpu" "$(elapsed)" \
    "$(grep transmitted "$tmpd/out")"
awk -v a="$s_cpu" -v b="$p_cpu" 'BEGIN { if (b > 0) printf "ratio sockt/ping: %.2f\n", a / b }'

echo
echo "== 3. 100 hosts in one run, 5 requests each, 1 s apart"
s_cpu=$(cpu ip netns exec "$L" "$sockt" raw-ping -q -c 5 $hosts)
s_wall=$(elapsed)
s_ok=$(grep -c ', 5 received, 0% packet loss' "$tmpd/out" || true)
f_cpu=$(cpu ip netns exec "$L" fping -q -c 5 -p 1000 $hosts)
f_wall=$(elapsed)
f_ok=$(grep -c 'xmt/rcv/%loss = 5/5/0%' "$tmpd/out" || true)
printf 'sockt raw-ping: %s s wall, %s s user+sys, %s/100 hosts answered all\n' "$s_wall" "$s_cpu" "$s_ok"
printf 'fping:          %s s wall, %s s user+sys, %s/100 hosts answered all\n' "$f_wall" "$f_cpu" "$f_ok"
awk -v a="$s_wall" -v b="$f_wall" -v c="$s_cpu" -v d="$f_cpu" 'BEGIN {
	printf "ratio sockt/fping: wall %.2f", a / b
	if (d > 0) printf ", CPU %.2f", c / d
	printf "\n" }'
