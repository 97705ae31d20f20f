#!/usr/bin/env bats
# access.bats: --allow, --deny and --allow-file (sockt-listen(1), Access control) with peers
# sending from 127.0.0.1 and 127.0.0.2 (both loopback), ::1 and IPv4-mapped peers of a
# dual-stack listener, names from the hosts file, rule files, and udp-recv's dropped datagrams.

load lib/common

bats_require_minimum_version 1.5.0

# from SOURCE HOST PORT TEXT: a python3 client bound to SOURCE sends TEXT; prints the answer,
# or RST when the connection was reset.
from() {
	timeout 15 python3 "$TESTLIB/from_peer.py" tcp "$@"
}

@test "--allow 127.0.0.1 serves 127.0.0.1 and resets 127.0.0.2 at once, -v naming the refusal" {
	listen l -k --echo --allow 127.0.0.1 127.0.0.1 0
	run -0 from 127.0.0.1 127.0.0.1 "$PORT" hello
	[ "$output" = hello ]
	run -0 from 127.0.0.2 127.0.0.1 "$PORT" hello
	[ "$output" = RST ]
	grep -Eq '^sockt listen: refused 127\.0\.0\.2 port [0-9]+: no --allow rule matches$' "$(tmp)/l.err"
	# The refused connection never reached the relay.
	[ "$(grep -c 'connection from' "$(tmp)/l.err")" -eq 1 ]
}

@test "--deny wins over --allow whatever their order; --deny alone lets the rest in" {
	listen l -k --echo --allow 127.0.0.1 --deny 127.0.0.0/8 127.0.0.1 0
	run -0 from 127.0.0.1 127.0.0.1 "$PORT" x
	[ "$output" = RST ]
	grep -Eq '^sockt listen: refused 127\.0\.0\.1 port [0-9]+: --deny 127\.0\.0\.0/8$' "$(tmp)/l.err"
	listen l2 -k --echo --deny 127.0.0.2 127.0.0.1 0
	run -0 from 127.0.0.1 127.0.0.1 "$PORT" served
	[ "$output" = served ]
	run -0 from 127.0.0.2 127.0.0.1 "$PORT" x
	[ "$output" = RST ]
	grep -Eq '^sockt listen: refused 127\.0\.0\.2 port [0-9]+: --deny 127\.0\.0\.2$' "$(tmp)/l2.err"
}

@test "a CIDR prefix: 127.0.0.0/31 takes 127.0.0.1, not 127.0.0.2; /30 takes both" {
	listen l -k --echo --allow 127.0.0.0/31 127.0.0.1 0
	run -0 from 127.0.0.1 127.0.0.1 "$PORT" in
	[ "$output" = in ]
	run -0 from 127.0.0.2 127.0.0.1 "$PORT" out
	[ "$output" = RST ]
	listen l2 -k --echo --allow 127.0.0.0/30 127.0.0.1 0
	run -0 from 127.0.0.2 127.0.0.1 "$PORT" in
	[ "$output" = in ]
}

@test "a dual-stack listener: an IPv4-mapped peer matches IPv4 rules, ::1 only IPv6 ones" {
	listen l -k --echo --allow ::1 :: 0
	run -0 from ::1 ::1 "$PORT" six
	[ "$output" = six ]
	run -0 from 127.0.0.1 127.0.0.1 "$PORT" four
	[ "$output" = RST ]
	grep -Eq '^sockt listen: refused 127\.0\.0\.1 port [0-9]+: no --allow rule matches$' "$(tmp)/l.err"
	listen l2 -k --echo --allow 127.0.0.1 :: 0
	run -0 from 127.0.0.1 127.0.0.1 "$PORT" four
	[ "$output" = four ]
	run -0 from ::1 ::1 "$PORT" six
	[ "$output" = RST ]
	# A rule written as ::ffff:127.0.0.0/104 is the IPv4 rule 127.0.0.0/8.
	listen l3 -k --echo --deny ::ffff:127.0.0.0/104 :: 0
	run -0 from 127.0.0.2 127.0.0.1 "$PORT" four
	[ "$output" = RST ]
	grep -Eq '^sockt listen: refused 127\.0\.0\.2 port [0-9]+: --deny ::ffff:127\.0\.0\.0/104$' "$(tmp)/l3.err"
}

