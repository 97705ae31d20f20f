#!/usr/bin/env bats
# udp-recv.bats: sockt-udp-recv(1) against real senders (python3 sockets, socat) on 127.0.0.1
# and ::1, and multicast between two network namespaces joined by veth.

load lib/common
bats_require_minimum_version 1.5.0

# recv NAME ARGS...: sockt -v udp-recv ARGS in the background; the port it announced
# (its first stderr line) in $RECV_PORT.
recv() {
	local name=$1
	shift
	spawn "$name" "$SOCKT" -v udp-recv "$@"
	wait_for_line "$(tmp)/$name.err" 'listening on .* port [0-9]+$'
	RECV_PORT=$(head -n 1 "$(tmp)/$name.err" | sed -n 's/.* port \([0-9]*\)$/\1/p')
}

# py_send ADDRESS PORT COUNT SIZE FILE: COUNT datagrams of SIZE random bytes from python3,
# each different; everything sent is also written to FILE, in order.
py_send() {
	python3 "$TESTLIB/udp_peer.py" send-random "$@"
}

# py_say ADDRESS PORT TEXT...: one datagram per TEXT from python3; "hex:HEX" gives raw bytes,
# "file:PATH" a file's.
py_say() {
	python3 "$TESTLIB/udp_peer.py" say "$@"
}

# finished NAME: waits for the spawned NAME to exit; its status in $EXIT_STATUS.
finished() {
	wait_exit "$(cat "$(tmp)/$1.pid")" 10
}

@test "udp-recv: -v announces a kernel-chosen port first, then sender and size per datagram" {
	recv r -c 2 127.0.0.1 0
	[ "$RECV_PORT" -gt 0 ]
	[ "$(head -n 1 "$(tmp)/r.err")" = "sockt udp-recv: listening on 127.0.0.1 port $RECV_PORT" ]
	py_say 127.0.0.1 "$RECV_PORT" "hello" "world!"
	finished r
	[ "$EXIT_STATUS" -eq 0 ]
	[ "$(cat "$(tmp)/r.out")" = "helloworld!" ]
	grep -Eq '^sockt udp-recv: 5 bytes from 127\.0\.0\.1 port [0-9]+$' "$(tmp)/r.err"
	grep -Eq '^sockt udp-recv: 6 bytes from 127\.0\.0\.1 port [0-9]+$' "$(tmp)/r.err"
}

@test "udp-recv: 300 random datagrams from python arrive byte for byte, -c ends it with status 0" {
	recv r -c 300 ::1 0
	py_send ::1 "$RECV_PORT" 300 1000 "$(tmp)/sent"
	finished r
	[ "$EXIT_STATUS" -eq 0 ]
	cmp "$(tmp)/sent" "$(tmp)/r.out"
	[ "$(grep -c ' bytes from ::1 port ' "$(tmp)/r.err")" -eq 300 ]
}

@test "udp-recv: 2000 quick datagrams without -v are all written, in order (batched receive)" {
	port=$(free_port udp)
	spawn r "$SOCKT" udp-recv -c 2000 -w 10 127.0.0.1 "$port"
	wait_listening "$port" udp
	py_send 127.0.0.1 "$port" 2000 20 "$(tmp)/sent"
	finished r
	[ "$EXIT_STATUS" -eq 0 ]
	cmp "$(tmp)/sent" "$(tmp)/r.out"
}

@test "udp-recv: a 65507-byte datagram arrives whole over IPv4" {
	recv r -c 1 127.0.0.1 0
	py_send 127.0.0.1 "$RECV_PORT" 1 65507 "$(tmp)/sent"
	finished r
	cmp "$(tmp)/sent" "$(tmp)/r.out"
	grep -q '65507 bytes from 127.0.0.1' "$(tmp)/r.err"
}

@test "udp-recv: a 65527-byte datagram arrives whole over IPv6" {
	recv r -c 1 ::1 0
	py_send ::1 "$RECV_PORT" 1 65527 "$(tmp)/sent"
	finished r
	cmp "$(tmp)/sent" "$(tmp)/r.out"
	grep -q '65527 bytes from ::1' "$(tmp)/r.err"
}

