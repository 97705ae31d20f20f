#!/bin/bash
# bench/scan.sh: `sockt connect -z` beside `nc -z` (nc.openbsd), in one run, inside network
# namespaces it makes (root only), so that no other program's listener is touched:
#   1. all 65535 ports of a namespace's loopback (a few of them listening): wall time of
#      each, median of ROUNDS, and whether both found the same open ports;
#   2. 1000 ports that nft drops: sockt with --parallel 1000 and with the default 128,
#      against nc -z -w 1, which tries one port at a time and is timed on a sample of
#      NC_SAMPLE ports (all 1000 would take as many seconds), the rest extrapolated.
# Usage: bench/scan.sh [SOCKT] [ROUNDS] [NC_SAMPLE]
set -eu
sockt=$(realpath "${1:-src/sockt}")
rounds=${2:-3}
sample=${3:-10}
[ "$(id -u)" = 0 ] || { echo "bench/scan.sh: needs root (network namespaces)" >&2; exit 2; }
command -v nc.openbsd >/dev/null || { echo "bench/scan.sh: needs nc.openbsd" >&2; exit 2; }

L=sktscanL$$ F=sktscanF$$
lpid=
tmpd=$(mktemp -d)
cleanup() {
	[ -n "$lpid" ] && kill "$lpid" 2>/dev/null
	for ns in $L $F; do ip netns del "$ns" 2>/dev/null || true; done
	rm -rf "$tmpd"
}
trap cleanup EXIT

for ns in $L $F; do
	ip netns add "$ns"
	ip -n "$ns" link set lo up
done
ip netns exec "$F" nft -f - <<'NFT'
table inet bench {
	chain input { type filter hook input priority 0; tcp dport 40000-40999 drop; }
}
NFT

# Listeners on a handful of ports spread over the range, so that "open" is exercised too.
open_ports="22 80 443 8080 20000 33333 50001 65535"
ip netns exec "$L" python3 -c '
import socket, sys, time
keep = []
for p in sys.argv[1:]:
    s = socket.socket(); s.bind(("127.0.0.1", int(p))); s.listen(64); keep.append(s)
time.sleep(3600)' $open_ports &
lpid=$!
for p in $open_ports; do
	until ip netns exec "$L" ss -Hltn "sport = :$p" | grep -q .; do sleep 0.02; done
done

# wall CMD...: wall seconds of one run (output to $tmpd/out, status ignored).
wall() {
	local s e
	s=$(date +%s%N)
	"$@" >"$tmpd/out" 2>"$tmpd/err" || true
	e=$(date +%s%N)
	awk -v ns=$((e - s)) 'BEGIN {printf "%.3f", ns / 1e9}'
}
median() { tr ' ' '\n' | grep . | sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.1f", a / b}'; }

echo "== 1. all 65535 ports of a loopback ($rounds rounds, medians; ${open_ports// /,} listening)"
s_times= n_times=
for _ in $(seq 1 "$rounds"); do
	s_times="$s_times $(wall ip netns exec "$L" "$sockt" connect -z 127.0.0.1 1-65535)"
	s_open=$(awk '$5 == "open" {print $3}' "$tmpd/out" | tr '\n' ' ')
	s_lines=$(wc -l <"$tmpd/out")
	n_times="$n_times $(wall ip netns exec "$L" nc.openbsd -zv 127.0.0.1 1-65535)"
	n_open=$(awk '/succeeded/ {print $4}' "$tmpd/err" | tr '\n' ' ')
done
s_med=$(echo "$s_times" | median)
n_med=$(echo "$n_times" | median)
printf '  sockt connect -z:  %6.2f s  (rounds:%s; %d lines)\n' "$s_med" "$s_times" "$s_lines"
printf '  nc.openbsd -z:     %6.2f s  (rounds:%s)\n' "$n_med" "$n_times"
printf '  nc / sockt:        %6sx\n' "$(ratio "$n_med" "$s_med")"
echo "  open for sockt: $s_open"
if [ "$s_open" != "$n_open" ]; then
	echo "  open for nc:    $n_open"
	# A connect from a loopback port to itself (TCP simultaneous open) looks open to nc;
	# sockt reports it closed. Such ports lie in the ephemeral range.
	read -r lo hi < <(ip netns exec "$L" sysctl -n net.ipv4.ip_local_port_range)
	for p in $n_open; do
		case " $s_open " in *" $p "*) continue ;; esac
		if [ "$p" -ge "$lo" ] && [ "$p" -le "$hi" ]; then
			echo "  nc only: $p (in the ephemeral range $lo-$hi: a self-connect)"
		else
			echo "  nc only: $p (NOT in the ephemeral range: a real difference)"
		fi
	done
fi

echo "== 2. 1000 ports dropped by nft (-w 1)"
p1000=$(wall ip netns exec "$F" "$sockt" connect -z -w 1 --parallel 1000 127.0.0.1 40000-40999)
f1000=$(grep -c ' filtered ' "$tmpd/out" || true)
p128=$(wall ip netns exec "$F" "$sockt" connect -z -w 1 127.0.0.1 40000-40999)
f128=$(grep -c ' filtered ' "$tmpd/out" || true)
nc_s=$(wall ip netns exec "$F" nc.openbsd -z -w 1 127.0.0.1 40000-$((40000 + sample - 1)))
nc_est=$(awk -v t="$nc_s" -v n="$sample" 'BEGIN {printf "%.0f", t / n * 1000}')
printf '  sockt --parallel 1000:  %7.2f s  (%d filtered)\n' "$p1000" "$f1000"
printf '  sockt (default 128):    %7.2f s  (%d filtered)\n' "$p128" "$f128"
printf '  nc.openbsd -z -w 1:     %7.2f s  for %d ports, so about %d s for 1000\n' \
	"$nc_s" "$sample" "$nc_est"
printf '  nc / sockt --parallel 1000: %sx; nc / sockt default: %sx\n' \
	"$(ratio "$nc_est" "$p1000")" "$(ratio "$nc_est" "$p128")"
