#!/usr/bin/env bats
# trace.bats: sockt trace through a chain of namespaces the file builds once:
# client - r1 - r2 - r3 - server, IPv4 (10.77.0.0/16) and IPv6 (fd77::/16) inside them
# only. Routers drop, reject and lower the MTU per test (nft rules and link MTUs are
# undone in teardown); Debian's traceroute and tracepath trace the same chain beside it.

load lib/common
load lib/netchain
bats_require_minimum_version 1.5.0

setup_file() {
	[ "$(id -u)" = 0 ] || return 0
	chain_build "sktT$$" 3 "$BATS_FILE_TMPDIR/chain"
	export C=${CHAIN_NS[0]} R1=${CHAIN_NS[1]} R2=${CHAIN_NS[2]} R3=${CHAIN_NS[3]}
	export S=${CHAIN_NS[4]} D4=$CHAIN_DEST4 D6=$CHAIN_DEST6
}

teardown_file() {
	chain_destroy "$BATS_FILE_TMPDIR/chain"
}

teardown() {
	local ns
	for ns in "$R1" "$R2" "$R3" "$S"; do
		[ -n "$ns" ] && ip netns exec "$ns" nft delete table inet skt 2>/dev/null
	done
	if [ -n "${R2:-}" ]; then
		ip -n "$R2" link set v3l mtu 1500
		ip -n "$R3" link set v3r mtu 1500
	fi
	common_teardown
}

# nft_in NS RULES...: a table "skt" in NS with the chains given, removed at teardown.
nft_in() {
	local ns=$1
	shift
	printf 'table inet skt {\n%s\n}\n' "$*" | ip netns exec "$ns" nft -f -
}

# hops: "N ADDRESS" per hop line of traceroute-shaped output on stdin ("N *" when silent).
hops() {
	awk '/^ *[0-9]+  / { print $1, $2 }'
}

# tracepath_hops: the same from tracepath -n, answering hops only, each once.
tracepath_hops() {
	awk '$1 ~ /^[0-9]+:$/ && $2 != "no" { sub(":", "", $1); print $1, $2 }' | uniq
}

# The chain's routers as hops 1-3 and the server as hop 4, for a family (4 or 6).
expected_hops() {
	local k
	for k in 1 2 3 4; do
		if [ "$1" = 6 ]; then echo "$k fd77:0:0:$k::2"; else echo "$k 10.77.$k.2"; fi
	done
}

dest() {
	if [ "$1" = 6 ]; then echo "$D6"; else echo "$D4"; fi
}

# trace_c ARGS...: sockt trace in the client namespace, stdout and stderr apart.
trace_c() {
	run --separate-stderr in_ns "$C" "$SOCKT" trace "$@"
}

@test "trace: UDP probes name every router in order, then the host (IPv4 and IPv6)" {
	require_root
	for f in 4 6; do
		trace_c -n -w 1 "$(dest $f)"
		[ "$status" -eq 0 ]
		diff <(expected_hops $f) <(echo "$output" | hops)
		[[ "${lines[-1]}" =~ ^reached\ $(dest $f)\ at\ hop\ 4,\ [0-9.]+\ ms$ ]]
		[[ "$stderr" == *"trace to $(dest $f) ($(dest $f)), 30 hops max, udp to high ports"* ]]
	done
}

