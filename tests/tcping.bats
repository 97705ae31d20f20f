#!/usr/bin/env bats
# tcping.bats: connect -z -c N -i D, TCP probes with ping's statistics per address: counts,
# open, closed and filtered (nft drop in a namespace of the test's own), both addresses of
# localhost under the suite's Debian hosts file, SIGINT, --json, and how probes close:
# RST by default (no TIME_WAIT), FIN with --linger fin (TIME_WAIT on this side).

load lib/common
bats_require_minimum_version 1.5.0

# acceptor NAME HOST PORT... [NETNS]: lib/accept_peer.py, which accepts and closes after the
# client; in $PEER_NETNS if that is set.
acceptor() {
	local name=$1
	shift
	spawn "$name" ${PEER_NETNS:+ip netns exec "$PEER_NETNS"} python3 "$TESTLIB/accept_peer.py" "$@" --lifetime 60
	wait_for_line "$(tmp)/$name.out" '^ready$'
}

# time_waits NS PORT: how many TIME_WAIT sockets NS has to or from PORT.
time_waits() {
	ip netns exec "$1" ss -Htan state time-wait "( sport = :$2 or dport = :$2 )" | wc -l
}

@test "tcping: -c 3 to an open port prints three probe lines and ping's statistics, status 0" {
	port=$(free_port)
	acceptor a 127.0.0.1 "$port"
	run -0 --separate-stderr "$SOCKT" connect -z -c 3 -i 0.05 127.0.0.1 "$port"
	[ "${#lines[@]}" -eq 6 ]
	for i in 0 1 2; do
		[[ "${lines[i]}" =~ ^"seq=$((i + 1)) 127.0.0.1 port $port (tcp) open "[0-9]+\.[0-9]{2}" ms"$ ]]
	done
	[ "${lines[3]}" = "--- 127.0.0.1 port $port (tcp) probe statistics ---" ]
	[[ "${lines[4]}" =~ ^"3 probes sent, 3 open, 0% loss, time "[0-9]+ms$ ]]
	[[ "${lines[5]}" =~ ^"rtt min/avg/max/mdev = "[0-9]+\.[0-9]{3}/[0-9]+\.[0-9]{3}/[0-9]+\.[0-9]{3}/[0-9]+\.[0-9]{3}" ms"$ ]]
	[ -z "$stderr" ]
}

@test "tcping: -i spaces the probes: 4 probes every 200 ms take about 600 ms" {
	port=$(free_port)
	acceptor a 127.0.0.1 "$port"
	start=$(date +%s%N)
	run -0 "$SOCKT" connect -z -q -c 4 -i 200ms 127.0.0.1 "$port"
	ms=$((($(date +%s%N) - start) / 1000000))
	[ "$ms" -ge 590 ] && [ "$ms" -lt 2000 ]
	[[ "${lines[1]}" =~ ^"4 probes sent, 4 open, 0% loss, time "(59[0-9]|6[0-9][0-9])ms$ ]]
}

@test "tcping: a closed port counts as not open: 100% loss, no rtt line, status 1" {
	port=$(free_port)
	run -1 --separate-stderr "$SOCKT" connect -z -c 2 -i 0.01 ::1 "$port"
	[ "${lines[0]}" = "seq=1 ::1 port $port (tcp) closed [ECONNREFUSED]" ]
	[ "${lines[1]}" = "seq=2 ::1 port $port (tcp) closed [ECONNREFUSED]" ]
	[[ "${lines[3]}" =~ ^"2 probes sent, 0 open, 2 closed, 100% loss, time "[0-9]+ms$ ]]
	[ "${#lines[@]}" -eq 4 ]
}

@test "tcping: localhost under the Debian hosts file gets statistics for ::1 and for 127.0.0.1" {
	port=$(free_port)
	acceptor a 127.0.0.1 "$port"
	run -1 --separate-stderr with_hosts "$BATS_TEST_DIRNAME/lib/hosts.debian" \
	    "$SOCKT" connect -z -c 3 -i 0.02 localhost "$port"
	[ "$(printf '%s\n' "${lines[@]}" | grep -c "^seq=[123] ::1 port $port (tcp) closed \[ECONNREFUSED\]$")" -eq 3 ]
	[ "$(printf '%s\n' "${lines[@]}" | grep -Ec "^seq=[123] 127\.0\.0\.1 port $port \(tcp\) open ")" -eq 3 ]
	printf '%s\n' "${lines[@]}" | grep -qx -- "--- localhost (::1) port $port (tcp) probe statistics ---"
	printf '%s\n' "${lines[@]}" | grep -qx -- "--- localhost (127.0.0.1) port $port (tcp) probe statistics ---"
	printf '%s\n' "${lines[@]}" | grep -Eqx "3 probes sent, 0 open, 3 closed, 100% loss, time [0-9]+ms"
	printf '%s\n' "${lines[@]}" | grep -Eqx "3 probes sent, 3 open, 0% loss, time [0-9]+ms"
	# Each round probes both addresses at once: seq=1 lines come before any seq=2 line.
	[ "$(printf '%s\n' "${lines[@]:0:2}" | cut -d' ' -f1 | sort -u)" = "seq=1" ]
}

