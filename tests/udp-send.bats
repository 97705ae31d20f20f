#!/usr/bin/env bats
# udp-send.bats: sockt-udp-send(1) against real peers (python3 sockets, socat) on 127.0.0.1
# and ::1, and a broadcast between two network namespaces the tests make.

load lib/common
bats_require_minimum_version 1.5.0

# py_recv NAME ADDRESS COUNT [TIMEOUT] [PORT]: a python3 receiver in the background. It
# prints "port N" when bound (N also in $PEER_PORT), then per datagram "LENGTH ADDRESS PORT TTL"
# (TTL or hop limit as received), and "done N" at the end; datagram i is in $(tmp)/NAME.i.
py_recv() {
	spawn "$1" python3 "$TESTLIB/udp_peer.py" recv "$2" "$3" "${4:-5}" "$(tmp)/$1" ${5:+"$5"}
	wait_for_line "$(tmp)/$1.out" '^port [0-9]+$'
	PEER_PORT=$(awk '$1 == "port" {print $2; exit}' "$(tmp)/$1.out")
}

# py_echo NAME ADDRESS: answers each datagram with "re:" and the datagram, in the background.
py_echo() {
	spawn "$1" python3 "$TESTLIB/udp_peer.py" echo "$2"
	wait_for_line "$(tmp)/$1.out" '^port [0-9]+$'
	PEER_PORT=$(awk '$1 == "port" {print $2; exit}' "$(tmp)/$1.out")
}

# done_with NAME N: waits until the python receiver NAME has finished with N datagrams.
done_with() {
	wait_for_line "$(tmp)/$1.out" "^done $2\$" 10
}

@test "udp-send: MESSAGE words go as one datagram, joined by single spaces" {
	py_recv peer 127.0.0.1 1
	run --separate-stderr "$SOCKT" udp-send 127.0.0.1 "$PEER_PORT" hello  big world
	[ "$status" -eq 0 ]
	[ -z "$output" ] && [ -z "$stderr" ]
	done_with peer 1
	[ "$(cat "$(tmp)/peer.0")" = "hello big world" ]
}

@test "udp-send: -e decodes escapes in MESSAGE, NUL bytes included" {
	py_recv peer 127.0.0.1 1
	run "$SOCKT" udp-send -e "127.0.0.1:$PEER_PORT" 'a\tb\x00c\r\n'
	[ "$status" -eq 0 ]
	done_with peer 1
	printf 'a\tb\0c\r\n' | cmp - "$(tmp)/peer.0"
}

@test "udp-send: a bad escape is a usage error naming it" {
	run "$SOCKT" udp-send -e 127.0.0.1 9 'a\qb'
	[ "$status" -eq 2 ]
	[ "${lines[0]}" = "sockt udp-send: invalid escape '\\qb' in MESSAGE: use \\r \\n \\t \\\\ \\0 \\xHH" ]
}

@test "udp-send: stdin lines are one datagram each, newline stripped, the last one too" {
	py_recv peer 127.0.0.1 4
	printf 'first\n\nthird line\nlast without newline' >"$(tmp)/in"
	run "$SOCKT" udp-send 127.0.0.1 "$PEER_PORT" <"$(tmp)/in"
	[ "$status" -eq 0 ]
	done_with peer 4
	[ "$(cat "$(tmp)/peer.0")" = first ]
	[ ! -s "$(tmp)/peer.1" ]
	[ "$(cat "$(tmp)/peer.2")" = "third line" ]
	[ "$(cat "$(tmp)/peer.3")" = "last without newline" ]
}

@test "udp-send: 2000 stdin lines arrive as 2000 datagrams in order (batched sends)" {
	py_recv peer 127.0.0.1 2000
	seq 1 2000 >"$(tmp)/in"
	run "$SOCKT" -v udp-send 127.0.0.1 "$PEER_PORT" <"$(tmp)/in"
	[ "$status" -eq 0 ]
	[[ "$output" == *"sent 2000 datagrams (6893 bytes) to 127.0.0.1 port $PEER_PORT"* ]]
	done_with peer 2000
	for i in 0 999 1999; do
		[ "$(cat "$(tmp)/peer.$i")" = "$((i + 1))" ]
	done
}

