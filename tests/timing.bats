#!/usr/bin/env bats
# timing.bats: every connection says how it went: connect and send time name resolution per
# family, each attempt, the first byte and the total (-v and --json); listen, connect and send
# add what TCP_INFO measured at close, checked against a link with a known delay
# (tests/lib/delayer.py, two TUN devices) and against segments nft drops; connect -z -v ends
# with one line per family, in namespaces where one family is slower or does not route.

load lib/common
bats_require_minimum_version 1.5.0

# dual_hosts: a hosts file where dual.test is ::1 and 127.0.0.1 (the IPv4 line first, so that
# the RFC 6724 order, not the file's, puts ::1 first) and v4.test is 127.0.0.1 alone.
dual_hosts() {
	printf '127.0.0.1 localhost dual.test v4.test\n::1 localhost dual.test\n' >"$(tmp)/hosts"
}

# json_lines FILE: the JSON objects among the lines of FILE (the -v lines start "sockt ").
json_lines() {
	grep '^{' "$1"
}

# delay_pair DELAY_MS: namespaces $A and $B joined by tests/lib/delayer.py's two TUN devices,
# DELAY_MS each way: 10.97.0.1 and fd00:97::1 in A, 10.97.0.2 and fd00:97::2 in B.
delay_pair() {
	netns_new dla
	A=$NETNS
	netns_new dlb
	B=$NETNS
	spawn delayer python3 "$TESTLIB/delayer.py" "$A" tda "$B" tdb "$1" 40
	wait_for_line "$(tmp)/delayer.out" '^ready$'
	ip -n "$A" addr add 10.97.0.1/24 dev tda
	ip -n "$A" addr add fd00:97::1/64 dev tda nodad
	ip -n "$B" addr add 10.97.0.2/24 dev tdb
	ip -n "$B" addr add fd00:97::2/64 dev tdb nodad
	ip -n "$A" link set tda up
	ip -n "$B" link set tdb up
	# A TUN device's state is UNKNOWN, never UP: its carrier comes with the delayer's descriptor.
	ip -n "$A" link show tda | grep -q LOWER_UP
	ip -n "$B" link show tdb | grep -q LOWER_UP
}

# between LOW HIGH NUMBER: whether LOW <= NUMBER <= HIGH (NUMBER may have decimals).
between() {
	awk -v lo="$1" -v hi="$2" -v n="$3" 'BEGIN { exit !(n >= lo && n <= hi) }'
}

@test "timing: connect -v times the name per family, each attempt, the first byte and the total" {
	dual_hosts
	port=$(free_port)
	tcp_server srv say 127.0.0.1 "$port" hello
	run --separate-stderr with_hosts "$(tmp)/hosts" timeout 10 "$SOCKT" -v connect dual.test "$port" </dev/null
	[ "$status" -eq 0 ]
	[ "$output" = hello ]
	re='^sockt connect: resolved dual.test in [0-9]+\.[0-9]{3} ms: IPv6 [0-9]+\.[0-9]{3} ms \(1 address\), IPv4 [0-9]+\.[0-9]{3} ms \(1 address\)$'
	[[ "${stderr_lines[0]}" =~ $re ]]
	# ::1 comes first (RFC 6724), is refused, and says how long that took.
	[ "${stderr_lines[1]}" = "sockt connect: trying ::1 port $port (tcp)" ]
	[[ "$stderr" =~ "sockt connect: ::1 port $port (tcp): failed after "[0-9]+\.[0-9]{3}" ms" ]]
	[[ "$stderr" =~ "sockt connect: connected to 127.0.0.1 port $port (tcp) in "[0-9]+\.[0-9]{3}" ms" ]]
	re='sockt connect: timing: resolve [0-9.]+ ms, connect [0-9.]+ ms, first byte [0-9.]+ ms, total [0-9.]+ ms$'
	[[ "$stderr" =~ $re ]]
	[[ "$stderr" =~ "sockt connect: tcp_info: rtt "[0-9.]+/[0-9.]+" ms, retrans 0, lost 0, pmtu "[0-9]+", cwnd "[0-9]+ ]]
}