@test "udp-recv: with no HOST one port takes IPv4 and IPv6, IPv4 senders shown as IPv4" {
	recv r -c 2 0
	[ "$(head -n 1 "$(tmp)/r.err")" = "sockt udp-recv: listening on :: port $RECV_PORT" ]
	py_say 127.0.0.1 "$RECV_PORT" four
	wait_for_line "$(tmp)/r.err" 'bytes from 127\.0\.0\.1 '
	py_say ::1 "$RECV_PORT" six
	finished r
	[ "$EXIT_STATUS" -eq 0 ]
	[ "$(cat "$(tmp)/r.out")" = foursix ]
	grep -q '4 bytes from 127.0.0.1 port' "$(tmp)/r.err"
	grep -q '3 bytes from ::1 port' "$(tmp)/r.err"
}

@test "udp-recv: socat sends over IPv4 and IPv6" {
	recv r -c 2 0
	echo via-socat4 | socat -u - "UDP4-SENDTO:127.0.0.1:$RECV_PORT"
	wait_for_line "$(tmp)/r.err" 'bytes from 127\.0\.0\.1 '
	echo via-socat6 | socat -u - "UDP6-SENDTO:[::1]:$RECV_PORT"
	finished r
	[ "$EXIT_STATUS" -eq 0 ]
	[ "$(cat "$(tmp)/r.out")" = $'via-socat4\nvia-socat6' ]
}

@test "udp-recv: -w with nothing arriving is status 1 with the wait named" {
	run --separate-stderr "$SOCKT" udp-recv -w 200ms 127.0.0.1 0
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[ "$stderr" = "sockt udp-recv: no datagram within 200 ms" ]
}

@test "udp-recv: -w with -c not reached is status 1 and says how many came" {
	# 3 s: python3 must start and send within it, even on a loaded machine or under ASan.
	recv r -c 3 -w 3s 127.0.0.1 0
	py_say 127.0.0.1 "$RECV_PORT" one
	finished r
	[ "$EXIT_STATUS" -eq 1 ]
	[ "$(tail -n 1 "$(tmp)/r.err")" = "sockt udp-recv: 1 of 3 datagrams arrived, then none for 3 s" ]
	[ "$(cat "$(tmp)/r.out")" = one ]
}

@test "udp-recv: -w without -c after datagrams came is status 0" {
	recv r -w 3s 127.0.0.1 0
	py_say 127.0.0.1 "$RECV_PORT" one two
	finished r
	[ "$EXIT_STATUS" -eq 0 ]
	[ "$(cat "$(tmp)/r.out")" = onetwo ]
}

@test "udp-recv: --echo sends each datagram back to a python client over IPv6" {
	recv r --echo -c 2 ::1 0
	run python3 - "$RECV_PORT" <<-'PY'
	import socket, sys
	s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
	s.settimeout(5)
	for word in (b"marco", b"\x00\xffbinary"):
	    s.sendto(word, ("::1", int(sys.argv[1])))
	    data, frm = s.recvfrom(70000)
	    assert data == word, data
	print("echoed")
	PY
	[ "$status" -eq 0 ]
	[ "$output" = echoed ]
	finished r
	[ "$EXIT_STATUS" -eq 0 ]
}

@test "udp-recv: --hex is hexdump -C's layout, offsets from 0 for each datagram" {
	recv r --hex -c 2 127.0.0.1 0
	printf 'hello, world: a line of text longer than 32 bytes\001\002\377' >"$(tmp)/a"
	printf 'x' >"$(tmp)/b"
	py_say 127.0.0.1 "$RECV_PORT" "file:$(tmp)/a" "file:$(tmp)/b"
	finished r
	[ "$EXIT_STATUS" -eq 0 ]
	{ hexdump -C "$(tmp)/a"; hexdump -C "$(tmp)/b"; } >"$(tmp)/want"
	diff "$(tmp)/want" "$(tmp)/r.out"
}

