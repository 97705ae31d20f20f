#!/usr/bin/env bats
# scan.bats: sockt-connect(1), Port scan (-z): open, closed and filtered ports, their order, --json, and
# a namespace where nft drops most ports so that the scan costs about one timeout.

load lib/common
bats_require_minimum_version 1.5.0

# listeners ADDRESS PORT...: one python3 process (tests/lib/hold.py) listening on each PORT
# until killed.
listeners() {
	local addr=$1
	shift
	spawn listeners python3 "$TESTLIB/hold.py" tcp "$addr" "$@" --lifetime 60
	wait_for_line "$(tmp)/listeners.out" '^ready$'
}

# A base port with BASE..BASE+19 free right now, on 127.0.0.1 and ::1.
free_block() {
	python3 "$TESTLIB/ports.py" block 20
}

@test "scan: open and closed ports print as sockt-connect(1) shows, status 1 when any is closed" {
	b=$(free_block)
	listeners 127.0.0.1 $((b + 1))
	run --separate-stderr "$SOCKT" connect -z 127.0.0.1 "$b-$((b + 2))"
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 3 ]
	[ "${lines[0]}" = "127.0.0.1 port $b (tcp) closed [ECONNREFUSED]" ]
	[[ "${lines[1]}" =~ ^"127.0.0.1 port $((b + 1)) (tcp) open "[0-9]+\.[0-9]{2}" ms"$ ]]
	[ "${lines[2]}" = "127.0.0.1 port $((b + 2)) (tcp) closed [ECONNREFUSED]" ]
	[ -z "$stderr" ]
}

@test "scan: status 0 when every port is open" {
	b=$(free_block)
	listeners 127.0.0.1 "$b" $((b + 3))
	run --separate-stderr "$SOCKT" connect -z 127.0.0.1 "$b" $((b + 3))
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 2 ]
}

@test "scan: ranges and single ports come out once each, in port order" {
	b=$(free_block)
	run --separate-stderr "$SOCKT" connect -z "127.0.0.1:$((b + 9))" "$b-$((b + 2))" $((b + 1)) $((b + 5))-$((b + 5))
	[ "$status" -eq 1 ]
	got=$(printf '%s\n' "${lines[@]}" | awk '{print $3}' | tr '\n' ' ')
	[ "$got" = "$b $((b + 1)) $((b + 2)) $((b + 5)) $((b + 9)) " ]
}

@test "scan: ::1 works, addresses printed bare before 'port'" {
	b=$(free_block)
	listeners ::1 "$b"
	run --separate-stderr "$SOCKT" connect -z ::1 "$b-$((b + 1))"
	[ "$status" -eq 1 ]
	[[ "${lines[0]}" == "::1 port $b (tcp) open "*" ms" ]]
	[ "${lines[1]}" = "::1 port $((b + 1)) (tcp) closed [ECONNREFUSED]" ]
}

@test "scan: --json gives one object per port with state, rtt_ms and errno" {
	b=$(free_block)
	listeners 127.0.0.1 "$b"
	run --separate-stderr "$SOCKT" --json connect -z localhost "$b-$((b + 1))"
	[ "$status" -eq 1 ]
	[[ "${lines[0]}" =~ ^'{"host":"localhost","address":"127.0.0.1","port":'"$b"',"state":"open","rtt_ms":'[0-9.]+',"errno":null}'$ ]]
	[[ "${lines[1]}" =~ ^'{"host":"localhost","address":"127.0.0.1","port":'"$((b + 1))"',"state":"closed","rtt_ms":'[0-9.]+',"errno":"ECONNREFUSED"}'$ ]]
	printf '%s\n' "${lines[@]}" | python3 -c 'import json, sys; [json.loads(l) for l in sys.stdin]'
}

@test "scan: agrees with nc -z on which of 20 ports are open" {
	b=$(free_block)
	listeners 127.0.0.1 $((b + 2)) $((b + 7)) $((b + 19))
	want=$(for p in $(seq "$b" $((b + 19))); do
		nc.openbsd -z 127.0.0.1 "$p" 2>/dev/null && echo "$p"
	done)
	got=$("$SOCKT" connect -z 127.0.0.1 "$b-$((b + 19))" | awk '$5 == "open" {print $3}') || true
	[ "$got" = "$want" ]
	[ "$(echo "$got" | wc -l)" -eq 3 ]
}

@test "scan: --parallel 1 gives the same answers one port at a time" {
	b=$(free_block)
	listeners 127.0.0.1 $((b + 4))
	a=$("$SOCKT" connect -z 127.0.0.1 "$b-$((b + 9))" | sed 's/ open .*/ open/') || true
	c=$("$SOCKT" connect -z --parallel 1 127.0.0.1 "$b-$((b + 9))" | sed 's/ open .*/ open/') || true
	[ "$a" = "$c" ]
	[ "$(echo "$a" | grep -c ' open$')" -eq 1 ]
}

@test "scan: -v ends with a count of each state" {
	b=$(free_block)
	listeners 127.0.0.1 "$b"
	run --separate-stderr "$SOCKT" connect -z -v 127.0.0.1 "$b-$((b + 3))"
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"sockt connect: 4 ports of 127.0.0.1 in "*" s: 1 open, 3 closed, 0 filtered" ]]
}

@test "scan: bad ports and ranges are status 2 naming the word" {
	run --separate-stderr "$SOCKT" connect -z 127.0.0.1 80 70000
	[ "$status" -eq 2 ]
	[ "${stderr%%$'\n'*}" = "sockt connect: invalid port '70000': must be 0-65535 or a service name" ]
	run --separate-stderr "$SOCKT" connect -z 127.0.0.1 30-20
	[ "$status" -eq 2 ]
	[[ "${stderr%%$'\n'*}" == "sockt connect: invalid port range '30-20': "* ]]
	run --separate-stderr "$SOCKT" connect -z --parallel 0 127.0.0.1 80
	[ "$status" -eq 2 ]
	run --separate-stderr "$SOCKT" connect -z 127.0.0.1
	[ "$status" -eq 2 ]
}