@test "timing: send --json writes a timing object whose phases add up, DNS outside the connect" {
	dual_hosts
	port=$(free_port)
	tcp_server srv after-eof 127.0.0.1 "$port"
	with_hosts "$(tmp)/hosts" timeout 10 "$SOCKT" --json send dual.test "$port" hello \
		>"$(tmp)/out" 2>"$(tmp)/err"
	[ "$(cat "$(tmp)/out")" = "got 5 bytes" ]
	# --json alone: the objects, no -v line.
	[ "$(json_lines "$(tmp)/err" | wc -l)" -eq 2 ]
	[ "$(wc -l <"$(tmp)/err")" -eq 2 ]
	t=$(json_lines "$(tmp)/err" | jq -c 'select(.type == "timing")')
	[ "$(jq -r '.host' <<<"$t")" = dual.test ]
	[ "$(jq -r '[.resolve[].family] | join(" ")' <<<"$t")" = "IPv6 IPv4" ]
	[ "$(jq -r '[.resolve[].addresses] | join(" ")' <<<"$t")" = "1 1" ]
	[ "$(jq -r '[.attempts[] | .address + " " + .result] | join(",")' <<<"$t")" = "::1 ECONNREFUSED,127.0.0.1 connected" ]
	# The phases follow one another: resolve + connect + first byte never exceed the total.
	# (Each is rounded to the microsecond: a sum may differ by one or two.)
	jq -e '(.resolve_ms - ([.resolve[].ms] | add)) as $d | $d < 0.003 and $d > -0.003 and
		.connect_ms >= .attempts[-1].ms and
		.first_byte_ms > 0 and .resolve_ms + .connect_ms + .first_byte_ms <= .total_ms' <<<"$t"
	c=$(json_lines "$(tmp)/err" | jq -c 'select(.type == "close")')
	jq -e '.address == "127.0.0.1" and .bytes_sent == 5 and .bytes_received == 12 and
		.tcp_info.retrans == 0 and .tcp_info.bytes_acked >= 5 and .tcp_info.rtt_ms >= 0' <<<"$c"
}

@test "timing: the addresses keep getaddrinfo's order, whatever the hosts file's order" {
	printf '::1 localhost dual.test\n127.0.0.1 localhost dual.test\n' >"$(tmp)/hosts.v6"
	printf '127.0.0.1 localhost dual.test\n::1 localhost dual.test\n' >"$(tmp)/hosts.v4"
	port=$(free_port tcp ::1)
	for h in v6 v4; do
		want=$(with_hosts "$(tmp)/hosts.$h" getent ahosts dual.test | awk '!seen[$1]++ {print $1}' | paste -sd' ')
		tcp_server "srv$h" after-eof ::1 "$port"
		with_hosts "$(tmp)/hosts.$h" timeout 10 "$SOCKT" --json send dual.test "$port" x \
			>/dev/null 2>"$(tmp)/err.$h"
		got=$(json_lines "$(tmp)/err.$h" | jq -r 'select(.type == "timing") | [.attempts[].address] | join(" ")')
		# ::1 answers, so only the first of getaddrinfo's list is tried.
		[ "$got" = "${want%% *}" ]
	done
}

