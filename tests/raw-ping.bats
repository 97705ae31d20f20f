#!/usr/bin/env bats
# raw-ping.bats: sockt-raw-ping(1): loopback, then namespaces the tests make: a scripted
# responder (late, lossy, duplicated, damaged, foreign replies), a router that answers
# with ICMP errors, an unprivileged user with and without ping sockets. iputils ping runs
# beside sockt where the output must be the same.

load lib/common
bats_require_minimum_version 1.5.0

RESPONDER="$BATS_TEST_DIRNAME/lib/icmp_responder.py"

# The same words as iputils ping with the figures that vary taken out.
normalize() {
	sed -E -e 's/time=[0-9.]+ ms/time=T ms/' -e 's/time [0-9]+ms/time Tms/' \
	    -e 's#= [0-9.]+/[0-9.]+/[0-9.]+/[0-9.]+ ms#= R ms#' -e 's/, pipe [0-9]+//'
}

# new_ns NAME: a namespace without IPv6 duplicate address detection; its name in $NETNS.
new_ns() {
	netns_new "$1"
	in_ns "$NETNS" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
}

# pair: $A (10.202.0.1, 2001:db8:202::1) linked to $B (.2, ::2), whose kernel does not
# answer echo requests: only the responder does, if one is started.
pair() {
	new_ns a
	A=$NETNS
	new_ns b
	B=$NETNS
	veth_link "$A" va 10.202.0.1/2001:db8:202::1 "$B" vb 10.202.0.2/2001:db8:202::2
	in_ns "$B" sysctl -qw net.ipv4.icmp_echo_ignore_all=1 net.ipv6.icmp.echo_ignore_all=1
}

# responder ARGS...: the scripted responder in $B, once its sockets are open.
responder() {
	spawn responder in_ns "$B" python3 "$RESPONDER" --lifetime 20 "$@"
	wait_for_line "$(tmp)/responder.out" '^ready$'
}

# routed: $A (10.203.1.2) - $R (10.203.1.1, 10.203.2.1) - $B (10.203.2.2), and the
# same in 2001:db8:1::/64 and 2001:db8:2::/64. $R has unreachable routes to 10.203.9.0/24
# and 2001:db8:9::/64, and sends its ICMP errors without rate limits.
routed() {
	new_ns a
	A=$NETNS
	new_ns r
	R=$NETNS
	new_ns b
	B=$NETNS
	veth_link "$A" va 10.203.1.2/2001:db8:1::2 "$R" ra 10.203.1.1/2001:db8:1::1
	veth_link "$B" vb 10.203.2.2/2001:db8:2::2 "$R" rb 10.203.2.1/2001:db8:2::1
	in_ns "$R" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 \
	    net.ipv4.icmp_ratelimit=0 net.ipv6.icmp.ratelimit=0
	ip -n "$A" route add default via 10.203.1.1
	ip -n "$A" -6 route add default via 2001:db8:1::1
	ip -n "$B" route add default via 10.203.2.1
	ip -n "$B" -6 route add default via 2001:db8:2::1
	ip -n "$R" route add unreachable 10.203.9.0/24
	ip -n "$R" -6 route add unreachable 2001:db8:9::/64
}

NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups)

# iputils ARGS...: ping's output as bats' run keeps sockt's: without trailing empty lines.
iputils() {
	printf '%s\n' "$("$@")"
}

# ---------------------------------------------------------------- loopback

@test "raw-ping: loopback IPv4 reads exactly like iputils ping" {
	require_root
	run -0 "$SOCKT" raw-ping -c 3 -i 0.05 127.0.0.1
	[ "${lines[0]}" = "PING 127.0.0.1 (127.0.0.1) 56(84) bytes of data." ]
	[[ "${lines[1]}" =~ ^64\ bytes\ from\ 127\.0\.0\.1:\ icmp_seq=1\ ttl=64\ time=[0-9]+\.[0-9]+\ ms$ ]]
	[[ "${lines[5]}" =~ ^3\ packets\ transmitted,\ 3\ received,\ 0%\ packet\ loss,\ time\ [0-9]+ms$ ]]
	[[ "${lines[6]}" =~ ^rtt\ min/avg/max/mdev\ =\ [0-9]+\.[0-9]{3}/[0-9]+\.[0-9]{3}/[0-9]+\.[0-9]{3}/[0-9]+\.[0-9]{3}\ ms$ ]]
	diff <(printf '%s\n' "$output" | normalize) <(iputils ping -c 3 -i 0.05 127.0.0.1 | normalize)
}