@test "udp-recv: --json has data for UTF-8 and data_base64 for binary, parsed by python" {
	recv r --json -c 2 ::1 0
	py_say ::1 "$RECV_PORT" "grüße \"quoted\" and a tab	" hex:fffe0062696e617279
	finished r
	[ "$EXIT_STATUS" -eq 0 ]
	python3 - "$(tmp)/r.out" <<-'PY'
	import base64, json, sys
	lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
	assert len(lines) == 2, lines
	a, b = (json.loads(l) for l in lines)
	assert a["from"] == "::1" and isinstance(a["port"], int), a
	assert a["data"] == 'grüße "quoted" and a tab\t', a
	assert a["bytes"] == len(a["data"].encode()), a
	assert "data_base64" not in a and "data" not in b, (a, b)
	assert base64.b64decode(b["data_base64"]) == b"\xff\xfe\x00binary", b
	assert b["bytes"] == 9, b
	PY
}

@test "udp-recv: a datagram larger than --buffer is reported truncated, never silently, status 4" {
	recv r --buffer 100 -c 1 127.0.0.1 0
	py_send 127.0.0.1 "$RECV_PORT" 1 300 "$(tmp)/sent"
	finished r
	[ "$EXIT_STATUS" -eq 4 ]
	head -c 100 "$(tmp)/sent" | cmp - "$(tmp)/r.out"
	grep -Eq '^sockt udp-recv: datagram of 300 bytes from 127\.0\.0\.1 port [0-9]+ truncated to the 100-byte buffer$' "$(tmp)/r.err"
	grep -q '^sockt udp-recv: hint: --buffer 300 (or more) keeps it whole$' "$(tmp)/r.err"
}

@test "udp-recv: --json marks a truncated datagram and keeps its real size" {
	recv r --json --buffer 10 -c 1 127.0.0.1 0
	py_say 127.0.0.1 "$RECV_PORT" "twenty bytes of text"
	finished r
	[ "$EXIT_STATUS" -eq 4 ]
	python3 -c '
import json, sys
o = json.loads(open(sys.argv[1]).read())
assert o["bytes"] == 20 and o["data"] == "twenty byt" and o["truncated"] is True, o
' "$(tmp)/r.out"
}

@test "udp-recv: a port in use is EADDRINUSE, status 4 with a hint" {
	port=$(free_port udp)
	spawn holder python3 "$TESTLIB/hold.py" udp 127.0.0.1 "$port"
	wait_for_line "$(tmp)/holder.out" '^ready$'
	run "$SOCKT" udp-recv 127.0.0.1 "$port"
	[ "$status" -eq 4 ]
	[ "${lines[0]}" = "sockt udp-recv: bind to 127.0.0.1 port $port (udp): Address already in use [EADDRINUSE, errno 98]" ]
	[[ "${lines[1]}" == "sockt udp-recv: hint: "*"$port"* ]]
}

@test "udp-recv: shares a port with a python socket that set SO_REUSEADDR, and says so" {
	port=$(free_port udp)
	spawn holder python3 "$TESTLIB/hold.py" udp 127.0.0.1 "$port" --reuseaddr
	wait_for_line "$(tmp)/holder.out" '^ready$'
	holder=$(cat "$(tmp)/holder.pid")
	run -1 --separate-stderr "$SOCKT" udp-recv -w 100ms 127.0.0.1 "$port"
	[ "${stderr_lines[0]}" = "sockt udp-recv: port $port is also bound by 1 other UDP socket (python3 (pid $holder)), all with SO_REUSEADDR: a unicast datagram reaches only one of them; --no-reuseaddr refuses to share" ]
	[ "${stderr_lines[1]}" = "sockt udp-recv: no datagram within 100 ms" ]
	# --reuseaddr is the default, still accepted; -q keeps the notice quiet
	run -1 --separate-stderr "$SOCKT" -q udp-recv --reuseaddr -w 100ms 127.0.0.1 "$port"
	[ "$stderr" = "sockt udp-recv: no datagram within 100 ms" ]
	run -4 --separate-stderr "$SOCKT" udp-recv --no-reuseaddr -w 100ms 127.0.0.1 "$port"
	[ "${stderr_lines[0]}" = "sockt udp-recv: bind to 127.0.0.1 port $port (udp): Address already in use [EADDRINUSE, errno 98]" ]
	[[ "$stderr" == *"sockt udp-recv: hint: the sockets there set SO_REUSEADDR: without --no-reuseaddr this one would share the port"* ]]
}