@test "timing: a name with one family says so, and an unknown name fails as without -v" {
	dual_hosts
	port=$(free_port)
	tcp_server srv after-eof 127.0.0.1 "$port"
	run --separate-stderr with_hosts "$(tmp)/hosts" timeout 10 "$SOCKT" -v send v4.test "$port" x
	[ "$status" -eq 0 ]
	re='^sockt send: resolved v4.test in [0-9.]+ ms: IPv6 [0-9.]+ ms \(0 addresses\), IPv4 [0-9.]+ ms \(1 address\)$'
	[[ "${stderr_lines[0]}" =~ $re ]]
	run -3 --separate-stderr with_hosts "$(tmp)/hosts" "$SOCKT" send nosuch.invalid 80 x
	plain=$stderr
	run -3 --separate-stderr with_hosts "$(tmp)/hosts" "$SOCKT" -v --json send nosuch.invalid 80 x
	[ "$stderr" = "$plain" ]
	[[ "$plain" == "sockt send: nosuch.invalid: "*"[EAI_NONAME]" ]]
	# -4 looks up one family; a literal needs no lookup and says none.
	tcp_server srv2 after-eof 127.0.0.1 "$port"
	run -0 --separate-stderr with_hosts "$(tmp)/hosts" timeout 10 "$SOCKT" -4 -v send dual.test "$port" x
	[[ "${stderr_lines[0]}" =~ ^"sockt send: resolved dual.test in "[0-9.]+" ms: IPv4 "[0-9.]+" ms (1 address)"$ ]]
	tcp_server srv3 after-eof 127.0.0.1 "$port"
	run -0 --separate-stderr timeout 10 "$SOCKT" -v send 127.0.0.1 "$port" x
	[ "${stderr_lines[0]}" = "sockt send: trying 127.0.0.1 port $port (tcp)" ]
	[[ "$stderr" == *"sockt send: timing: resolve "*", first byte "*", total "* ]]
}

@test "timing: a connection refused on every address still says its timing, connect null" {
	dual_hosts
	port=$(free_port)
	run -1 --separate-stderr with_hosts "$(tmp)/hosts" "$SOCKT" -v --json connect dual.test "$port"
	[[ "${stderr_lines[-2]}" =~ ^"sockt connect: timing: resolve "[0-9.]+" ms, no connection, total "[0-9.]+" ms"$ ]]
	t=${stderr_lines[-1]}
	jq -e '.type == "timing" and .connect_ms == null and .first_byte_ms == null and
		([.attempts[].result] == ["ECONNREFUSED", "ECONNREFUSED"])' <<<"$t"
	[ "$(jq -r '[.attempts[].address] | join(" ")' <<<"$t")" = "::1 127.0.0.1" ]
	run -1 --separate-stderr "$SOCKT" --json send 127.0.0.1 "$port" x
	[ "${stderr_lines[0]}" = "sockt send: connect to 127.0.0.1 port $port (tcp): Connection refused [ECONNREFUSED, errno 111]" ]
	jq -e '.type == "timing" and .attempts[0].result == "ECONNREFUSED"' <<<"${stderr_lines[-1]}"
}

@test "timing: the tcp_info line says only the fields the kernel filled" {
	run -0 "$SOCKT_UNIT" tcpinfo-line new
	[ "${lines[0]}" = "rtt 80.312/2.104 ms, retrans 3, lost 1, pmtu 1500, cwnd 10, delivery 12.3 Mbit/s, acked 1048576 B, received 120 B" ]
	[ "${lines[1]}" = '{"tcp_info":{"rtt_ms":80.312,"rttvar_ms":2.104,"retrans":3,"lost":1,"pmtu":1500,"cwnd":10,"delivery_rate_bps":12300000,"bytes_acked":1048576,"bytes_received":120}}' ]
	run -0 "$SOCKT_UNIT" tcpinfo-line 4.1
	[ "${lines[0]}" = "rtt 80.312/2.104 ms, retrans 3, lost 1, pmtu 1500, cwnd 10, acked 1048576 B, received 120 B" ]
	jq -e '.tcp_info | has("delivery_rate_bps") | not' <<<"${lines[1]}"
	run -0 "$SOCKT_UNIT" tcpinfo-line 2.6
	[ "${lines[0]}" = "rtt 80.312/2.104 ms, retrans 3, lost 1, pmtu 1500, cwnd 10" ]
	# Too short for even the RTT: no line, no object.
	run -0 "$SOCKT_UNIT" tcpinfo-line short
	[ "$output" = $'\n{}' ]
}