@test "trace: hop lines have traceroute's shape, three times each" {
	require_root
	trace_c -n -w 1 "$D6"
	[ "$status" -eq 0 ]
	[[ "${lines[2]}" =~ ^\ 3\ \ fd77:0:0:3::2\ \ [0-9]+\.[0-9]{3}\ ms\ \ [0-9]+\.[0-9]{3}\ ms\ \ [0-9]+\.[0-9]{3}\ ms$ ]]
	trace_c -n -w 1 -Q 1 "$D4"
	[[ "${lines[0]}" =~ ^\ 1\ \ 10\.77\.1\.2\ \ [0-9]+\.[0-9]{3}\ ms$ ]]
	# From hop 3, one probe at a time: the same hops, one after the other.
	trace_c -n -w 1 -f 3 -N 1 -Q 2 "$D4"
	[ "$status" -eq 0 ]
	diff <(expected_hops 4 | sed 1,2d) <(echo "$output" | hops)
	[[ "${lines[0]}" =~ ^\ 3\ \ 10\.77\.3\.2\ \ [0-9.]+\ ms\ \ [0-9.]+\ ms$ ]]
	# Ten probes a hop, all hops at once.
	trace_c -n -w 1 -Q 10 -N 255 -m 255 "$D6"
	[ "$status" -eq 0 ]
	diff <(expected_hops 6) <(echo "$output" | hops)
	[ "$(echo "${lines[3]}" | grep -o ' ms' | wc -l)" -eq 10 ]
}

@test "trace -T: TCP SYN probes name every router and find the port open" {
	require_root
	port=$(free_port tcp)
	spawn srv in_ns "$S" socat "TCP6-LISTEN:$port,fork,reuseaddr" /dev/null
	wait_listening "$port" tcp 5 "$S"
	for f in 4 6; do
		trace_c -n -w 1 -T "$(dest $f)" "$port"
		[ "$status" -eq 0 ]
		diff <(expected_hops $f) <(echo "$output" | hops)
		[[ "${lines[-1]}" =~ ^port\ $port\ \(tcp\)\ open\ at\ hop\ 4,\ [0-9.]+\ ms$ ]]
	done
}

@test "trace -T: a closed port at the end is reached, closed by a reset" {
	require_root
	port=$(free_port tcp)
	for f in 4 6; do
		trace_c -n -w 1 -T "$(dest $f)" "$port"
		[ "$status" -eq 0 ]
		diff <(expected_hops $f) <(echo "$output" | hops)
		[[ "${lines[-1]}" =~ ^reached\ $(dest $f),\ port\ closed\ \(RST\)\ at\ hop\ 4,\ [0-9.]+\ ms$ ]]
	done
}

@test "trace -I: ICMP echo probes name every router in order, over a raw socket" {
	require_root
	for f in 4 6; do
		trace_c -v -n -w 1 -I "$(dest $f)"
		[ "$status" -eq 0 ]
		diff <(expected_hops $f) <(echo "$output" | hops)
		[[ "${lines[-1]}" =~ ^reached\ $(dest $f)\ at\ hop\ 4 ]]
		[[ "$stderr" == *": raw socket"* ]]
	done
}

@test "trace: UDP to a port that answers is open; to one that does not, closed by ICMP" {
	require_root
	for f in 4 6; do
		spawn "echo$f" in_ns "$S" python3 "$TESTLIB/udp_peer.py" echo "$(dest $f)"
		wait_for_line "$(tmp)/echo$f.out" '^port [0-9]+$'
		port=$(awk '{ print $2; exit }' "$(tmp)/echo$f.out")
		trace_c -n -w 1 "$(dest $f)" "$port"
		[ "$status" -eq 0 ]
		diff <(expected_hops $f) <(echo "$output" | hops)
		[[ "${lines[-1]}" =~ ^port\ $port\ \(udp\)\ open\ at\ hop\ 4 ]]
	done
	trace_c -n -w 1 "$D4" $((port == 65535 ? port - 1 : port + 1))
	[ "$status" -eq 0 ]
	[[ "${lines[-1]}" =~ ^reached\ $D4,\ port\ closed\ \(ICMP\ port\ unreachable\)\ at\ hop\ 4 ]]
}

@test "trace: a router that drops its time-exceeded messages shows *, and the trace goes on" {
	require_root
	nft_in "$R2" 'chain out { type filter hook output priority 0;
		icmp type time-exceeded drop; icmpv6 type time-exceeded drop; }'
	for f in 4 6; do
		for kind in "" -T -I; do
			trace_c -n -w 1 $kind "$(dest $f)"
			[ "$status" -eq 0 ]
			[ "${lines[1]}" = " 2  * * *" ]
			diff <(expected_hops $f | sed 's/^2 .*/2 */') <(echo "$output" | hops)
		done
	done
}

