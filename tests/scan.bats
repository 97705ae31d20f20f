#!/usr/bin/env bats
# scan.bats: connect -z: open, closed and filtered ports, their order, --json, every address
# of a name (under hosts files of the tests' own, in both orders), and a namespace where nft
# drops most ports so that the scan costs about one timeout.

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
	printf '127.0.0.1 v4.test\n' >"$(tmp)/hosts"
	run --separate-stderr with_hosts "$(tmp)/hosts" "$SOCKT" --json connect -z v4.test "$b-$((b + 1))"
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 2 ]
	[[ "${lines[0]}" =~ ^'{"host":"v4.test","address":"127.0.0.1","port":'"$b"',"state":"open","rtt_ms":'[0-9.]+',"errno":null}'$ ]]
	[[ "${lines[1]}" =~ ^'{"host":"v4.test","address":"127.0.0.1","port":'"$((b + 1))"',"state":"closed","rtt_ms":'[0-9.]+',"errno":"ECONNREFUSED"}'$ ]]
	printf '%s\n' "${lines[@]}" | python3 -c 'import json, sys; [json.loads(l) for l in sys.stdin]'
}

# dual_hosts ORDER: a hosts file where dual.test (and localhost, as a stock Debian has it) is
# 127.0.0.1 and ::1, the IPv4 line first (v4first) or the IPv6 line first (v6first).
dual_hosts() {
	if [ "$1" = v4first ]; then
		printf '127.0.0.1 localhost dual.test\n::1 localhost ip6-localhost ip6-loopback dual.test\n'
	else
		printf '::1 localhost ip6-localhost ip6-loopback dual.test\n127.0.0.1 localhost dual.test\n'
	fi >"$(tmp)/hosts.$1"
}

# scan_lines: the scan's lines without the round-trip times, which vary.
scan_lines() { sed 's/ open [0-9.]* ms$/ open/'; }

@test "scan: a name's every address is scanned, IPv6 first, whatever the hosts file's order" {
	b=$(free_block)
	listeners 127.0.0.1 "$b"
	for order in v4first v6first; do
		dual_hosts "$order"
		for name in localhost dual.test; do
			run --separate-stderr with_hosts "$(tmp)/hosts.$order" "$SOCKT" connect -z "$name" "$b-$((b + 1))"
			[ "$status" -eq 1 ]
			[ -z "$stderr" ]
			got=$(printf '%s\n' "${lines[@]}" | scan_lines)
			want=$(printf '%s\n' "::1 port $b (tcp) closed [ECONNREFUSED]" \
				"::1 port $((b + 1)) (tcp) closed [ECONNREFUSED]" \
				"127.0.0.1 port $b (tcp) open" \
				"127.0.0.1 port $((b + 1)) (tcp) closed [ECONNREFUSED]")
			[ "$got" = "$want" ]
		done
	done
}

@test "scan: status 0 only when the port is open on every address of the name" {
	b=$(free_block)
	dual_hosts v4first
	listeners 127.0.0.1 "$b"
	run -1 with_hosts "$(tmp)/hosts.v4first" "$SOCKT" connect -z dual.test "$b"
	kill "$SPAWNED_PID"
	wait_exit "$SPAWNED_PID"
	listeners ::1 "$b"
	run -1 with_hosts "$(tmp)/hosts.v4first" "$SOCKT" connect -z dual.test "$b"
	spawn v4 python3 -c '
import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(8); time.sleep(60)' "$b"
	for _ in $(seq 250); do
		ss -Hltn "src 127.0.0.1 and sport = :$b" | grep -q . && break
		sleep 0.02
	done
	run -0 with_hosts "$(tmp)/hosts.v4first" "$SOCKT" connect -z dual.test "$b"
	[ "${#lines[@]}" -eq 2 ]
	[[ "${lines[0]}" == "::1 port $b (tcp) open "* ]]
	[[ "${lines[1]}" == "127.0.0.1 port $b (tcp) open "* ]]
}

@test "scan: -4 and -6 narrow a name to one family" {
	b=$(free_block)
	dual_hosts v6first
	listeners 127.0.0.1 "$b"
	run -0 --separate-stderr with_hosts "$(tmp)/hosts.v6first" "$SOCKT" -4 connect -z dual.test "$b"
	[ "${#lines[@]}" -eq 1 ]
	[[ "${lines[0]}" == "127.0.0.1 port $b (tcp) open "* ]]
	run -1 --separate-stderr with_hosts "$(tmp)/hosts.v6first" "$SOCKT" connect -6 -z dual.test "$b"
	[ "${lines[*]}" = "::1 port $b (tcp) closed [ECONNREFUSED]" ]
}