@test "timing: listen -v and --json add TCP_INFO to the close summary, one a connection with -k" {
	port=$(free_port)
	spawn lsn timeout 10 "$SOCKT" -v --json listen 127.0.0.1 "$port"
	wait_for_line "$(tmp)/lsn.err" 'listening on'
	tcp_client send 127.0.0.1 "$port" "hello listener" >/dev/null || true
	wait_exit "$SPAWNED_PID"
	grep -Eq '^sockt listen: tcp_info: rtt [0-9.]+/[0-9.]+ ms, retrans 0, lost 0, pmtu [0-9]+, cwnd [0-9]+, delivery [0-9.]+ [kMGT]?bit/s, acked [0-9]+ B, received 15 B$' "$(tmp)/lsn.err"
	json_lines "$(tmp)/lsn.err" | jq -c 'select(.type == "close")' | jq -e '.bytes_received == 14 and .address == "127.0.0.1" and .tcp_info.bytes_received == 15'
	port=$(free_port)
	spawn lsk timeout 10 "$SOCKT" -v listen -k --max-time 5 127.0.0.1 "$port"
	wait_for_line "$(tmp)/lsk.err" 'listening on'
	tcp_client send 127.0.0.1 "$port" "one" >/dev/null || true
	wait_for_line "$(tmp)/lsk.err" 'port [0-9]+: tcp_info: rtt '
}

@test "timing: the RTT TCP_INFO reports matches a link that adds 40 ms each way" {
	require_root
	delay_pair 40
	head -c 300000 /dev/urandom >"$(tmp)/data"
	PEER_NETNS=$B tcp_server srv sha 10.97.0.2 5001
	in_ns "$A" timeout 20 "$SOCKT" -v --json send -f "$(tmp)/data" 10.97.0.2 5001 >"$(tmp)/out" 2>"$(tmp)/err"
	[ "$(cat "$(tmp)/out")" = "$(sha256sum <"$(tmp)/data" | cut -d' ' -f1)" ]
	rtt=$(sed -n 's/^sockt send: tcp_info: rtt \([0-9.]*\)\/.*/\1/p' "$(tmp)/err")
	between 70 200 "$rtt"
	t=$(json_lines "$(tmp)/err" | jq -c 'select(.type == "timing")')
	c=$(json_lines "$(tmp)/err" | jq -c 'select(.type == "close")')
	# The handshake and the reply each take one round trip of 80 ms or more.
	jq -e '.connect_ms >= 78 and .connect_ms < 400 and .first_byte_ms >= 78' <<<"$t"
	jq -e '.tcp_info.rtt_ms >= 70 and .tcp_info.rtt_ms <= 200 and .tcp_info.bytes_acked >= 300000 and .tcp_info.pmtu == 1500' <<<"$c"
	jq -e --argjson rtt "$rtt" '.tcp_info.rtt_ms == $rtt' <<<"$c"
}

@test "timing: segments nft drops show as retransmissions in the close summary" {
	require_root
	veth_pair A B 10.95.0 fd00:95
	# Dropped on arrival: lost on the way, as far as the sender knows (a drop in its own
	# output hook would be a local failure to send, which TCP retries without counting).
	in_ns "$B" nft -f - <<-NFT
		table inet lossy {
			chain in {
				type filter hook input priority 0;
				tcp dport 5002 meta length > 1000 numgen inc mod 1000 < 3 counter drop
			}
		}
	NFT
	head -c 200000 /dev/urandom >"$(tmp)/data"
	PEER_NETNS=$B tcp_server srv sha 10.95.0.2 5002
	in_ns "$A" timeout 20 "$SOCKT" -v --json send -f "$(tmp)/data" 10.95.0.2 5002 >"$(tmp)/out" 2>"$(tmp)/err"
	[ "$(cat "$(tmp)/out")" = "$(sha256sum <"$(tmp)/data" | cut -d' ' -f1)" ]
	in_ns "$B" nft list ruleset | grep -q 'counter packets 3 '
	retrans=$(sed -n 's/^sockt send: tcp_info: .*, retrans \([0-9]*\),.*/\1/p' "$(tmp)/err")
	[ "$retrans" -ge 3 ]
	json_lines "$(tmp)/err" | jq -c 'select(.type == "close")' | jq -e '.tcp_info.retrans >= 3'
}