@test "a name is every address the hosts file gives it, resolved once at the start" {
	listen l -k --echo --allow localhost 127.0.0.1 0
	run -0 from 127.0.0.1 127.0.0.1 "$PORT" by-name
	[ "$output" = by-name ]
	run -0 from 127.0.0.2 127.0.0.1 "$PORT" x
	[ "$output" = RST ]
	printf '127.0.0.2 second.test\n127.0.0.1 localhost\n' >"$(tmp)/hosts"
	# Without -k, so that it ends by itself (with_hosts is not the PID teardown knows).
	STDIN_FILE=/dev/null spawn l2 with_hosts "$(tmp)/hosts" "$SOCKT" listen -v --deny second.test 127.0.0.1 0
	wait_for_line "$(tmp)/l2.err" 'listening on'
	PORT=$(sed -n '1s/^sockt listen: listening on .* port \([0-9][0-9]*\)$/\1/p' "$(tmp)/l2.err")
	run -0 from 127.0.0.2 127.0.0.1 "$PORT" x
	[ "$output" = RST ]
	run -0 from 127.0.0.1 127.0.0.1 "$PORT" x
	wait_exit "$SPAWNED_PID"
	[ "$EXIT_STATUS" -eq 0 ]
	grep -Eq '^sockt listen: refused 127\.0\.0\.2 port [0-9]+: --deny second\.test$' "$(tmp)/l2.err"
}

@test "a name that does not resolve is status 3, a bad rule or -U status 2, each naming the option" {
	run -3 "$SOCKT" listen --allow no-such-host.invalid 127.0.0.1 0
	[[ "${lines[0]}" == "sockt listen: --allow no-such-host.invalid: "*"[EAI_"* ]]
	run -2 "$SOCKT" listen --deny 10.0.0.0/33 127.0.0.1 0
	[ "${lines[0]}" = "sockt listen: invalid --deny '10.0.0.0/33': the prefix length must be 0-32" ]
	run -2 "$SOCKT" udp-recv --allow 'fe80::1%lo' 127.0.0.1 0
	[ "${lines[0]}" = "sockt udp-recv: invalid --allow 'fe80::1%lo': not an IPv4 or IPv6 address" ]
	run -2 "$SOCKT" listen --allow 'a b' 127.0.0.1 0
	[ "${lines[0]}" = "sockt listen: invalid --allow 'a b': not an address, an ADDRESS/BITS prefix or a host name" ]
	run -2 "$SOCKT" listen -U "$(tmp)/s" --deny 127.0.0.2
	[ "${lines[0]}" = "sockt listen: --allow and --deny apply to TCP, not to -U" ]
	run -2 "$SOCKT" udp-recv -U "$(tmp)/s" --allow 127.0.0.1
	[ "${lines[0]}" = "sockt udp-recv: --allow and --deny apply to UDP, not to -U" ]
}

@test "--allow-file: one rule a line, comments and blank lines skipped; a bad line is named with its number" {
	printf '# who may connect\n\n   127.0.0.2   # the second loopback\n::1\n' >"$(tmp)/rules"
	listen l -k --echo --allow-file "$(tmp)/rules" 127.0.0.1 0
	run -0 from 127.0.0.2 127.0.0.1 "$PORT" listed
	[ "$output" = listed ]
	run -0 from 127.0.0.1 127.0.0.1 "$PORT" x
	[ "$output" = RST ]
	printf '127.0.0.1\n# fine\n10.0.0.0/33\n' >"$(tmp)/bad"
	run -2 "$SOCKT" listen --allow-file "$(tmp)/bad" 127.0.0.1 0
	[ "$output" = "sockt listen: --allow-file $(tmp)/bad line 3: '10.0.0.0/33': the prefix length must be 0-32" ]
	printf '127.0.0.1 127.0.0.2\n' >"$(tmp)/two"
	run -2 "$SOCKT" listen --allow-file "$(tmp)/two" 127.0.0.1 0
	[ "$output" = "sockt listen: --allow-file $(tmp)/two line 1: '127.0.0.1 127.0.0.2': one rule a line" ]
	run -2 "$SOCKT" listen --allow-file "$(tmp)/none" 127.0.0.1 0
	[ "$output" = "sockt listen: --allow-file $(tmp)/none: No such file or directory [ENOENT, errno 2]" ]
}

@test "listen without -k resets refused peers and serves the first one let in" {
	echo answer >"$(tmp)/in"
	STDIN_FILE="$(tmp)/in" listen l --deny 127.0.0.2 127.0.0.1 0
	run -0 from 127.0.0.2 127.0.0.1 "$PORT" x
	[ "$output" = RST ]
	run -0 from 127.0.0.1 127.0.0.1 "$PORT" question
	[ "$output" = answer ]
	wait_exit "$LPID"
	[ "$EXIT_STATUS" -eq 0 ]
	[ "$(cat "$(tmp)/l.out")" = question ]
}

@test "with --exec a refused peer is reset before any program starts" {
	listen l -k --deny 127.0.0.2 --sh-exec "read x; echo run >>'$(tmp)/ran'; echo served" 127.0.0.1 0
	run -0 from 127.0.0.2 127.0.0.1 "$PORT" x
	[ "$output" = RST ]
	[ ! -e "$(tmp)/ran" ]
	run -0 from 127.0.0.1 127.0.0.1 "$PORT" x
	[ "$output" = served ]
	[ "$(cat "$(tmp)/ran")" = run ]
}