@test "raw-ping: loopback IPv6 reads exactly like iputils ping" {
	require_root
	run -0 "$SOCKT" raw-ping -c 3 -i 0.05 -s 100 ::1
	[ "${lines[0]}" = "PING ::1(::1) 100 data bytes" ]
	[[ "${lines[1]}" =~ ^108\ bytes\ from\ ::1:\ icmp_seq=1\ ttl=64\ time= ]]
	diff <(printf '%s\n' "$output" | normalize) <(iputils ping -c 3 -i 0.05 -s 100 ::1 | normalize)
}

@test "raw-ping: -I gives ping's 'from' header and binds the source" {
	require_root
	run -0 "$SOCKT" raw-ping -c 1 -I 127.0.0.1 127.0.0.1
	[ "${lines[0]}" = "PING 127.0.0.1 (127.0.0.1) from 127.0.0.1 : 56(84) bytes of data." ]
	diff <(printf '%s\n' "$output" | normalize) <(iputils ping -c 1 -I 127.0.0.1 127.0.0.1 | normalize)
	run -4 "$SOCKT" raw-ping -c 1 -I 192.0.2.1 127.0.0.1
	[[ "$output" == *"bind for ICMP: Cannot assign requested address [EADDRNOTAVAIL, errno 99]"* ]]
	[[ "$output" == *"hint: "* ]]
}

@test "raw-ping: --json gives one object per reply and a summary" {
	require_root
	run -0 "$SOCKT" --json raw-ping -c 2 -i 0.05 127.0.0.1
	[ "${#lines[@]}" -eq 3 ]
	printf '%s\n' "$output" | python3 -c '
import json, sys
objs = [json.loads(l) for l in sys.stdin]
assert [o["type"] for o in objs] == ["reply", "reply", "summary"], objs
assert [o["seq"] for o in objs[:2]] == [1, 2]
for o in objs[:2]:
    assert o["host"] == "127.0.0.1" and o["from"] == "127.0.0.1" and o["bytes"] == 64
    assert o["ttl"] == 64 and 0 <= o["rtt_ms"] < 100 and o["dup"] is False
    assert o["damaged_bytes"] == 0
s = objs[2]
assert (s["transmitted"], s["received"], s["errors"], s["loss_percent"]) == (2, 2, 0, 0), s
assert s["rtt_min_ms"] <= s["rtt_avg_ms"] <= s["rtt_max_ms"]
'
}

@test "raw-ping: -q prints the header and the summary only" {
	require_root
	run -0 "$SOCKT" raw-ping -q -c 2 -i 0.05 127.0.0.1
	[ "${#lines[@]}" -eq 4 ]
	[[ "$output" != *"bytes from"* ]]
	[[ "${lines[2]}" == "2 packets transmitted, 2 received, 0% packet loss"* ]]
}

@test "raw-ping: -w ends the run at the deadline with the summary" {
	require_root
	run -0 "$SOCKT" raw-ping -w 0.3 -i 0.1 127.0.0.1
	[[ "$output" =~ ([0-9]+)\ packets\ transmitted,\ ([0-9]+)\ received ]]
	[ "${BASH_REMATCH[1]}" -ge 2 ] && [ "${BASH_REMATCH[1]}" -le 4 ]
	[ "${BASH_REMATCH[2]}" -eq "${BASH_REMATCH[1]}" ]
}

@test "raw-ping: SIGINT mid-run prints the summary and exits 0" {
	require_root
	spawn ping "$SOCKT" raw-ping -i 0.05 127.0.0.1
	wait_for_line "$(tmp)/ping.out" 'icmp_seq=3 '
	kill -INT "$SPAWNED_PID"
	wait_exit "$SPAWNED_PID" 5
	[ "$EXIT_STATUS" -eq 0 ]
	grep -q '^--- 127.0.0.1 ping statistics ---$' "$(tmp)/ping.out"
	grep -Eq '^[0-9]+ packets transmitted, [0-9]+ received, ' "$(tmp)/ping.out"
	grep -q '^rtt min/avg/max/mdev = ' "$(tmp)/ping.out"
}