@test "tcping: a port nft drops is filtered after -w, counted as loss" {
	require_root
	netns_new tcping
	in_ns "$NETNS" nft -f - <<-'NFT'
	table inet sockt_test {
		chain input {
			type filter hook input priority 0;
			tcp dport 31001 drop
		}
	}
	NFT
	run -1 --separate-stderr in_ns "$NETNS" "$SOCKT" connect -z -c 2 -i 0.01 -w 300ms 127.0.0.1 31001
	[ "${lines[0]}" = "seq=1 127.0.0.1 port 31001 (tcp) filtered [timeout after 300 ms]" ]
	[ "${lines[1]}" = "seq=2 127.0.0.1 port 31001 (tcp) filtered [timeout after 300 ms]" ]
	[[ "${lines[3]}" =~ ^"2 probes sent, 0 open, 2 filtered, 100% loss, time "[0-9]+ms$ ]]
}

@test "tcping: SIGINT ends the run between probes and the statistics are still written" {
	port=$(free_port)
	acceptor a 127.0.0.1 "$port"
	spawn t "$SOCKT" connect -z -c 1000 -i 50ms 127.0.0.1 "$port"
	wait_for_line "$(tmp)/t.out" '^seq=3 '
	kill -INT "$SPAWNED_PID"
	wait_exit "$SPAWNED_PID" 5
	[ "$EXIT_STATUS" -eq 0 ]
	sent=$(sed -n 's/^\([0-9]*\) probes sent, \([0-9]*\) open, 0% loss, time [0-9]*ms$/\1 \2/p' "$(tmp)/t.out")
	read -r n open <<<"$sent"
	[ "$n" -ge 3 ] && [ "$n" -lt 1000 ] && [ "$open" -eq "$n" ]
	[ "$(grep -c '^seq=' "$(tmp)/t.out")" -eq "$n" ]
	grep -q '^rtt min/avg/max/mdev = ' "$(tmp)/t.out"
}

@test "tcping: --json gives a probe object per probe and a summary per address, all parsed by jq" {
	port=$(free_port)
	acceptor a 127.0.0.1 "$port"
	run -1 --separate-stderr with_hosts "$BATS_TEST_DIRNAME/lib/hosts.debian" \
	    "$SOCKT" --json connect -z -c 2 -i 0.01 localhost "$port"
	[ "$(printf '%s\n' "$output" | jq -s 'map(select(.type == "probe")) | length')" -eq 4 ]
	[ "$(printf '%s\n' "$output" | jq -r 'select(.type == "probe" and .address == "127.0.0.1") | "\(.seq) \(.state)"' | tr '\n' ' ')" = "1 open 2 open " ]
	[ "$(printf '%s\n' "$output" | jq -r 'select(.type == "summary") | "\(.address) \(.sent) \(.open) \(.closed) \(.loss_percent)"' | tr '\n' ' ')" = "::1 2 0 2 100 127.0.0.1 2 2 0 0 " ]
	printf '%s\n' "$output" | jq -s -e 'map(select(.type == "summary" and .address == "127.0.0.1"))[0] | .rtt_min_ms > 0 and .rtt_max_ms >= .rtt_avg_ms and .host == "localhost"'
	printf '%s\n' "$output" | jq -s -e 'map(select(.type == "summary" and .address == "::1"))[0] | .rtt_avg_ms == null'
}

@test "tcping: probes close with RST by default, and 30 of them leave no TIME_WAIT" {
	require_root
	netns_new tw
	PEER_NETNS=$NETNS acceptor a 127.0.0.1 31002
	run -0 in_ns "$NETNS" "$SOCKT" connect -z -q -c 30 -i 0.005 127.0.0.1 31002
	[[ "${lines[0]}" == "--- 127.0.0.1 port 31002 (tcp) probe statistics ---" ]]
	[[ "${lines[1]}" == "30 probes sent, 30 open, 0% loss, time "* ]]
	[ "$(time_waits "$NETNS" 31002)" -eq 0 ]
}

@test "tcping: --linger fin closes probes with FIN, which leaves this side one TIME_WAIT each" {
	require_root
	netns_new tw
	PEER_NETNS=$NETNS acceptor a 127.0.0.1 31003
	run -0 in_ns "$NETNS" "$SOCKT" connect -z -q --linger fin -c 10 -i 0.005 127.0.0.1 31003
	# The peer closes its side once it read our FIN: wait for the last ones (bounded).
	for _ in $(seq 100); do
		[ "$(time_waits "$NETNS" 31003)" -ge 10 ] && break
		sleep 0.02
	done
	[ "$(ip netns exec "$NETNS" ss -Htan state time-wait "( dport = :31003 )" | wc -l)" -eq 10 ]
}

@test "tcping: usage errors name the problem, status 2" {
	run -2 "$SOCKT" connect -z -c 2 127.0.0.1 1 2
	[ "${lines[0]}" = "sockt connect: -c probes one port, and 2 are given" ]
	run -2 "$SOCKT" connect -c 2 127.0.0.1 1
	[ "${lines[0]}" = "sockt connect: -c applies to -z only (probes)" ]
	run -2 "$SOCKT" connect -z -i 1 127.0.0.1 1
	[ "${lines[0]}" = "sockt connect: -i applies to a relay, or to -z -c (the probes' interval)" ]
	run -2 "$SOCKT" connect -z -c 2 --parallel 4 127.0.0.1 1
	[ "${lines[0]}" = "sockt connect: --parallel applies to a scan; -z -c probes every address at once" ]
	run -2 "$SOCKT" connect -z -c 0 127.0.0.1 1
	[[ "${lines[0]}" == "sockt connect: invalid count '0' for -c"* ]]
	run -2 "$SOCKT" connect -z -c 2 --linger 5 127.0.0.1 1
	[ "${lines[0]}" = "sockt connect: invalid linger '5' for --linger: must be 0 (close with RST) or fin (the normal close)" ]
}