@test "udp-send: --whole sends binary stdin as one datagram, byte for byte" {
	py_recv peer 127.0.0.1 1
	head -c 30000 /dev/urandom >"$(tmp)/in"
	run "$SOCKT" udp-send --whole 127.0.0.1 "$PEER_PORT" <"$(tmp)/in"
	[ "$status" -eq 0 ]
	done_with peer 1
	cmp "$(tmp)/in" "$(tmp)/peer.0"
}

@test "udp-send: a 65507-byte datagram arrives whole over IPv4" {
	py_recv peer 127.0.0.1 1
	head -c 65507 /dev/urandom >"$(tmp)/in"
	run "$SOCKT" udp-send --whole 127.0.0.1 "$PEER_PORT" <"$(tmp)/in"
	[ "$status" -eq 0 ]
	done_with peer 1
	cmp "$(tmp)/in" "$(tmp)/peer.0"
}

@test "udp-send: a 65527-byte datagram arrives whole over IPv6" {
	py_recv peer ::1 1
	head -c 65527 /dev/urandom >"$(tmp)/in"
	run "$SOCKT" udp-send --whole ::1 "$PEER_PORT" <"$(tmp)/in"
	[ "$status" -eq 0 ]
	done_with peer 1
	cmp "$(tmp)/in" "$(tmp)/peer.0"
}

@test "udp-send: 70000 bytes are refused with EMSGSIZE, the size and the IPv4 limit, status 4" {
	py_recv peer 127.0.0.1 1 1
	head -c 70000 /dev/zero >"$(tmp)/in"
	run "$SOCKT" udp-send --whole 127.0.0.1 "$PEER_PORT" <"$(tmp)/in"
	[ "$status" -eq 4 ]
	[ "${lines[0]}" = "sockt udp-send: send to 127.0.0.1 port $PEER_PORT (udp): datagram of 70000 bytes is over the IPv4 limit of 65507: Message too long [EMSGSIZE, errno 90]" ]
	[[ "${lines[1]}" == "sockt udp-send: hint: a UDP datagram carries at most 65507 bytes over IPv4 and 65527 over IPv6"* ]]
	done_with peer 0
}

@test "udp-send: 65528 bytes over IPv6 name the IPv6 limit; a 70000-byte line too" {
	head -c 65528 /dev/zero >"$(tmp)/in"
	run "$SOCKT" udp-send --whole ::1 9 <"$(tmp)/in"
	[ "$status" -eq 4 ]
	[[ "${lines[0]}" == *"datagram of 65528 bytes is over the IPv6 limit of 65527: Message too long [EMSGSIZE, errno 90]" ]]
	{ echo short; head -c 70000 /dev/zero | tr '\0' x; echo; echo after; } >"$(tmp)/lines"
	py_recv peer 127.0.0.1 2 1
	run "$SOCKT" udp-send 127.0.0.1 "$PEER_PORT" <"$(tmp)/lines"
	[ "$status" -eq 4 ]
	[[ "${lines[0]}" == *"datagram of 70000 bytes is over the IPv4 limit of 65507: Message too long [EMSGSIZE, errno 90]" ]]
	done_with peer 1
	[ "$(cat "$(tmp)/peer.0")" = short ]
}

@test "udp-send: -c sends the datagram N times, --interval apart" {
	py_recv peer 127.0.0.1 3
	start=$(date +%s%N)
	run "$SOCKT" udp-send -c 3 --interval 100ms 127.0.0.1 "$PEER_PORT" tick
	end=$(date +%s%N)
	[ "$status" -eq 0 ]
	done_with peer 3
	[ "$(cat "$(tmp)/peer.2")" = tick ]
	# two intervals between three datagrams
	[ $(((end - start) / 1000000)) -ge 200 ]
}

@test "udp-send: --reply writes a python echo server's answer to stdout, -v names its sender" {
	py_echo echo 127.0.0.1
	run --separate-stderr "$SOCKT" -v udp-send --reply 2 127.0.0.1 "$PEER_PORT" ping
	[ "$status" -eq 0 ]
	[ "$output" = "re:ping" ]
	[[ "$stderr" == *"sockt udp-send: 7 bytes from 127.0.0.1 port $PEER_PORT"* ]]
}