@test "scan: --json names each address of the name on its own lines" {
	b=$(free_block)
	dual_hosts v4first
	listeners ::1 "$b"
	run -1 --separate-stderr with_hosts "$(tmp)/hosts.v4first" "$SOCKT" --json connect -z dual.test "$b"
	[ "${#lines[@]}" -eq 2 ]
	[[ "${lines[0]}" == '{"host":"dual.test","address":"::1","port":'"$b"',"state":"open",'* ]]
	[[ "${lines[1]}" == '{"host":"dual.test","address":"127.0.0.1","port":'"$b"',"state":"closed",'*'"errno":"ECONNREFUSED"}' ]]
}

@test "scan: an address listed twice, or in both orders, is scanned once" {
	b=$(free_block)
	printf '127.0.0.1 dup.test\n::1 dup.test\n127.0.0.1 dup.test\n::1 dup.test\n127.0.0.2 dup.test\n' >"$(tmp)/hosts"
	run -1 --separate-stderr with_hosts "$(tmp)/hosts" "$SOCKT" connect -z dup.test "$b"
	got=$(printf '%s\n' "${lines[@]}" | awk '{print $1}' | tr '\n' ' ')
	[ "$got" = "::1 127.0.0.1 127.0.0.2 " ]
}

@test "scan: agrees with nc -z on every address of a dual-stack name" {
	b=$(free_block)
	dual_hosts v4first
	listeners 127.0.0.1 "$b" $((b + 2))
	spawn v6 python3 -c '
import socket, sys, time
keep = []
for p in sys.argv[1:]:
    s = socket.socket(socket.AF_INET6); s.bind(("::1", int(p))); s.listen(8); keep.append(s)
time.sleep(60)' $((b + 1)) $((b + 2))
	wait_listening $((b + 1))
	addrs=$(with_hosts "$(tmp)/hosts.v4first" getent ahosts dual.test | awk '!seen[$1]++ {print $1}')
	[ "$(wc -l <<<"$addrs")" -eq 2 ]
	want=$(for addr in $(grep : <<<"$addrs") $(grep -v : <<<"$addrs"); do
			for p in "$b" $((b + 1)) $((b + 2)) $((b + 3)); do
				if nc.openbsd -z "$addr" "$p" 2>/dev/null; then
					echo "$addr $p open"
				else
					echo "$addr $p closed"
				fi
			done
		done)
	got=$(with_hosts "$(tmp)/hosts.v4first" "$SOCKT" connect -z dual.test "$b-$((b + 3))" |
		awk '{print $1, $3, $5}') || true
	[ "$got" = "$want" ]
	[ "$(grep -c ' open$' <<<"$got")" -eq 4 ]
}

@test "scan: -s of one family scans the name's addresses of that family, and -v says so" {
	b=$(free_block)
	dual_hosts v6first
	listeners 127.0.0.1 "$b"
	run -0 --separate-stderr with_hosts "$(tmp)/hosts.v6first" "$SOCKT" connect -z -v -s 127.0.0.1 dual.test "$b"
	[ "${#lines[@]}" -eq 1 ]
	[[ "${lines[0]}" == "127.0.0.1 port $b (tcp) open "* ]]
	[[ "$stderr" == *"sockt connect: not scanning ::1: source 127.0.0.1 has no address of its family"* ]]
	printf '::1 v6.test\n' >"$(tmp)/hosts.v6"
	run -4 --separate-stderr with_hosts "$(tmp)/hosts.v6" "$SOCKT" connect -z -s 127.0.0.1 v6.test "$b"
	[ -z "$output" ]
	[[ "${stderr%%$'\n'*}" == "sockt connect: connect from 127.0.0.1 to v6.test port "*"[EAFNOSUPPORT, errno 97]" ]]
}