@test "udp-recv drops refused datagrams, counts them, and says the count with -v and in --json" {
	spawn r "$SOCKT" -v --json udp-recv -c 2 --deny 127.0.0.2 127.0.0.1 0
	wait_for_line "$(tmp)/r.err" 'listening on'
	port=$(head -n 1 "$(tmp)/r.err" | sed -n 's/.* port \([0-9]*\)$/\1/p')
	for i in 1 2 3; do
		python3 "$TESTLIB/from_peer.py" udp 127.0.0.2 127.0.0.1 "$port" "dropped $i"
	done
	# The refused ones are in before the kept ones: the count is exact when -c ends it.
	wait_for_line "$(tmp)/r.err" 'refused datagram from 127\.0\.0\.2' 5 || true
	python3 "$TESTLIB/from_peer.py" udp 127.0.0.1 127.0.0.1 "$port" "kept 1"
	python3 "$TESTLIB/from_peer.py" udp 127.0.0.1 127.0.0.1 "$port" "kept 2"
	wait_exit "$(cat "$(tmp)/r.pid")"
	[ "$EXIT_STATUS" -eq 0 ]
	[ "$(grep -c '"data":"kept' "$(tmp)/r.out")" -eq 2 ]
	! grep -q dropped "$(tmp)/r.out"
	[ "$(tail -n 1 "$(tmp)/r.out")" = '{"refused":3}' ]
	grep -q '^sockt udp-recv: 3 datagrams refused (--allow, --deny)$' "$(tmp)/r.err"
}

@test "udp-recv --session never locks onto a refused sender: it waits for one the rules admit" {
	STDIN_FILE=/dev/null spawn r "$SOCKT" -v udp-recv --session -c 1 --deny 127.0.0.2 127.0.0.1 0
	wait_for_line "$(tmp)/r.err" 'listening on'
	port=$(head -n 1 "$(tmp)/r.err" | sed -n 's/.* port \([0-9]*\)$/\1/p')
	python3 "$TESTLIB/from_peer.py" udp 127.0.0.2 127.0.0.1 "$port" "refused first"
	wait_for_line "$(tmp)/r.err" 'refused .*127\.0\.0\.2'
	python3 "$TESTLIB/from_peer.py" udp 127.0.0.1 127.0.0.1 "$port" "admitted"
	wait_exit "$(cat "$(tmp)/r.pid")"
	[ "$EXIT_STATUS" -eq 0 ]
	[ "$(cat "$(tmp)/r.out")" = admitted ]
	grep -q '^sockt udp-recv: session locked onto 127\.0\.0\.1 port ' "$(tmp)/r.err"
	grep -q '^sockt udp-recv: 1 datagram refused (--allow, --deny)$' "$(tmp)/r.err"
}

@test "unit: deny before allow, prefixes of any length, IPv4-mapped rules and peers, host bits ignored" {
	run -0 "$SOCKT_UNIT" access $'10.0.0.0/8\n# a comment\n\n::1' $'10.1.0.0/16\n::ffff:192.168.0.0/112\n10.0.0.1/1' \
	    10.1.2.3 10.2.3.4 ::ffff:10.2.3.4 ::1 ::2 192.168.3.4 ::ffff:192.168.9.9 200.1.1.1
	[ "${lines[0]}" = "10.1.2.3 refuse deny line 1: 10.1.0.0/16" ]
	[ "${lines[1]}" = "10.2.3.4 refuse deny line 3: 10.0.0.1/1" ]
	[ "${lines[2]}" = "::ffff:10.2.3.4 refuse deny line 3: 10.0.0.1/1" ]
	[ "${lines[3]}" = "::1 admit allow line 4: ::1" ]
	[ "${lines[4]}" = "::2 refuse -" ]
	[ "${lines[5]}" = "192.168.3.4 refuse deny line 2: ::ffff:192.168.0.0/112" ]
	[ "${lines[6]}" = "::ffff:192.168.9.9 refuse deny line 2: ::ffff:192.168.0.0/112" ]
	[ "${lines[7]}" = "200.1.1.1 refuse -" ]
	run -0 "$SOCKT_UNIT" access '' '' 1.2.3.4 ::1
	[ "$output" = $'1.2.3.4 admit -\n::1 admit -' ]
	run -0 "$SOCKT_UNIT" access '0.0.0.0/0' '127.0.0.1/32' 127.0.0.1 127.0.0.2 ::1
	[ "$output" = $'127.0.0.1 refuse deny line 1: 127.0.0.1/32\n127.0.0.2 admit allow line 1: 0.0.0.0/0\n::1 refuse -' ]
	run -1 "$SOCKT_UNIT" access $'ok.test\n1.2.3.4/33' ''
	[ "$output" = "line 2: 1.2.3.4/33: the prefix length must be 0-32" ]
	run -1 "$SOCKT_UNIT" access $'::1/129' ''
	[ "$output" = "line 1: ::1/129: the prefix length must be 0-128" ]
	run -1 "$SOCKT_UNIT" access $'1.2.3.4/+8' ''
	[ "$output" = "line 1: 1.2.3.4/+8: the prefix length must be 0-32" ]
}