@test "raw-ping: a closed stdout ends the run quietly with status 0" {
	require_root
	run -0 bash -c 'set -o pipefail; timeout 5 "$SOCKT" raw-ping -i 0.01 127.0.0.1 | head -n 2'
	[ "${#lines[@]}" -eq 2 ]
}

@test "raw-ping: a full or closed stdout is status 4 with the errno name, as for every command" {
	require_root
	for q in "" -q --json; do
		run --separate-stderr -4 bash -c "\"\$SOCKT\" $q raw-ping -c 2 -i 0.05 127.0.0.1 >/dev/full"
		[ "$stderr" = "sockt raw-ping: write to stdout: No space left on device [ENOSPC, errno 28]" ]
		run --separate-stderr -4 bash -c "\"\$SOCKT\" $q raw-ping -c 2 -i 0.05 127.0.0.1 >&-"
		[ "$stderr" = "sockt raw-ping: write to stdout: Bad file descriptor [EBADF, errno 9]" ]
	done
}

@test "raw-ping: bad sizes, TTLs, counts and intervals are usage errors" {
	run -2 "$SOCKT" raw-ping -s 65528 ::1
	[[ "$output" == *"invalid size '65528' for -s: must be 0-65527 bytes"* ]]
	run -2 "$SOCKT" raw-ping -s 64k ::1
	[[ "$output" == *"invalid size '64k' for -s: must be 0-65527 bytes"* ]]
	run -2 "$SOCKT" raw-ping -s 65508 127.0.0.1
	[[ "$output" == *"invalid -s '65508': an IPv4 echo request carries at most 65507 bytes"* ]]
	run -2 "$SOCKT" raw-ping -t 0 127.0.0.1
	[[ "$output" == *"invalid TTL '0' for -t: must be 1-255"* ]]
	run -2 "$SOCKT" raw-ping --ttl 256 127.0.0.1
	[[ "$output" == *"invalid TTL '256' for --ttl: must be 1-255"* ]]
	run -2 "$SOCKT" raw-ping -c 0 127.0.0.1
	run -2 "$SOCKT" raw-ping -i 0 127.0.0.1
	run -2 "$SOCKT" raw-ping -W 1x 127.0.0.1
	run -2 "$SOCKT" raw-ping
	[[ "$output" == *"missing HOST"* ]]
	run -2 "$SOCKT" raw-ping -I no-such-interface0 127.0.0.1
	[[ "$output" == *"invalid source 'no-such-interface0'"* ]]
}

@test "raw-ping: a host that does not resolve is status 3 with its EAI_ code" {
	run -3 "$SOCKT" raw-ping -c 1 no-such-host.invalid
	[[ "$output" == *"no-such-host.invalid: "*"[EAI_NONAME]"* ]]
}

# ---------------------------------------------------------------- a scripted responder