@test "udp-send: --reply over IPv6 takes one answer per line and returns without waiting out D" {
	py_echo echo ::1
	start=$(date +%s)
	run --separate-stderr "$SOCKT" udp-send --reply 5 ::1 "$PEER_PORT" <<<$'one\ntwo'
	[ "$status" -eq 0 ]
	[ "$output" = "re:onere:two" ]
	[ $(($(date +%s) - start)) -lt 4 ]
}

@test "udp-send: --reply with --json gives an object python parses" {
	py_echo echo 127.0.0.1
	run --separate-stderr "$SOCKT" --json udp-send --reply 2 127.0.0.1 "$PEER_PORT" héllo
	[ "$status" -eq 0 ]
	python3 -c '
import json, sys
o = json.loads(sys.argv[1])
assert o == {"from": "127.0.0.1", "port": int(sys.argv[2]), "bytes": 9, "data": "re:héllo"}, o
' "$output" "$PEER_PORT"
}

@test "udp-send: --reply --hex dumps the answer as hexdump -C does" {
	py_echo echo 127.0.0.1
	run --separate-stderr "$SOCKT" udp-send -e --hex --reply 2 127.0.0.1 "$PEER_PORT" 'bin\x00\xff and some text to wrap'
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 're:bin\0\377 and some text to wrap' | hexdump -C)" ]
}

@test "udp-send: --reply and no answer is status 1 with the wait named" {
	py_recv peer 127.0.0.1 1
	run "$SOCKT" udp-send --reply 200ms 127.0.0.1 "$PEER_PORT" anyone
	[ "$status" -eq 1 ]
	[ "$output" = "sockt udp-send: no reply from 127.0.0.1 port $PEER_PORT within 200 ms" ]
}

@test "udp-send: a closed port is ECONNREFUSED from ICMP, status 1" {
	port=$(free_port udp)
	run "$SOCKT" udp-send --reply 2 127.0.0.1 "$port" hello
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "sockt udp-send: send to 127.0.0.1 port $port (udp): ICMP port unreachable from 127.0.0.1: Connection refused [ECONNREFUSED, errno 111]" ]
	[[ "${lines[1]}" == "sockt udp-send: hint: nothing listens on UDP port $port at 127.0.0.1"* ]]
}

@test "udp-send: a closed IPv6 port is ECONNREFUSED from ICMPv6, also without --reply" {
	port=$(free_port udp ::1)
	run "$SOCKT" udp-send -c 3 ::1 "$port" hello
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "sockt udp-send: send to ::1 port $port (udp): ICMPv6 port unreachable from ::1: Connection refused [ECONNREFUSED, errno 111]" ]
}

@test "udp-send: -s and -p choose the source address and port the receiver sees" {
	py_recv peer 127.0.0.1 1
	sport=$(free_port udp)
	run "$SOCKT" udp-send -s 127.0.0.9 -p "$sport" 127.0.0.1 "$PEER_PORT" from-me
	[ "$status" -eq 0 ]
	done_with peer 1
	grep -qx "7 127.0.0.9 $sport [0-9]*" "$(tmp)/peer.out"
}

@test "udp-send: a source port in use is EADDRINUSE, status 4 with a hint" {
	py_recv holder 127.0.0.1 1 5
	run "$SOCKT" udp-send -s 127.0.0.1 -p "$PEER_PORT" 127.0.0.1 9 x
	[ "$status" -eq 4 ]
	[ "${lines[0]}" = "sockt udp-send: bind to 127.0.0.1 port $PEER_PORT (udp): Address already in use [EADDRINUSE, errno 98]" ]
	[[ "${lines[1]}" == "sockt udp-send: hint: "* ]]
}

@test "udp-send: a source of the wrong family is a usage error" {
	run "$SOCKT" udp-send -s ::1 127.0.0.1 9 x
	[ "$status" -eq 2 ]
	[ "$output" = "sockt udp-send: send to 127.0.0.1 port 9 (udp): source ::1 has no IPv4 address" ]
}

