#!/bin/bash
# bench/tcping.sh: `sockt connect -z -c N -i 0.001` (TCP probes, each a full connect closed
# with RST) beside hping3 -S (raw SYNs, the kernel's RST), or beside a loop of nc.openbsd -z
# where hping3 is missing, in a network namespace it makes (root only): wall time and CPU
# time (user + system) of each, medians of ROUNDS, as ratios; the TIME_WAIT sockets each run
# leaves in the namespace (sockt's RST close should leave none).
# Usage: bench/tcping.sh [SOCKT] [ROUNDS] [COUNT]
set -eu
sockt=$(realpath "${1:-src/sockt}")
rounds=${2:-3}
count=${3:-1000}
[ "$(id -u)" = 0 ] || { echo "bench/tcping.sh: needs root (a network namespace)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "bench/tcping.sh: needs /usr/bin/time (Debian package time)" >&2; exit 2; }

N=skttcping$$
port=7100
lpid=
tmpd=$(mktemp -d)
cleanup() {
	[ -n "$lpid" ] && kill "$lpid" 2>/dev/null
	ip netns del "$N" 2>/dev/null || true
	rm -rf "$tmpd"
}
trap cleanup EXIT
ip netns add "$N"
ip -n "$N" link set lo up

# A listener that accepts every connection and closes it once the client has (bounded: 1 h).
ip netns exec "$N" python3 -c '
import selectors, socket, sys, time
ls = socket.socket(); ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(("127.0.0.1", int(sys.argv[1]))); ls.listen(1024); ls.setblocking(False)
sel = selectors.DefaultSelector(); sel.register(ls, selectors.EVENT_READ)
end = time.monotonic() + 3600
while time.monotonic() < end:
    for key, _ in sel.select(1):
        if key.fileobj is ls:
            try:
                c, _ = ls.accept()
            except BlockingIOError:
                continue
            c.setblocking(False); sel.register(c, selectors.EVENT_READ)
            continue
        try:
            d = key.fileobj.recv(4096)
        except BlockingIOError:
            continue
        except OSError:
            d = b""
        if not d:
            sel.unregister(key.fileobj); key.fileobj.close()' "$port" &
lpid=$!
until ip netns exec "$N" ss -Hltn "sport = :$port" | grep -q .; do sleep 0.02; done

# measure CMD...: "WALL CPU" in seconds for one run (output in $tmpd/out, status ignored).
measure() {
	/usr/bin/time -f '%e %U %S' -o "$tmpd/time" "$@" >"$tmpd/out" 2>"$tmpd/err" || true
	awk '{printf "%.3f %.3f\n", $1, $2 + $3}' "$tmpd/time"
}
median() { tr ' ' '\n' | grep . | sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (b > 0) printf "%.2f", a / b; else print "inf"}'; }
time_waits() { ip netns exec "$N" ss -Htan state time-wait "( sport = :$port or dport = :$port )" | wc -l; }
# Time-waits from an earlier run would be counted against the next: wait for none (bounded).
settle() {
	for _ in $(seq 150); do [ "$(time_waits)" -eq 0 ] && return; sleep 0.5; done
}

nc_loop() {
	for _ in $(seq "$count"); do
		nc.openbsd -z 127.0.0.1 "$port"
		sleep 0.001
	done
}

if command -v hping3 >/dev/null && ip netns exec "$N" hping3 -S -q -c 1 -p "$port" 127.0.0.1 >/dev/null 2>&1; then
	other="hping3 -S -c $count -i u1000"
	other_cmd=(ip netns exec "$N" hping3 -S -q -c "$count" -i u1000 -p "$port" 127.0.0.1)
else
	other="a loop of $count nc.openbsd -z (sleep 0.001 between)"
	export -f nc_loop
	export count port
	other_cmd=(ip netns exec "$N" bash -c nc_loop)
fi

echo "== $count probes of 127.0.0.1 port $port every 1 ms, in a namespace ($rounds rounds, medians)"
s_wall= s_cpu= o_wall= o_cpu= s_tw= o_tw=
for _ in $(seq 1 "$rounds"); do
	settle
	read -r w c < <(measure ip netns exec "$N" "$sockt" connect -z -q -c "$count" -i 0.001 127.0.0.1 "$port")
	s_wall="$s_wall $w" s_cpu="$s_cpu $c"
	s_sum=$(grep 'probes sent' "$tmpd/out" || true)
	s_rtt=$(grep '^rtt' "$tmpd/out" || true)
	s_tw=$(time_waits)
	settle
	read -r w c < <(measure "${other_cmd[@]}")
	o_wall="$o_wall $w" o_cpu="$o_cpu $c"
	o_sum=$(grep -E 'packets (transmitted|tramitted)|round-trip' "$tmpd/out" "$tmpd/err" 2>/dev/null | sed 's/^[^:]*://' | tr '\n' ' ' || true)
	o_tw=$(time_waits)
done
sw=$(echo "$s_wall" | median) sc=$(echo "$s_cpu" | median)
ow=$(echo "$o_wall" | median) oc=$(echo "$o_cpu" | median)
printf '  sockt connect -z -c %d -i 0.001:  wall %6.3f s  cpu %6.3f s  (walls:%s)\n' "$count" "$sw" "$sc" "$s_wall"
printf '      %s; %s; TIME_WAIT left: %s\n' "$s_sum" "$s_rtt" "$s_tw"
printf '  %s:  wall %6.3f s  cpu %6.3f s  (walls:%s)\n' "$other" "$ow" "$oc" "$o_wall"
printf '      %s; TIME_WAIT left: %s\n' "${o_sum:-(no summary)}" "$o_tw"
printf '  other / sockt:  wall %sx  cpu %sx\n' "$(ratio "$ow" "$sw")" "$(ratio "$oc" "$sc")"