@test "scan: service names are ports" {
	run --separate-stderr "$SOCKT" connect -z -w 1 127.0.0.1 tcpmux
	[[ "${lines[0]}" == "127.0.0.1 port 1 (tcp) "* ]]
}

@test "scan: an unresolvable host is status 3" {
	run --separate-stderr "$SOCKT" connect -z no-such-host.invalid 80
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"[EAI_NONAME]" ]]
}

@test "scan: a source address not on this machine is one error line, status 4" {
	run --separate-stderr "$SOCKT" connect -z -s 192.0.2.1 127.0.0.1 1-100
	[ "$status" -eq 4 ]
	[ -z "$output" ]
	[[ "${stderr%%$'\n'*}" == "sockt connect: bind to 192.0.2.1 port 0 (tcp): "*"[EADDRNOTAVAIL, errno 99]" ]]
}

@test "scan: nft drops most ports: they are filtered, and the whole scan costs about one timeout" {
	require_root
	netns_new scan
	in_ns "$NETNS" nft -f - <<-'NFT'
	table inet sockt_test {
		chain input {
			type filter hook input priority 0;
			tcp dport 30000-30299 tcp dport != { 30010, 30020, 30200 } drop
		}
	}
	NFT
	spawn listener ip netns exec "$NETNS" python3 "$TESTLIB/hold.py" tcp 127.0.0.1 30010 30200 \
	    --lifetime 60
	wait_listening 30010 tcp 5 "$NETNS"
	wait_listening 30200 tcp 5 "$NETNS"
	start=$(date +%s%N)
	run --separate-stderr in_ns "$NETNS" "$SOCKT" connect -z -w 1 --parallel 300 127.0.0.1 30000-30299
	ms=$((($(date +%s%N) - start) / 1000000))
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 300 ]
	[ "$(printf '%s\n' "${lines[@]}" | grep -c ' filtered \[timeout after 1 s\]$')" -eq 297 ]
	[[ "${lines[10]}" == "127.0.0.1 port 30010 (tcp) open "* ]]
	[ "${lines[20]}" = "127.0.0.1 port 30020 (tcp) closed [ECONNREFUSED]" ]
	[[ "${lines[200]}" == "127.0.0.1 port 30200 (tcp) open "* ]]
	[ "${lines[0]}" = "127.0.0.1 port 30000 (tcp) filtered [timeout after 1 s]" ]
	[ "$ms" -ge 950 ] && [ "$ms" -lt 1800 ]
	# nc -z agrees on the three that answer.
	in_ns "$NETNS" nc.openbsd -z -w 1 127.0.0.1 30010
	in_ns "$NETNS" nc.openbsd -z -w 1 127.0.0.1 30200
	! in_ns "$NETNS" nc.openbsd -z -w 1 127.0.0.1 30020
}

@test "scan: with the default --parallel 128, 300 dropped ports cost three timeouts, not 300" {
	require_root
	netns_new scan
	in_ns "$NETNS" nft -f - <<-'NFT'
	table inet sockt_test {
		chain input { type filter hook input priority 0; tcp dport 30000-30299 drop; }
	}
	NFT
	start=$(date +%s%N)
	run --separate-stderr in_ns "$NETNS" "$SOCKT" connect -z -w 300ms 127.0.0.1 30000-30299
	ms=$((($(date +%s%N) - start) / 1000000))
	[ "$status" -eq 1 ]
	[ "$(printf '%s\n' "${lines[@]}" | grep -c ' filtered \[timeout after 300 ms\]$')" -eq 300 ]
	[ "$ms" -ge 850 ] && [ "$ms" -lt 1600 ]
}

@test "scan: an ICMP-rejected port is filtered with the errno name" {
	require_root
	netns_new scan
	in_ns "$NETNS" nft -f - <<-'NFT'
	table inet sockt_test {
		chain input {
			type filter hook input priority 0;
			tcp dport 30001 reject with icmp type admin-prohibited
		}
	}
	NFT
	run --separate-stderr in_ns "$NETNS" "$SOCKT" connect -z -w 1 127.0.0.1 30001
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "127.0.0.1 port 30001 (tcp) filtered [EHOSTUNREACH]" ]
}

@test "scan: -v counts one port in the singular" {
	base=$(free_block)
	listeners 127.0.0.1 "$base"
	run --separate-stderr "$SOCKT" -v connect -z 127.0.0.1 "$base"
	[ "$status" -eq 0 ]
	[[ "$stderr" =~ "sockt connect: 1 port of 127.0.0.1 in "[0-9.]+" s: 1 open, 0 closed, 0 filtered" ]]
	run --separate-stderr "$SOCKT" -v connect -z 127.0.0.1 "$base" "$((base + 1))"
	[[ "$stderr" =~ "sockt connect: 2 ports of 127.0.0.1 in " ]]
}

@test "scan: --json to a full or closed stdout is status 4 with the errno name" {
	port=$(free_port)
	run --separate-stderr -4 bash -c '"$SOCKT" --json connect -z 127.0.0.1 "$1" >/dev/full' _ "$port"
	[ "$stderr" = "sockt connect: write to stdout: No space left on device [ENOSPC, errno 28]" ]
	run --separate-stderr -4 bash -c '"$SOCKT" --json connect -z 127.0.0.1 "$1" >&-' _ "$port"
	[ "$stderr" = "sockt connect: write to stdout: Bad file descriptor [EBADF, errno 9]" ]
}