@test "udp-send: --ttl sets the IPv4 TTL and the IPv6 hop limit the receiver sees" {
	py_recv peer 127.0.0.1 1
	"$SOCKT" udp-send --ttl 7 127.0.0.1 "$PEER_PORT" x
	done_with peer 1
	grep -qx "1 127.0.0.1 [0-9]* 7" "$(tmp)/peer.out"
	py_recv peer6 ::1 1
	"$SOCKT" udp-send --ttl 9 ::1 "$PEER_PORT" y
	done_with peer6 1
	grep -qx "1 ::1 [0-9]* 9" "$(tmp)/peer6.out"
}

@test "udp-send: a broadcast address needs --broadcast: EACCES with a hint, status 4" {
	run "$SOCKT" udp-send 127.255.255.255 9 x
	[ "$status" -eq 4 ]
	[ "${lines[0]}" = "sockt udp-send: connect to 127.255.255.255 port 9 (udp): Permission denied [EACCES, errno 13]" ]
	[ "${lines[1]}" = "sockt udp-send: hint: 127.255.255.255 is a broadcast address: sending to it needs --broadcast" ]
}

@test "udp-send: --broadcast reaches a receiver in the next namespace over veth" {
	require_root
	veth_pair a b 10.77.0 2001:db8:77
	spawn bcrecv in_ns "$b" "$SOCKT" -v udp-recv -c 1 0.0.0.0 0
	wait_for_line "$(tmp)/bcrecv.err" 'listening on 0.0.0.0 port [0-9]+'
	port=$(grep -o 'port [0-9]*' "$(tmp)/bcrecv.err" | head -1 | cut -d' ' -f2)
	run in_ns "$a" "$SOCKT" udp-send --broadcast 10.77.0.255 "$port" to-everyone
	[ "$status" -eq 0 ]
	wait_exit "$(cat "$(tmp)/bcrecv.pid")"
	[ "$EXIT_STATUS" -eq 0 ]
	[ "$(cat "$(tmp)/bcrecv.out")" = to-everyone ]
	grep -q "11 bytes from 10.77.0.1 port" "$(tmp)/bcrecv.err"
}

@test "udp-send: socat receives the datagrams" {
	port=$(free_port udp)
	spawn socat socat -u "UDP-RECV:$port,bind=127.0.0.1" -
	wait_listening "$port" udp
	run "$SOCKT" udp-send 127.0.0.1 "$port" <<<$'to socat\nsecond'
	[ "$status" -eq 0 ]
	wait_for_line "$(tmp)/socat.out" 'second'
	[ "$(cat "$(tmp)/socat.out")" = "to socatsecond" ]
}

@test "udp-send: a socat echo peer answers --reply over IPv6" {
	port=$(free_port udp ::1)
	spawn socat socat "UDP6-RECVFROM:$port,bind=[::1],fork" SYSTEM:cat
	wait_listening "$port" udp
	run --separate-stderr "$SOCKT" udp-send --reply 3 ::1 "$port" echo-me
	[ "$status" -eq 0 ]
	[ "$output" = echo-me ]
}

@test "udp-send: a name that does not resolve is status 3; a bad port status 2" {
	run "$SOCKT" udp-send no-such-host.invalid 9 x
	[ "$status" -eq 3 ]
	[[ "${lines[0]}" == "sockt udp-send: no-such-host.invalid: "*"[EAI_"* ]]
	run "$SOCKT" udp-send 127.0.0.1 70000 x
	[ "$status" -eq 2 ]
	[ "${lines[0]}" = "sockt udp-send: invalid port '70000': must be 0-65535 or a service name" ]
	run "$SOCKT" udp-send --ttl 256 127.0.0.1 9 x
	[ "$status" -eq 2 ]
	[ "${lines[0]}" = "sockt udp-send: invalid TTL '256' for --ttl: must be 1-255" ]
}

@test "udp-send: an IPv6 address with its port glued on gets the [ADDRESS]:PORT advice" {
	run --separate-stderr "$SOCKT" udp-send ::1:5000 hi
	[ "$status" -eq 2 ]
	[ "${stderr_lines[0]}" = "sockt udp-send: invalid port 'hi': must be 0-65535 or a service name" ]
	[ "${stderr_lines[1]}" = "sockt udp-send: hint: '::1:5000' was read as the host; an IPv6 address with a port is written [ADDRESS]:PORT or ADDRESS PORT, as in [::1]:5000" ]
	# Written as advised, it goes.
	py_recv peer ::1 1
	run "$SOCKT" udp-send "[::1]:$PEER_PORT" hi
	[ "$status" -eq 0 ]
	done_with peer 1
	[ "$(cat "$(tmp)/peer.0")" = hi ]
}