@test "scan: -v counts every address's ports" {
	b=$(free_block)
	dual_hosts v4first
	listeners 127.0.0.1 "$b"
	run -1 --separate-stderr with_hosts "$(tmp)/hosts.v4first" "$SOCKT" connect -z -v dual.test "$b-$((b + 2))"
	[[ "$stderr" == *"sockt connect: 3 ports of dual.test's 2 addresses in "*" s: 1 open, 5 closed, 0 filtered"* ]]
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

@test "scan: a name's two addresses are scanned at once: dropped ports on both cost one timeout" {
	require_root
	netns_new scan
	in_ns "$NETNS" nft -f - <<-'NFT'
	table inet sockt_test {
		chain input { type filter hook input priority 0; tcp dport 30000-30009 drop; }
	}
	NFT
	dual_hosts v4first
	start=$(date +%s%N)
	run -1 --separate-stderr with_hosts "$(tmp)/hosts.v4first" ip netns exec "$NETNS" \
	    "$SOCKT" connect -z -w 1 dual.test 30000-30009
	ms=$((($(date +%s%N) - start) / 1000000))
	[ "${#lines[@]}" -eq 20 ]
	[ "${lines[0]}" = "::1 port 30000 (tcp) filtered [timeout after 1 s]" ]
	[ "${lines[19]}" = "127.0.0.1 port 30009 (tcp) filtered [timeout after 1 s]" ]
	[ "$(printf '%s\n' "${lines[@]}" | grep -c ' filtered \[timeout after 1 s\]$')" -eq 20 ]
	[ "$ms" -ge 950 ] && [ "$ms" -lt 1800 ]
}

@test "scan: localhost from the suite's own hosts file (run-bats): one line per address it lists" {
	require_root
	[ -n "${SOCKT_TEST_HOSTS:-}" ] || skip "not run through tests/lib/run-bats"
	# run-bats put the file over /etc/hosts: nothing here comes from this machine's.
	cmp /etc/hosts "$SOCKT_TEST_HOSTS"
	b=$(free_block)
	listeners 127.0.0.1 "$b"
	want="127.0.0.1 port $b (tcp) open"
	if grep -Eq '^::1[[:space:]].*\blocalhost\b' "$SOCKT_TEST_HOSTS"; then
		want=$(printf '%s\n' "::1 port $b (tcp) closed [ECONNREFUSED]" "$want")
	fi
	run --separate-stderr "$SOCKT" connect -z localhost "$b"
	[ "$(printf '%s\n' "${lines[@]}" | scan_lines)" = "$want" ]
	[ "$status" -eq "$([ "${#lines[@]}" -eq 1 ] && echo 0 || echo 1)" ]
}

@test "scan: short of descriptors, the IPv4 half still gets its sockets from the IPv6 half's" {
	b=$(free_block)
	dual_hosts v4first
	listeners 127.0.0.1 $((b + 5))
	# 51 descriptors held open under a limit of 100: fewer than the 68 --parallel is fitted to.
	run -1 --separate-stderr with_hosts "$(tmp)/hosts.v4first" bash -c '
		ulimit -n 100
		for fd in $(seq 10 60); do eval "exec $fd</dev/null"; done
		exec "$0" connect -z dual.test "$1-$(($1 + 199))"' "$SOCKT" "$b"
	# Ports past the free block may be anyone's: only the block's lines are known.
	[ "${#lines[@]}" -eq 400 ]
	[ "$(printf '%s\n' "${lines[@]}" | grep -Ec ' (open [0-9.]+ ms|closed \[ECONNREFUSED\])$')" -eq 400 ]
	[ "${lines[5]}" = "::1 port $((b + 5)) (tcp) closed [ECONNREFUSED]" ]
	[ "${lines[200]}" = "127.0.0.1 port $b (tcp) closed [ECONNREFUSED]" ]
	[[ "${lines[205]}" == "127.0.0.1 port $((b + 5)) (tcp) open "* ]]
	[ -z "$stderr" ]
}

@test "scan: where IPv6 is off (as in many containers), localhost's ::1 is an error line with a hint, 127.0.0.1 still scanned" {
	require_root
	netns_new scan
	in_ns "$NETNS" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.lo.disable_ipv6=1
	dual_hosts v4first
	spawn listener ip netns exec "$NETNS" python3 -c '
import socket, time
s = socket.socket(); s.bind(("127.0.0.1", 30007)); s.listen(8); time.sleep(60)'
	wait_listening 30007 tcp 5 "$NETNS"
	run -4 --separate-stderr with_hosts "$(tmp)/hosts.v4first" ip netns exec "$NETNS" \
	    "$SOCKT" connect -z localhost 30007
	[ "${lines[0]}" = "::1 port 30007 (tcp) error [EADDRNOTAVAIL]" ]
	[[ "${lines[1]}" == "127.0.0.1 port 30007 (tcp) open "* ]]
	[ "${stderr_lines[0]}" = "sockt connect: connect to ::1 port 30007 (tcp): Cannot assign requested address [EADDRNOTAVAIL, errno 99]" ]
	[ "${stderr_lines[1]}" = "sockt connect: hint: this machine has no IPv6 address to connect from, or no local port was free; -4 scans IPv4 only" ]
	# nc agrees: ::1 cannot be tried from here, 127.0.0.1 answers.
	! in_ns "$NETNS" nc.openbsd -z ::1 30007
	in_ns "$NETNS" nc.openbsd -z 127.0.0.1 30007
	run -0 with_hosts "$(tmp)/hosts.v4first" ip netns exec "$NETNS" "$SOCKT" -4 connect -z localhost 30007
}

@test "scan: --json to a full or closed stdout is status 4 with the errno name" {
	port=$(free_port)
	run --separate-stderr -4 bash -c '"$SOCKT" --json connect -z 127.0.0.1 "$1" >/dev/full' _ "$port"
	[ "$stderr" = "sockt connect: write to stdout: No space left on device [ENOSPC, errno 28]" ]
	run --separate-stderr -4 bash -c '"$SOCKT" --json connect -z 127.0.0.1 "$1" >&-' _ "$port"
	[ "$stderr" = "sockt connect: write to stdout: Bad file descriptor [EBADF, errno 9]" ]
}