@test "udp-recv: a closed stdout (| head -c) ends it quietly with status 0" {
	port=$(free_port udp)
	spawn pipe bash -c '"$0" udp-recv 127.0.0.1 "$1" | head -c 3; echo "status ${PIPESTATUS[0]}"' "$SOCKT" "$port"
	wait_listening "$port" udp
	py_say 127.0.0.1 "$port" abcdef
	wait_for_line "$(tmp)/pipe.out" '^abc'
	# the next write meets the closed pipe
	for i in 1 2 3 4 5; do
		py_say 127.0.0.1 "$port" more
		grep -q '^status' "$(tmp)/pipe.out" 2>/dev/null && break
		sleep 0.2
	done
	wait_for_line "$(tmp)/pipe.out" 'status 0$'
	[ ! -s "$(tmp)/pipe.err" ]
}

@test "udp-recv: bad arguments are usage errors (status 2)" {
	run "$SOCKT" udp-recv 127.0.0.1 70000
	[ "$status" -eq 2 ]
	[ "${lines[0]}" = "sockt udp-recv: invalid port '70000': must be 0-65535 or a service name" ]
	run "$SOCKT" udp-recv --multicast 10.0.0.1 0
	[ "$status" -eq 2 ]
	[ "${lines[0]}" = "sockt udp-recv: invalid multicast group '10.0.0.1': not a multicast address (224.0.0.0/4 or ff00::/8)" ]
	run "$SOCKT" udp-recv --buffer 100k 0
	[ "$status" -eq 2 ]
	[ "${lines[0]}" = "sockt udp-recv: invalid size '100k' for --buffer: must be 1-64k bytes (k, M, G: powers of 1024)" ]
	run "$SOCKT" udp-recv -c 0 0
	[ "$status" -eq 2 ]
	run "$SOCKT" --json udp-recv --hex 0
	[ "$status" -eq 2 ]
}

# mcast_pair: namespaces $A (sender) and $B (receiver) joined by veth, with IPv4 and IPv6
# addresses and a multicast route on each side.
mcast_pair() {
	veth_pair A B 10.78.0 2001:db8:78 vm0 vm1
	ip -n "$A" route add 224.0.0.0/4 dev vm0
	ip -n "$B" route add 224.0.0.0/4 dev vm1
	ip -n "$A" -6 route add ff00::/8 dev vm0 table main
	ip -n "$B" -6 route add ff00::/8 dev vm1 table main
}

@test "udp-recv: --multicast joins an IPv4 group; udp-send reaches it from the next namespace" {
	require_root
	mcast_pair
	spawn m in_ns "$B" "$SOCKT" -v udp-recv --multicast 239.1.2.3 -c 2 0
	wait_for_line "$(tmp)/m.err" 'joined multicast group 239\.1\.2\.3'
	port=$(head -n 1 "$(tmp)/m.err" | sed -n 's/.* port \([0-9]*\)$/\1/p')
	run in_ns "$A" "$SOCKT" udp-send -c 2 239.1.2.3 "$port" to-the-group
	[ "$status" -eq 0 ]
	finished m
	[ "$EXIT_STATUS" -eq 0 ]
	[ "$(cat "$(tmp)/m.out")" = to-the-groupto-the-group ]
	grep -Eq '^sockt udp-recv: 12 bytes from 10\.78\.0\.1 port [0-9]+$' "$(tmp)/m.err"
}

@test "udp-recv: without --multicast the group's datagrams do not arrive" {
	require_root
	mcast_pair
	spawn m in_ns "$B" "$SOCKT" -v udp-recv -w 500ms 0
	wait_for_line "$(tmp)/m.err" 'listening on'
	port=$(head -n 1 "$(tmp)/m.err" | sed -n 's/.* port \([0-9]*\)$/\1/p')
	in_ns "$A" "$SOCKT" udp-send 239.1.2.3 "$port" nobody-joined
	finished m
	[ "$EXIT_STATUS" -eq 1 ]
	[ ! -s "$(tmp)/m.out" ]
}