@test "udp-send: --ttl 0 is refused at parse time, before any socket, status 2" {
	# LeakSanitizer cannot run under ptrace: an ASan build is told not to try.
	run --separate-stderr env ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
	    strace -f -e trace=socket "$SOCKT" udp-send --ttl 0 127.0.0.1 9 x
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"sockt udp-send: invalid TTL '0' for --ttl: must be 1-255"* ]]
	[[ "$stderr" != *"EINVAL"* ]]
	[[ "$stderr" != *"socket(AF_INET"* ]]
	py_recv peer 127.0.0.1 1
	run "$SOCKT" udp-send --ttl 1 127.0.0.1 "$PEER_PORT" x
	[ "$status" -eq 0 ]
	done_with peer 1
	[ "$(head -n 2 "$(tmp)/peer.out" | tail -n 1 | cut -d' ' -f4)" = 1 ]
}

@test "udp-send: -v counts an answer of one byte in the singular" {
	cat >"$(tmp)/one.py" <<-'PY'
	import socket
	s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
	s.bind(("127.0.0.1", 0))
	print("port", s.getsockname()[1], flush=True)
	s.settimeout(10)
	data, frm = s.recvfrom(100)
	s.sendto(b"!", frm)
	PY
	spawn one python3 "$(tmp)/one.py"
	wait_for_line "$(tmp)/one.out" '^port [0-9]+$'
	port=$(awk '{print $2; exit}' "$(tmp)/one.out")
	run --separate-stderr "$SOCKT" -v udp-send --reply 2 127.0.0.1 "$port" x
	[ "$status" -eq 0 ]
	[ "$output" = "!" ]
	[[ "$stderr" == *"sockt udp-send: 1 byte from 127.0.0.1 port $port"* ]]
	[[ "$stderr" == *"sent 1 datagram (1 byte) to 127.0.0.1 port $port"* ]]
}

@test "udp-send: a name with two addresses sends to getaddrinfo's first only, and -v names it" {
	py_recv v6 ::1 2 3
	py_recv v4 127.0.0.1 2 3 "$PEER_PORT"
	port=$PEER_PORT
	printf '127.0.0.1 dual.test\n::1 dual.test\n' >"$(tmp)/hosts.v4first"
	printf '::1 dual.test\n127.0.0.1 dual.test\n' >"$(tmp)/hosts.v6first"
	for order in v4first v6first; do
		first=$(with_hosts "$(tmp)/hosts.$order" getent ahosts dual.test | awk 'NR == 1 {print $1}')
		run -0 --separate-stderr with_hosts "$(tmp)/hosts.$order" "$SOCKT" udp-send -v dual.test "$port" "$order"
		[[ "$stderr" == *"sent 1 datagram (7 bytes) to $first port $port"* ]]
	done
	done_with v6 2
	done_with v4 0
	[ "$first" = ::1 ]
	[ "$(cat "$(tmp)/v6.0")" = v4first ]
	[ "$(cat "$(tmp)/v6.1")" = v6first ]
}

@test "udp-send: --reply answers end their lines at a terminal, and stay byte-exact in a pipe" {
	py_echo echo 127.0.0.1
	printf -v cmd '%q ' "$SOCKT" udp-send --reply 2 127.0.0.1 "$PEER_PORT"
	run -0 script -qec "printf 'two\\nthree\\n' | $cmd" /dev/null
	[ "$(tr -d '\r' <<<"$output" | od -c)" = "$(printf 're:two\nre:three\n' | od -c)" ]
	printf 'two\nthree\n' | "$SOCKT" udp-send --reply 2 127.0.0.1 "$PEER_PORT" >"$(tmp)/pipe"
	[ "$(sha256sum <"$(tmp)/pipe")" = "$(printf 're:twore:three' | sha256sum)" ]
}