@test "trace: a router that rejects as administratively prohibited ends the trace at !X" {
	require_root
	nft_in "$R3" "chain passing { type filter hook forward priority 0;
		ip daddr $D4 reject with icmpx type admin-prohibited;
		ip6 daddr $D6 reject with icmpx type admin-prohibited; }"
	for f in 4 6; do
		for kind in "" -T -I; do
			trace_c -n -w 1 $kind "$(dest $f)"
			[ "$status" -eq 1 ]
			r3=$(expected_hops $f | awk '$1 == 3 { print $2 }')
			[[ "${lines[3]}" =~ ^\ 4\ \ $r3\ \ [0-9.]+\ ms\ !X\ \ [0-9.]+\ ms\ !X\ \ [0-9.]+\ ms\ !X$ ]]
			[[ "${lines[-1]}" == "hop 4 ($r3) rejects: "*"(!X), "*" ms" ]]
		done
	done
	run --separate-stderr in_ns "$C" "$SOCKT" --json trace -n -w 1 "$D4"
	[ "$status" -eq 1 ]
	echo "${lines[-1]}" | python3 -c 'import json, sys
o = json.load(sys.stdin)
assert o["type"] == "summary" and o["reached"] is False and o["result"] == "rejected", o
assert o["hop"] == 4 and o["mark"] == "!X" and o["last_address"] == "10.77.3.2", o'
}

@test "trace: a router that drops everything onward: no answer past its hop, filtered here" {
	require_root
	nft_in "$R3" "chain passing { type filter hook forward priority 0;
		ip daddr $D4 drop; ip6 daddr $D6 drop; }"
	trace_c -n -w 1 -m 6 "$D4"
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 7 ]
	[ "${lines[5]}" = " 6  * * *" ]
	[ "${lines[-1]}" = "no answer past hop 3 (10.77.3.2): filtered here" ]
	trace_c -n -w 1 -m 5 -T "$D6" 443
	[ "$status" -eq 1 ]
	[ "${lines[-1]}" = "no answer past hop 3 (fd77:0:0:3::2): filtered here" ]
}

@test "trace --mtu: a lower MTU on one link is found at the right hop" {
	require_root
	ip -n "$R2" link set v3l mtu 1400
	ip -n "$R3" link set v3r mtu 1400
	for f in 4 6; do
		r2=$(expected_hops $f | awk '$1 == 2 { print $2 }')
		for kind in "" -I; do
			trace_c -n -w 1 --mtu $kind "$(dest $f)"
			[ "$status" -eq 0 ]
			[[ "${lines[0]}" == *"  pmtu 1500" ]]
			[[ "${lines[1]}" != *pmtu* ]]
			[[ "${lines[2]}" == *"  pmtu 1400" ]]
			[ "${lines[4]}" = "path MTU 1400: lowered at hop 2 ($r2)" ]
			[[ "${lines[-1]}" == "reached $(dest $f) at hop 4, "* ]]
		done
	done
	# tracepath, which remembers nothing of the above per socket, finds the same size.
	run in_ns "$C" tracepath -n "$D4"
	[[ "$output" == *"Resume: pmtu 1400 "* ]]
}

@test "trace --mtu: a black hole (no ICMP for large packets) is detected and said" {
	require_root
	ip -n "$R2" link set v3l mtu 1400
	ip -n "$R3" link set v3r mtu 1400
	nft_in "$R2" 'chain out { type filter hook output priority 0;
		icmp type destination-unreachable icmp code frag-needed drop;
		icmpv6 type packet-too-big drop; }'
	trace_c -n -w 1 --mtu "$D4"
	[ "$status" -eq 0 ]
	[[ "${lines[2]}" == *"pmtu 576  (black hole: 1500-byte probes vanish)" ]]
	[[ "$output" == *"MTU black hole before hop 3: 1500-byte probes vanish without an ICMP error, 576-byte ones pass"* ]]
	trace_c -n -w 1 --mtu --json "$D6"
	[ "$status" -eq 0 ]
	echo "${lines[-1]}" | python3 -c 'import json, sys