@test "udp-recv: --multicast joins an IPv6 group on a named interface (GROUP%IF)" {
	require_root
	mcast_pair
	spawn m in_ns "$B" "$SOCKT" -v udp-recv --multicast 'ff0e::1:2:3%vm1' -c 1 :: 0
	wait_for_line "$(tmp)/m.err" 'joined multicast group ff0e::1:2:3 on vm1'
	port=$(head -n 1 "$(tmp)/m.err" | sed -n 's/.* port \([0-9]*\)$/\1/p')
	run in_ns "$A" "$SOCKT" udp-send --ttl 2 ff0e::1:2:3 "$port" six-group
	[ "$status" -eq 0 ]
	finished m
	[ "$EXIT_STATUS" -eq 0 ]
	[ "$(cat "$(tmp)/m.out")" = six-group ]
	grep -Eq '^sockt udp-recv: 9 bytes from 2001:db8:78::1 port [0-9]+$' "$(tmp)/m.err"
}

@test "udp-recv: -v counts a datagram of one byte, and one datagram, in the singular" {
	recv r -c 1 127.0.0.1 0
	py_say 127.0.0.1 "$RECV_PORT" x
	wait_exit "$SPAWNED_PID"
	[ "$EXIT_STATUS" -eq 0 ]
	[ "$(cat "$(tmp)/r.out")" = x ]
	grep -qx "sockt udp-recv: 1 byte from 127.0.0.1 port [0-9]*" "$(tmp)/r.err"
	recv r2 -w 1.5 127.0.0.1 0
	py_say 127.0.0.1 "$RECV_PORT" yz
	wait_exit "$SPAWNED_PID"
	[ "$EXIT_STATUS" -eq 0 ]
	grep -qx "sockt udp-recv: 2 bytes from 127.0.0.1 port [0-9]*" "$(tmp)/r2.err"
	grep -qx "sockt udp-recv: 1 datagram, then none for 1.5 s" "$(tmp)/r2.err"
}

@test "udp-recv: restarts at once on the port it just used, and --no-reuseaddr does too (UDP has no TIME_WAIT)" {
	recv r1 -c 1 127.0.0.1 0
	port=$RECV_PORT
	py_say 127.0.0.1 "$port" first
	finished r1
	[ "$EXIT_STATUS" -eq 0 ]
	for opt in "" --no-reuseaddr; do
		recv r2 $opt -c 1 127.0.0.1 "$port"
		py_say 127.0.0.1 "$port" "again$opt"
		finished r2
		[ "$EXIT_STATUS" -eq 0 ]
		[ "$(cat "$(tmp)/r2.out")" = "again$opt" ]
		[ "$(grep -c 'also bound' "$(tmp)/r2.err")" -eq 0 ]
	done
}

@test "udp-recv: --no-reuseaddr next to another udp-recv is EADDRINUSE, status 4, naming the holder" {
	recv r1 127.0.0.1 0
	holder=$(cat "$(tmp)/r1.pid")
	run -4 --separate-stderr "$SOCKT" udp-recv --no-reuseaddr -w 1 127.0.0.1 "$RECV_PORT"
	[ "${stderr_lines[0]}" = "sockt udp-recv: bind to 127.0.0.1 port $RECV_PORT (udp): Address already in use [EADDRINUSE, errno 98]" ]
	[ "${stderr_lines[1]}" = "sockt udp-recv: hint: port $RECV_PORT has 1 UDP socket: 1 UNCONNECTED" ]
	[ "${stderr_lines[2]}" = "sockt udp-recv: hint: a UDP socket on it belongs to sockt (pid $holder); stop that process, or choose another port" ]
	[ "${stderr_lines[3]}" = "sockt udp-recv: hint: the sockets there set SO_REUSEADDR: without --no-reuseaddr this one would share the port" ]
	# and the default shares it, saying that only one of them gets each datagram
	run -1 --separate-stderr "$SOCKT" udp-recv -w 100ms 127.0.0.1 "$RECV_PORT"
	[[ "${stderr_lines[0]}" == "sockt udp-recv: port $RECV_PORT is also bound by 1 other UDP socket (sockt (pid $holder)), all with SO_REUSEADDR"* ]]
}

# at_terminal NAME ARGS...: sockt -v udp-recv ARGS in the background with stdout on a
# terminal (script's pty); what the terminal showed goes to $(tmp)/NAME.out, stderr to
# $(tmp)/NAME.err, and the port announced to $RECV_PORT.
at_terminal() {
	local name=$1 cmd
	shift
	printf -v cmd '%q ' "$SOCKT" -v udp-recv "$@"
	spawn "$name" script -qec "exec $cmd 2>$(printf '%q' "$(tmp)/$name.stderr")" /dev/null
	wait_for_line "$(tmp)/$name.stderr" 'listening on .* port [0-9]+$'
	RECV_PORT=$(head -n 1 "$(tmp)/$name.stderr" | sed -n 's/.* port \([0-9]*\)$/\1/p')
}