@test "raw-ping: RTT matches the responder's delay and iputils ping's least figure" {
	require_root
	pair
	responder --delay 0.1
	for host in 10.202.0.2 2001:db8:202::2; do
		run -0 in_ns "$A" "$SOCKT" --json raw-ping -c 3 -i 0.05 "$host"
		# The minimum, not the average: a python responder on a loaded machine adds jitter
		# to some replies, but seldom to all three of either tool's.
		sockt_min=$(printf '%s\n' "$output" | python3 -c '
import json, sys
objs = [json.loads(l) for l in sys.stdin]
rtts = [o["rtt_ms"] for o in objs if o["type"] == "reply"]
assert len(rtts) == 3 and all(100 <= r < 150 for r in rtts), rtts
assert objs[-1]["rtt_min_ms"] == min(rtts), objs[-1]
print(min(rtts))')
		ping_min=$(in_ns "$A" ping -c 3 -i 0.05 "$host" | sed -nE 's#^rtt [^=]+= ([0-9.]+)/.*#\1#p')
		echo "sockt $sockt_min ms, ping $ping_min ms"
		python3 -c "import sys; sys.exit(abs($sockt_min - $ping_min) > 5)"
	done
}

@test "raw-ping: every other request answered is 50% packet loss" {
	require_root
	pair
	responder --every 2
	run -0 in_ns "$A" "$SOCKT" raw-ping -c 4 -i 0.05 -W 0.3 10.202.0.2
	[ "$(grep -c 'bytes from' <<<"$output")" -eq 2 ]
	[[ "$output" == *"icmp_seq=1 "* && "$output" == *"icmp_seq=3 "* ]]
	[[ "$output" != *"icmp_seq=2 "* ]]
	[[ "$output" == *"4 packets transmitted, 2 received, 50% packet loss, time"* ]]
	run -0 in_ns "$A" "$SOCKT" --json raw-ping -c 4 -i 0.05 -W 0.3 2001:db8:202::2
	[ "$(grep -c '"type":"loss"' <<<"$output")" -eq 2 ]
	[[ "$output" == *'"type":"loss","host":"2001:db8:202::2","address":"2001:db8:202::2","seq":2}'* ]]
	[[ "$output" == *'"transmitted":4,"received":2,'* ]]
}

@test "raw-ping: a reply sent twice is marked (DUP!) and counted" {
	require_root
	pair
	responder --dup
	run -0 in_ns "$A" "$SOCKT" raw-ping -c 3 -i 0.1 10.202.0.2
	[ "$(grep -c 'icmp_seq=1 ttl=64 time=.* ms (DUP!)$' <<<"$output")" -eq 1 ]
	[ "$(grep -c 'icmp_seq=2 ttl=64 time=.* ms (DUP!)$' <<<"$output")" -eq 1 ]
	[[ "$output" =~ 3\ packets\ transmitted,\ 3\ received,\ \+[23]\ duplicates,\ 0%\ packet\ loss ]]
}

@test "raw-ping: a damaged payload is reported byte by byte as iputils ping does" {
	require_root
	pair
	responder --damage 20
	run -0 in_ns "$A" "$SOCKT" raw-ping -c 1 10.202.0.2
	[ "${lines[2]}" = "wrong data byte #20 should be 0x14 but was 0xeb" ]
	[[ "${lines[3]}" == "#16"$'\t'"10 11 12 13 eb 15 "* ]]
	diff <(printf '%s\n' "$output" | normalize) <(iputils in_ns "$A" ping -c 1 10.202.0.2 | normalize)
	run -0 in_ns "$A" "$SOCKT" raw-ping -c 1 -s 100 2001:db8:202::2
	diff <(printf '%s\n' "$output" | normalize) <(iputils in_ns "$A" ping -c 1 -s 100 2001:db8:202::2 | normalize)
	run -0 in_ns "$A" "$SOCKT" --json raw-ping -c 1 10.202.0.2
	[[ "$output" == *'"damaged_bytes":1,"first_damaged_byte":20,"expected":20,"got":235}'* ]]
}

@test "raw-ping: replies with a foreign identifier are ignored and count as lost" {
	require_root
	pair
	responder --foreign-id
	run -1 in_ns "$A" "$SOCKT" -vv raw-ping -c 2 -i 0.05 -W 0.3 10.202.0.2 2001:db8:202::2
	[[ "$output" != *"bytes from"* ]]
	[[ "$output" == *"10.202.0.2: 2 packets transmitted, 0 received, 100% packet loss"* ]]
	[[ "$output" == *"2001:db8:202::2: 2 packets transmitted, 0 received, 100% packet loss"* ]]
	[[ "$output" == *"ignored a packet from 10.202.0.2: another program's identifier"* ]]
}

@test "raw-ping: a reply far larger than the request is read whole, never cut: IPv4 and IPv6" {
	require_root
	pair
	responder --reply-size 65000
	run -0 in_ns "$A" "$SOCKT" raw-ping -c 1 10.202.0.2
	[[ "${lines[1]}" =~ ^65008\ bytes\ from\ 10\.202\.0\.2:\ icmp_seq=1\ ttl=64\ time=[0-9.]+\ ms$ ]]
	[[ "$output" == *"1 packets transmitted, 1 received, 0% packet loss"* ]]
	run -0 in_ns "$A" "$SOCKT" raw-ping -c 1 2001:db8:202::2
	[[ "${lines[1]}" =~ ^65008\ bytes\ from\ 2001:db8:202::2:\ icmp_seq=1\ ttl=64\ time=[0-9.]+\ ms$ ]]
	run -0 in_ns "$A" "$SOCKT" --json raw-ping -c 1 10.202.0.2
	[[ "${lines[0]}" == *'"bytes":65008,'*'"corrupted":false,"truncated":false,'*'"damaged_bytes":0'* ]]
}

@test "raw-ping: replies after -W are counted and shown late, not dropped: only the last is lost" {
	require_root
	pair
	# Each reply takes 0.7 s for a 0.2 s -W. Requests leave at 0, 1 and 2 s and the run ends
	# at 2.2 s: replies 1 and 2 come at 0.7 and 1.7 s (late), reply 3 at 2.7 s, after the end.
	responder --delay 0.7
	run -0 in_ns "$A" "$SOCKT" raw-ping -c 3 -i 1 -W 0.2 10.202.0.2
	[[ "$output" =~ icmp_seq=1\ ttl=64\ time=[0-9.]+\ ms\ \(late\) ]]
	[[ "$output" =~ icmp_seq=2\ ttl=64\ time=[0-9.]+\ ms\ \(late\) ]]
	[[ "$output" != *"icmp_seq=3 "* ]]
	[[ "$output" == *"3 packets transmitted, 2 received, 33.3333% packet loss"* ]]
	run -0 in_ns "$A" "$SOCKT" --json raw-ping -c 3 -i 1 -W 0.2 2001:db8:202::2
	[ "$(grep -c '"type":"reply",.*"late":true' <<<"$output")" -eq 2 ]
	[[ "${lines[-1]}" == *'"transmitted":3,"received":2,'*'"lost":1,"late":2,'* ]]
}

@test "raw-ping: several hosts at once, one silent, each line prefixed, status 1" {
	require_root
	pair
	run -1 in_ns "$A" "$SOCKT" raw-ping -c 2 -i 0.05 -W 0.3 127.0.0.1 ::1 10.202.0.2
	[ "${lines[0]}" = "127.0.0.1: PING 127.0.0.1 (127.0.0.1) 56(84) bytes of data." ]
	[ "${lines[1]}" = "::1: PING ::1(::1) 56 data bytes" ]
	[ "${lines[2]}" = "10.202.0.2: PING 10.202.0.2 (10.202.0.2) 56(84) bytes of data." ]
	[ "$(grep -c '^127\.0\.0\.1: 64 bytes from 127\.0\.0\.1: icmp_seq=' <<<"$output")" -eq 2 ]
	[ "$(grep -c '^::1: 64 bytes from ::1: icmp_seq=' <<<"$output")" -eq 2 ]
	[ "$(grep -c '^10\.202\.0\.2: 64 bytes' <<<"$output")" -eq 0 ]
	[ "$(grep -c ' ping statistics ---$' <<<"$output")" -eq 3 ]
	[[ "$output" == *"127.0.0.1: 2 packets transmitted, 2 received, 0% packet loss"* ]]
	[[ "$output" == *"::1: 2 packets transmitted, 2 received, 0% packet loss"* ]]
	[[ "$output" == *"10.202.0.2: 2 packets transmitted, 0 received, 100% packet loss"* ]]
	run -0 in_ns "$A" "$SOCKT" raw-ping -c 1 127.0.0.1 ::1
}

# ---------------------------------------------------------------- a router's errors

@test "raw-ping: an unreachable route gives Destination Unreachable, IPv4 and IPv6, as ping" {
	require_root
	routed
	# The router sends at most 5 IPv4 routing errors at once to a host (error_burst): 4 here.
	for host in 10.203.9.9 2001:db8:9::9; do
		run -1 in_ns "$A" "$SOCKT" raw-ping -c 2 -i 0.05 -W 0.5 "$host"
		[[ "$output" == *"2 packets transmitted, 0 received, +2 errors, 100% packet loss"* ]]
		[[ $host == *:* ]] ||
		    [ "${lines[1]}" = "From 10.203.1.1 icmp_seq=1 Destination Host Unreachable" ]
		diff <(printf '%s\n' "$output" | normalize) \
		    <(iputils in_ns "$A" ping -c 2 -i 0.05 -W 0.5 "$host" | normalize)
	done
	[ "${lines[1]}" = "From 2001:db8:1::1 icmp_seq=1 Destination unreachable: No route" ]
	run -1 in_ns "$A" "$SOCKT" --json raw-ping -c 1 -W 0.5 2001:db8:9::9
	[[ "${lines[0]}" == '{"type":"error",'*'"from":"2001:db8:1::1","icmp_type":1,"icmp_code":0,"message":"Destination unreachable: No route"}' ]]
}

@test "raw-ping: -t 1 gives Time to live exceeded, IPv4 and IPv6, as ping" {
	require_root
	routed
	run -0 in_ns "$A" "$SOCKT" raw-ping -c 1 10.203.2.2 2001:db8:2::2
	for host in 10.203.2.2 2001:db8:2::2; do
		run -1 in_ns "$A" "$SOCKT" raw-ping -c 2 -i 0.05 -W 0.5 -t 1 "$host"
		diff <(printf '%s\n' "$output" | normalize) \
		    <(iputils in_ns "$A" ping -c 2 -i 0.05 -W 0.5 -t 1 "$host" | normalize)
	done
	[ "${lines[1]}" = "From 2001:db8:1::1 icmp_seq=1 Time exceeded: Hop limit" ]
	run -1 in_ns "$A" "$SOCKT" --json raw-ping -c 1 -t 1 10.203.2.2
	[[ "${lines[0]}" == '{"type":"error","host":"10.203.2.2","address":"10.203.2.2","seq":1,"from":"10.203.1.1","icmp_type":11,"icmp_code":0,"message":"Time to live exceeded"}' ]]
	[[ "${lines[1]}" == *'"transmitted":1,"received":0,"duplicates":0,"corrupted":0,"damaged":0,"errors":1,'* ]]
}

# ---------------------------------------------------------------- without privileges

@test "raw-ping: an unprivileged user uses ping sockets where ping_group_range admits it" {
	require_root
	routed
	in_ns "$A" sysctl -qw net.ipv4.ping_group_range="65534 65534"
	run -0 in_ns "$A" "${NOBODY[@]}" "$SOCKT" -v raw-ping -c 2 -i 0.05 127.0.0.1 ::1 10.203.2.2 2001:db8:2::2
	[[ "$output" == *"ICMP: raw socket refused [EPERM], using ping sockets"* ]]
	[[ "$output" == *"ICMPv6: raw socket refused [EPERM], using ping sockets"* ]]
	[[ "$output" == *"privileges dropped: user 65534"* ]]
	[ "$(grep -Ec '^(127\.0\.0\.1|::1): 64 bytes from .*: icmp_seq=[12] ttl=64 time=' <<<"$output")" -eq 4 ]
	[ "$(grep -Ec '^10\.203\.2\.2: 64 bytes from 10\.203\.2\.2: icmp_seq=[12] ttl=63 time=' <<<"$output")" -eq 2 ]
	[ "$(grep -Ec '^2001:db8:2::2: 64 bytes from 2001:db8:2::2: icmp_seq=[12] ttl=63 time=' <<<"$output")" -eq 2 ]
	# The errors come through IP_RECVERR on ping sockets: the same lines.
	for host in 10.203.9.9 2001:db8:9::9; do
		run -1 in_ns "$A" "${NOBODY[@]}" "$SOCKT" raw-ping -c 1 -W 0.5 "$host"
		[[ "${lines[1]}" == "From "*" icmp_seq=1 Destination "* ]]
	done
	run -1 in_ns "$A" "${NOBODY[@]}" "$SOCKT" raw-ping -c 1 -t 1 2001:db8:2::2
	[ "${lines[1]}" = "From 2001:db8:1::1 icmp_seq=1 Time exceeded: Hop limit" ]
}

@test "raw-ping: without CAP_NET_RAW nor ping sockets: status 4 and the way out" {
	require_root
	new_ns a
	in_ns "$NETNS" sysctl -qw net.ipv4.ping_group_range="1 0"
	run -4 in_ns "$NETNS" "${NOBODY[@]}" "$SOCKT" raw-ping -c 1 127.0.0.1
	[ "${lines[0]}" = "sockt raw-ping: raw socket for ICMP: Operation not permitted [EPERM, errno 1]" ]
	[ "${lines[1]}" = "sockt raw-ping: ping socket for ICMP: Permission denied [EACCES, errno 13]" ]
	[[ "$output" == *"hint: "*"CAP_NET_RAW"*"setcap cap_net_raw+ep"*"net.ipv4.ping_group_range"* ]]
	[[ "$output" == *'hint: net.ipv4.ping_group_range is "1 0" and your group is 65534'* ]]
	run -2 in_ns "$NETNS" "${NOBODY[@]}" "$SOCKT" raw-ping -i 0.001 -c 1 127.0.0.1
	[[ "$output" == *"below 2 ms is flooding, which only root may do"* ]]
}

@test "raw-ping: -s takes k, M and G as sizes do everywhere, within its limits" {
	require_root
	run -0 "$SOCKT" raw-ping -c 1 -s 1k 127.0.0.1
	[ "${lines[0]}" = "PING 127.0.0.1 (127.0.0.1) 1024(1052) bytes of data." ]
	[[ "${lines[1]}" == "1032 bytes from 127.0.0.1: icmp_seq=1 "* ]]
	diff <(printf '%s\n' "$output" | normalize) <(iputils ping -c 1 -s 1024 127.0.0.1 | normalize)
	run -0 "$SOCKT" raw-ping -c 1 -s 1.5k ::1
	[ "${lines[0]}" = "PING ::1(::1) 1536 data bytes" ]
	run -2 "$SOCKT" raw-ping -c 1 -s 1M ::1
	[[ "$output" == *"invalid size '1M' for -s: must be 0-65527 bytes (k, M, G: powers of 1024)"* ]]
	run -2 "$SOCKT" raw-ping -c 1 -s 64k 127.0.0.1
	run -2 "$SOCKT" raw-ping -c 1 -s 1x 127.0.0.1
}

@test "raw-ping: -4/-6, -n and -I clashes with a HOST are usage errors naming both" {
	run -2 --separate-stderr "$SOCKT" raw-ping -I 127.0.0.1 ::1
	[ "${stderr_lines[0]}" = "sockt raw-ping: the source '127.0.0.1' (-I) and '::1' are not of one family: give a source of the host's family" ]
	run -2 --separate-stderr "$SOCKT" -6 raw-ping -c 1 127.0.0.1
	[ "${stderr_lines[0]}" = "sockt raw-ping: -6 asks for IPv6 only, and '127.0.0.1' is an IPv4 address" ]
	run -2 --separate-stderr "$SOCKT" raw-ping -4 -I ::1 ::1
	[ "${stderr_lines[0]}" = "sockt raw-ping: -4 asks for IPv4 only, and '::1' is an IPv6 address" ]
	run -2 --separate-stderr "$SOCKT" -n raw-ping -c 1 localhost
	[ "${stderr_lines[0]}" = "sockt raw-ping: -n takes address literals only, and 'localhost' is a name: leave -n out to look it up" ]
}

@test "raw-ping: a name with two addresses pings the one iputils ping pings, and -v names it" {
	require_root
	printf '127.0.0.1 dual.test\n::1 dual.test\n' >"$(tmp)/hosts.v4first"
	printf '::1 dual.test\n127.0.0.1 dual.test\n' >"$(tmp)/hosts.v6first"
	for order in v4first v6first; do
		run -0 --separate-stderr with_hosts "$(tmp)/hosts.$order" "$SOCKT" raw-ping -v -c 1 dual.test
		addr=$(head -1 <<<"$output" | grep -oE '\([0-9a-f.:]+\)' | head -1 | tr -d '()')
		[ -n "$addr" ]
		want=$(with_hosts "$(tmp)/hosts.$order" ping -c 1 dual.test | head -1 |
			grep -oE '\([0-9a-f.:]+\)' | head -1 | tr -d '()')
		[ "$addr" = "$want" ]
		[[ "$stderr" == *"sockt raw-ping: dual.test has 1 more address; pinging $addr, the first (choose with -4/-6 or an address)"* ]]
	done
	run -0 --separate-stderr with_hosts "$(tmp)/hosts.v6first" "$SOCKT" -4 raw-ping -v -c 1 dual.test
	[[ "${lines[0]}" == "PING dual.test"*"(127.0.0.1) "* ]]
	[[ "$stderr" != *"more address"* ]]
}