o = json.load(sys.stdin)
assert o["black_hole_hop"] == 3 and o["pmtu"] == 1280 and o["reached"] is True, o'
}

@test "trace: unprivileged as uid 65534: UDP, TCP and ICMP over ping sockets" {
	require_root
	for f in 4 6; do
		for kind in "" -T -I --mtu; do
			run --separate-stderr in_ns "$C" setpriv --reuid 65534 --regid 65534 \
			    --clear-groups "$SOCKT" trace -v -n -w 1 $kind "$(dest $f)"
			[ "$status" -eq 0 ]
			diff <(expected_hops $f) <(echo "$output" | hops)
		done
		[[ "$stderr" == *"raw socket refused [EPERM], using ping sockets"* ]] ||
		    [[ "$stderr" != *"-I"* ]]
	done
	# Without ping sockets, ICMP is refused with both errors and the ways out; UDP works.
	in_ns "$C" sysctl -qw "net.ipv4.ping_group_range=1 0"
	run --separate-stderr in_ns "$C" setpriv --reuid 65534 --regid 65534 --clear-groups \
	    "$SOCKT" trace -n -w 1 -I "$D4"
	in_ns "$C" sysctl -qw "net.ipv4.ping_group_range=0 2147483647"
	[ "$status" -eq 4 ]
	[[ "$stderr" == *"sockt trace: raw socket for ICMP: Operation not permitted [EPERM, errno 1]"* ]]
	[[ "$stderr" == *"sockt trace: ping socket: Permission denied [EACCES, errno 13]"* ]]
	[[ "$stderr" == *"hint: ICMP probes need CAP_NET_RAW"* ]]
}

@test "trace: the hops agree with Debian's traceroute and tracepath" {
	require_root
	nft_in "$R2" 'chain out { type filter hook output priority 0;
		icmp type time-exceeded drop; icmpv6 type time-exceeded drop; }'
	for f in 4 6; do
		trace_c -n -w 1 "$(dest $f)"
		ours=$(echo "$output" | hops)
		run in_ns "$C" traceroute -$f -n -w 1 -q 1 "$(dest $f)"
		[ "$status" -eq 0 ]
		diff <(echo "$ours") <(echo "$output" | hops)
		trace_c -n -w 1 -T "$(dest $f)" 443
		ours=$(echo "$output" | hops)
		run in_ns "$C" traceroute -$f -T -p 443 -n -w 1 -q 1 "$(dest $f)"
		diff <(echo "$ours") <(echo "$output" | hops)
		trace_c -n -w 1 -I "$(dest $f)"
		ours=$(echo "$output" | hops)
		run in_ns "$C" traceroute -$f -I -n -w 1 -q 1 "$(dest $f)"
		diff <(echo "$ours") <(echo "$output" | hops)
		# tracepath says "no reply" for silent hops; the answering ones must agree.
		run in_ns "$C" tracepath -$f -n "$(dest $f)"
		diff <(echo "$ours" | grep -v ' \*$') <(echo "$output" | tracepath_hops)
	done
}

@test "trace --json: one object per hop and a summary" {
	require_root
	port=$(free_port tcp)
	run --separate-stderr in_ns "$C" "$SOCKT" trace --json -n -w 1 -T "$D6" "$port"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 5 ]
	printf '%s\n' "${lines[@]}" | python3 -c 'import json, sys
objs = [json.loads(l) for l in sys.stdin]
for i, o in enumerate(objs[:4]):
    assert o["type"] == "hop" and o["hop"] == i + 1, o
    assert [p["address"] for p in o["probes"]] == ["fd77:0:0:%d::2" % (i + 1)] * 3, o
    assert all(p["ms"] > 0 for p in o["probes"]), o