# three_peers PORT: the same datagrams from udp-send (one per line: "two", "three"),
# nc.openbsd -u (one read of stdin: "four\nfive\n"), socat ("six", no newline) and python
# (an empty datagram), in that order.
three_peers() {
	printf 'two\nthree\n' | "$SOCKT" udp-send 127.0.0.1 "$1"
	printf 'four\nfive\n' | nc.openbsd -u -w 1 -q 0 127.0.0.1 "$1"
	printf 'six' | socat -u - "UDP:127.0.0.1:$1"
	py_say 127.0.0.1 "$1" ""
}

@test "udp-recv: at a terminal each datagram ends its line, one already ending adds none" {
	command -v script >/dev/null
	at_terminal tty -c 5 127.0.0.1 0
	three_peers "$RECV_PORT"
	finished tty
	[ "$EXIT_STATUS" -eq 0 ]
	# The terminal turns each \n into \r\n (onlcr); the datagrams' own bytes are plain.
	[ "$(tr -d '\r' <"$(tmp)/tty.out" | od -c)" = "$(printf 'two\nthree\nfour\nfive\nsix\n\n' | od -c)" ]
	[ "$(grep -c 'bytes from 127.0.0.1' "$(tmp)/tty.stderr")" -eq 5 ]
}

@test "udp-recv: in a pipe the same datagrams stay byte-exact, nothing added between them" {
	recv r -c 5 127.0.0.1 0
	three_peers "$RECV_PORT"
	finished r
	[ "$EXIT_STATUS" -eq 0 ]
	[ "$(sha256sum <"$(tmp)/r.out")" = "$(printf 'twothreefour\nfive\nsix' | sha256sum)" ]
}

@test "udp-recv: binary datagrams from nc.openbsd -u and socat pass through a pipe byte-exact" {
	python3 -c 'import os, sys
sys.stdout.buffer.write(os.urandom(30000) + b"a line\n" + os.urandom(9000) + b"\n\n")' >"$(tmp)/data"
	for peer in nc socat; do
		# Without -v: the batched path, one writev for many datagrams.
		port=$(free_port udp)
		spawn "r$peer" "$SOCKT" udp-recv -w 1 127.0.0.1 "$port"
		wait_listening "$port" udp
		if [ "$peer" = nc ]; then
			nc.openbsd -u -w 1 -q 0 127.0.0.1 "$port" <"$(tmp)/data"
		else
			socat -u "FILE:$(tmp)/data" "UDP:127.0.0.1:$port"
		fi
		finished "r$peer"
		[ "$EXIT_STATUS" -eq 0 ]
		[ "$(sha256sum <"$(tmp)/r$peer.out")" = "$(sha256sum <"$(tmp)/data")" ]
	done
}

@test "udp-recv: a name with two addresses takes datagrams on both" {
	printf '::1 dual.test\n127.0.0.1 dual.test\n' >"$(tmp)/hosts"
	spawn r with_hosts "$(tmp)/hosts" "$SOCKT" -v udp-recv -c 2 dual.test 0
	wait_for_line "$(tmp)/r.err" '^sockt udp-recv: listening on 127\.0\.0\.1 port [0-9]+$'
	wait_for_line "$(tmp)/r.err" '^sockt udp-recv: listening on ::1 port [0-9]+$'
	port=$(sed -n 's/^sockt udp-recv: listening on ::1 port //p' "$(tmp)/r.err")
	py_say ::1 "$port" "six."
	wait_for_line "$(tmp)/r.err" 'bytes from ::1 port'
	py_say 127.0.0.1 "$port" "four."
	finished r
	[ "$EXIT_STATUS" -eq 0 ]
	[ "$(cat "$(tmp)/r.out")" = "six.four." ]
	grep -q '^sockt udp-recv: 5 bytes from 127.0.0.1 port' "$(tmp)/r.err"
}