@test "timing: connect -z -v puts both families side by side: IPv6 through a slow link is slower" {
	require_root
	delay_pair 40
	# IPv4 over a plain veth link, IPv6 only through the delayer.
	veth_link "$A" va 10.96.0.1/ "$B" vb 10.96.0.2/
	printf '10.96.0.2 both.test\nfd00:97::2 both.test\n' >"$(tmp)/hosts"
	spawn lst ip netns exec "$B" python3 "$TESTLIB/hold.py" tcp :: 5003 --lifetime 30
	wait_for_line "$(tmp)/lst.out" '^ready$'
	run -1 --separate-stderr with_hosts "$(tmp)/hosts" ip netns exec "$A" timeout 20 "$SOCKT" -v connect -z both.test 5003 5004
	[ "${#lines[@]}" -eq 4 ]
	v6=${stderr_lines[-2]} v4=${stderr_lines[-1]}
	[[ "$v6" =~ ^"sockt connect: IPv6: 1 address (fd00:97::2), 1 open, 1 closed, 0 filtered, best rtt "([0-9.]+)" ms, dev tda src fd00:97::1"$ ]]
	between 78 400 "${BASH_REMATCH[1]}"
	[[ "$v4" =~ ^"sockt connect: IPv4: 1 address (10.96.0.2), 1 open, 1 closed, 0 filtered, best rtt "([0-9.]+)" ms, dev va src 10.96.0.1"$ ]]
	between 0 40 "${BASH_REMATCH[1]}"
}

@test "timing: connect -z -v on a dual-stack name where IPv6 does not route says no route" {
	require_root
	netns_new nra
	A=$NETNS
	netns_new nrb
	B=$NETNS
	veth_link "$A" veth1 10.94.0.1/ "$B" veth2 10.94.0.2/
	printf '10.94.0.2 both.test\nfd00:94::2 both.test\n' >"$(tmp)/hosts"
	spawn lst ip netns exec "$B" python3 "$TESTLIB/hold.py" tcp 0.0.0.0 5005 --lifetime 30
	wait_for_line "$(tmp)/lst.out" '^ready$'
	run -1 --separate-stderr with_hosts "$(tmp)/hosts" ip netns exec "$A" timeout 20 "$SOCKT" -v connect -z -w 1 both.test 5005
	[ "${lines[0]}" = "fd00:94::2 port 5005 (tcp) filtered [ENETUNREACH]" ]
	[[ "${lines[1]}" == "10.94.0.2 port 5005 (tcp) open "* ]]
	[ "${stderr_lines[-2]}" = "sockt connect: IPv6: 1 address (fd00:94::2), 0 open, 0 closed, 1 filtered, no answer, no route (Network is unreachable) [ENETUNREACH]" ]
	[[ "${stderr_lines[-1]}" =~ ^"sockt connect: IPv4: 1 address (10.94.0.2), 1 open, 0 closed, 0 filtered, best rtt "[0-9.]+" ms, dev veth1 src 10.94.0.1"$ ]]
	# A name of one family, or -4, has no comparison to make.
	run -1 --separate-stderr with_hosts "$(tmp)/hosts" ip netns exec "$A" timeout 20 "$SOCKT" -4 -v connect -z both.test 5005 5006
	[[ "${stderr_lines[-1]}" == "sockt connect: 2 ports of 10.94.0.2 in "*" s: 1 open, 1 closed, 0 filtered" ]]
}