s = objs[4]
assert s == dict(s, type="summary", destination="fd77:0:0:4::2", protocol="tcp",
                 reached=True, result="closed", hop=4, hops=4), s'
}

@test "trace: hops are named from the hosts file; -n leaves names out; -v traces every address" {
	require_root
	printf '%s\n' "10.77.1.2 r1.trace.test" "fd77:0:0:2::2 r2.trace.test" \
	    "10.77.4.2 srv.trace.test" "fd77:0:0:4::2 srv.trace.test" >"$(tmp)/hosts"
	run --separate-stderr with_hosts "$(tmp)/hosts" ip netns exec "$C" "$SOCKT" trace -4 -w 1 srv.trace.test
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" =~ ^\ 1\ \ r1\.trace\.test\ \(10\.77\.1\.2\)\ \  ]]
	[[ "${lines[1]}" =~ ^\ 2\ \ 10\.77\.2\.2\ \  ]]
	[[ "$stderr" == *"trace to srv.trace.test (10.77.4.2)"* ]]
	run --separate-stderr with_hosts "$(tmp)/hosts" ip netns exec "$C" "$SOCKT" trace -v -w 1 srv.trace.test
	[ "$status" -eq 0 ]
	[[ "$output" == *" 2  r2.trace.test (fd77:0:0:2::2)  "* ]]
	[ "$(echo "$output" | grep -c '^reached ')" -eq 2 ]
	run --separate-stderr with_hosts "$(tmp)/hosts" ip netns exec "$C" "$SOCKT" trace -n -w 1 10.77.4.2
	[[ "${lines[0]}" =~ ^\ 1\ \ 10\.77\.1\.2\ \  ]]
}

@test "trace: usage errors are status 2, an unknown name 3" {
	run -2 "$SOCKT" trace
	[[ "$output" == *"sockt trace: missing HOST"* ]]
	run -2 "$SOCKT" trace -I 127.0.0.1 80
	[[ "$output" == *"ICMP probes go to no port"* ]]
	run -2 "$SOCKT" trace -T --mtu 127.0.0.1 80
	[[ "$output" == *"--mtu works with UDP and ICMP probes"* ]]
	run -2 "$SOCKT" trace -m 0 127.0.0.1
	[[ "$output" == *"invalid TTL '0' for -m: must be 1-255"* ]]
	run -2 "$SOCKT" trace -f 9 -m 3 127.0.0.1
	run -2 "$SOCKT" trace -w 0 127.0.0.1
	run -2 "$SOCKT" trace 127.0.0.1 70000
	run -2 --separate-stderr "$SOCKT" -n trace nothing.trace.test
	[ "${stderr_lines[0]}" = "sockt trace: -n takes address literals only, and 'nothing.trace.test' is a name: leave -n out to look it up" ]
	run -2 "$SOCKT" -6 trace 127.0.0.1
	printf '127.0.0.1 localhost\n' >"$(tmp)/hosts"
	run -3 with_hosts "$(tmp)/hosts" "$SOCKT" trace nothing.trace.test
	[[ "$output" == *"nothing.trace.test: "*"[EAI_NONAME]"* ]]
}

@test "trace: loopback is reached at hop 1" {
	run --separate-stderr "$SOCKT" trace -n -w 1 127.0.0.1
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" =~ ^\ 1\ \ 127\.0\.0\.1\ \  ]]
	[[ "${lines[-1]}" == "reached 127.0.0.1 at hop 1, "* ]]
}

@test "connect's and raw-ping's timeout hints give the sockt trace line, and it says where" {
	require_root
	nft_in "$R3" "chain passing { type filter hook forward priority 0;
		ip daddr $D4 drop; ip6 daddr $D6 drop; }"
	run -1 in_ns "$C" "$SOCKT" connect -w 1 "$D4" 443
	[[ "$output" == *"sockt connect: hint: 'sockt trace -T $D4 443' shows where on the path the answers stop"* ]]
	run -1 in_ns "$C" "$SOCKT" raw-ping -c 1 -W 1 "$D6"
	[[ "$output" == *"sockt raw-ping: hint: 'sockt trace -I $D6' shows where on the path the answers stop"* ]]
	trace_c -n -w 1 -m 5 -T "$D4" 443
	[ "$status" -eq 1 ]
	[ "${lines[-1]}" = "no answer past hop 3 (10.77.3.2): filtered here" ]
}

@test "trace: a probe that cannot leave is an error line with its errno and hint, status 1" {
	require_root
	netns_new bare
	run --separate-stderr in_ns "$NETNS" "$SOCKT" trace -n -w 1 10.77.9.9
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[[ "$stderr" == *"sockt trace: send probe (hop 1): Network is unreachable [ENETUNREACH, errno 101]"* ]]
	[[ "$stderr" == *"sockt trace: hint: no route to that network"* ]]
	run --separate-stderr in_ns "$NETNS" "$SOCKT" trace -T -n -w 1 fd77::9
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"[ENETUNREACH, errno 101]"* ]]
}

@test "trace: a full stdout is status 4 with the errno, a closed one ends quietly" {
	run --separate-stderr bash -c '"$SOCKT" trace -n -w 1 127.0.0.1 >/dev/full'
	[ "$status" -eq 4 ]
	[[ "$stderr" == *"sockt trace: write to stdout: No space left on device [ENOSPC, errno 28]"* ]]
	[ "$(echo "$stderr" | grep -c 'write to stdout')" -eq 1 ]
	run --separate-stderr bash -c '"$SOCKT" --json trace -n -w 1 127.0.0.1 >/dev/full'
	[ "$status" -eq 4 ]
	[[ "$stderr" == *"[ENOSPC, errno 28]"* ]]
	run bash -c '"$SOCKT" trace -n -w 1 127.0.0.1 2>"$1" | head -c 0; echo "${PIPESTATUS[0]}"' sh "$(tmp)/err"
	[ "$output" = 0 ]
	! grep -q "write to stdout" "$(tmp)/err"
}

# Debian's traceroute writes !X for "host/network administratively prohibited" (ICMP codes
# 9 and 10) and !<5> for ICMPv6's source policy failure; sockt writes !A for those, as the
# BSD traceroute does, keeping !X for filters. The other marks must agree.
@test "trace: each kind of unreachable has traceroute's mark, and traceroute agrees" {
	require_root
	for rule in "4 icmp host-unreachable !H" "4 icmp net-unreachable !N" \
	    "4 icmp prot-unreachable !P" "4 icmp admin-prohibited !X" \
	    "4 icmp host-prohibited !A" "4 icmp net-prohibited !A" \
	    "6 icmpv6 addr-unreachable !H" "6 icmpv6 no-route !N" \
	    "6 icmpv6 policy-fail !A" "6 icmpv6 admin-prohibited !X"; do
		read -r f proto type mark <<<"$rule"
		ip netns exec "$R3" nft delete table inet skt 2>/dev/null || true
		nft_in "$R3" "chain passing { type filter hook forward priority 0;
			ip$([ "$f" = 6 ] && echo 6) daddr $(dest $f) reject with $proto type $type; }"
		trace_c -n -w 1 -Q 1 "$(dest $f)"
		[ "$status" -eq 1 ]
		[[ "${lines[3]}" =~ ^\ 4\ \ [0-9a-f:.]+\ \ [0-9.]+\ ms\ $mark$ ]]
		[[ "${lines[-1]}" == *"($mark), "* ]]
		[ "$mark" = "!A" ] && continue
		run in_ns "$C" traceroute -$f -n -w 1 -q 1 "$(dest $f)"
		[[ "$(echo "$output" | tail -n 1)" == *" ms $mark" ]]
	done
}
