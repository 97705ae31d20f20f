#!/usr/bin/env bats
# udp-session.bats: two-way UDP (udp-recv --session / --peer, udp-send --session) against real
# peers: python3 sockets (lib/udp_session_peer.py), nc.openbsd -u as client and server, socat;
# over 127.0.0.1 and ::1. Stdin is a FIFO the test writes to and closes, so that every step
# of a conversation happens when the test says.

load lib/common
bats_require_minimum_version 1.5.0

# session NAME ARGS...: sockt -v ARGS in the background with stdin from the FIFO $(tmp)/NAME.in,
# held open by the test on descriptor 3 (closed by "exec 5>&-": stdin's end).
session() {
	local name=$1
	shift
	mkfifo "$(tmp)/$name.in"
	STDIN_FILE="$(tmp)/$name.in" spawn "$name" "$SOCKT" -v "$@"
	exec 5>"$(tmp)/$name.in"
}

# recv_session NAME ARGS...: udp-recv ARGS as a session; its port in $RECV_PORT.
recv_session() {
	local name=$1
	shift
	session "$name" udp-recv "$@"
	wait_for_line "$(tmp)/$name.err" 'listening on .* port [0-9]+$'
	RECV_PORT=$(head -n 1 "$(tmp)/$name.err" | sed -n 's/.* port \([0-9]*\)$/\1/p')
}

# py_peer NAME ADDRESS PORT STEP...: lib/udp_session_peer.py in the background; its own port
# in $PEER_PORT.
py_peer() {
	local name=$1
	shift
	# Not holding a session's stdin open: that end is the test's alone.
	{ spawn "$name" python3 "$TESTLIB/udp_session_peer.py" "$@"; } 5>&-
	wait_for_line "$(tmp)/$name.out" '^port [0-9]+$'
	PEER_PORT=$(sed -n 's/^port \([0-9]*\)$/\1/p' "$(tmp)/$name.out")
}

finished() {
	wait_exit "$(cat "$(tmp)/$1.pid")" 10
}

@test "udp-recv --session: stdin written before any sender is kept and goes to the first one" {
	recv_session r --session -c 2 127.0.0.1 0
	printf 'one\ntwo\n' >&5
	py_peer p 127.0.0.1 "$RECV_PORT" send:hello recv recv send:bye
	finished p
	finished r
	[ "$EXIT_STATUS" -eq 0 ]
	[ "$(cat "$(tmp)/r.out")" = hellobye ]
	[ "$(grep -c '^got' "$(tmp)/p.out")" -eq 2 ]
	grep -qx "got 3 127.0.0.1 $RECV_PORT one" "$(tmp)/p.out"
	grep -qx "got 3 127.0.0.1 $RECV_PORT two" "$(tmp)/p.out"
	grep -qx "sockt udp-recv: session locked onto 127.0.0.1 port $PEER_PORT (the first sender)" \
	    "$(tmp)/r.err"
}

@test "udp-recv --session over ::1 keeps datagram boundaries both ways (distinct sizes)" {
	recv_session r --session --json -c 3 ::1 0
	printf 'a\n%0100d\n%02000d\n' 0 0 >&5
	py_peer p ::1 "$RECV_PORT" size:7 recv recv recv size:3000 size:5
	finished r
	[ "$EXIT_STATUS" -eq 0 ]
	[ "$(jq -r .bytes "$(tmp)/r.out" | tr '\n' ' ')" = "7 3000 5 " ]
	[ "$(jq -r .from "$(tmp)/r.out" | sort -u)" = "::1" ]
	finished p
	[ "$(grep '^got' "$(tmp)/p.out" | cut -d' ' -f2 | tr '\n' ' ')" = "1 100 2000 " ]
}

@test "udp-recv --session drops a third sender's datagrams, counts them, and -v names them" {
	recv_session r --session -c 2 127.0.0.1 0
	py_peer a 127.0.0.1 "$RECV_PORT" send:a1 "wait:$(tmp)/go" send:a2
	wait_for_line "$(tmp)/r.err" 'session locked onto'
	echo intruder | socat -u - "UDP4-SENDTO:127.0.0.1:$RECV_PORT"
	wait_for_line "$(tmp)/r.err" 'dropped 9 bytes from 127\.0\.0\.1 port [0-9]+: not the session.s peer'
	touch "$(tmp)/go"
	finished r
	[ "$EXIT_STATUS" -eq 0 ]
	[ "$(cat "$(tmp)/r.out")" = a1a2 ]
	grep -qx 'sockt udp-recv: dropped 1 datagram from other senders' "$(tmp)/r.err"
}

@test "udp-recv --session: nc.openbsd -u as the client gets stdin's lines, and stdin's end ends it" {
	port=$(free_port udp)
	printf 'to-nc\n' >"$(tmp)/lines"
	STDIN_FILE="$(tmp)/lines" spawn r "$SOCKT" -v udp-recv --session -w 1 127.0.0.1 "$port"
	wait_listening "$port" udp
	# nc's stdin stays open (nc -u quits at its end) until its answer came.
	mkfifo "$(tmp)/nc.in"
	STDIN_FILE="$(tmp)/nc.in" spawn nc timeout 5 nc.openbsd -u 127.0.0.1 "$port"
	exec 6>"$(tmp)/nc.in"
	echo from-nc >&6
	wait_for_line "$(tmp)/nc.out" '^to-nc$'
	exec 6>&-
	finished r
	[ "$EXIT_STATUS" -eq 0 ]
	[ "$(cat "$(tmp)/r.out")" = from-nc ]
	grep -q 'stdin ended: 1 datagram (5 bytes) sent to 127.0.0.1 port' "$(tmp)/r.err"
}

@test "udp-recv --session: socat over ::1 talks both ways" {
	port=$(free_port udp ::1)
	printf 'to-socat\n' >"$(tmp)/lines"
	STDIN_FILE="$(tmp)/lines" spawn r "$SOCKT" udp-recv --session -w 1 ::1 "$port"
	wait_listening "$port" udp
	run -0 timeout 5 bash -c "printf 'from-socat\n' | socat -t 2 - 'UDP6:[::1]:$port'"
	[ "$output" = to-socat ]
	finished r
	[ "$EXIT_STATUS" -eq 0 ]
	[ "$(cat "$(tmp)/r.out")" = from-socat ]
}

@test "udp-recv --peer 'HOST PORT' sends at once, before the peer said anything" {
	py_peer p ::1 0 recv recv send:answer
	recv_session r --peer "::1 $PEER_PORT" -c 1 0
	grep -qx "sockt udp-recv: session locked onto ::1 port $PEER_PORT (--peer)" "$(tmp)/r.err"
	printf 'first\nsecond line\n' >&5
	finished r
	[ "$EXIT_STATUS" -eq 0 ]
	[ "$(cat "$(tmp)/r.out")" = answer ]
	grep -qx 'got 5 ::1 [0-9]* first' "$(tmp)/p.out"
	grep -qx 'got 11 ::1 [0-9]* second line' "$(tmp)/p.out"
}

@test "udp-recv --peer HOST:PORT on a closed port: the ICMP port unreachable ends it with status 1" {
	port=$(free_port udp)
	run -1 timeout 5 bash -c "echo hi | '$SOCKT' udp-recv --peer 127.0.0.1:$port 127.0.0.1 0"
	[ "${lines[0]}" = "sockt udp-recv: send to 127.0.0.1 port $port (udp): ICMP port unreachable from 127.0.0.1: Connection refused [ECONNREFUSED, errno 111]" ]
	[ "${lines[1]}" = "sockt udp-recv: hint: nothing listens on UDP port $port at 127.0.0.1; its host answered with ICMP port unreachable" ]
}

@test "udp-recv --session: a peer that went away is reported by ICMP when stdin's line goes to it" {
	recv_session r --session ::1 0
	python3 "$TESTLIB/udp_session_peer.py" ::1 "$RECV_PORT" send:bye >"$(tmp)/p.out"
	peer_port=$(sed -n 's/^port //p' "$(tmp)/p.out")
	wait_for_line "$(tmp)/r.err" 'session locked onto'
	echo "are you there" >&5
	finished r
	[ "$EXIT_STATUS" -eq 1 ]
	[ "$(cat "$(tmp)/r.out")" = bye ]
	grep -qx "sockt udp-recv: send to ::1 port $peer_port (udp): ICMPv6 port unreachable from ::1: Connection refused \[ECONNREFUSED, errno 111\]" "$(tmp)/r.err"
}

@test "udp-recv --session -w: no sender within D is status 1, as without --session" {
	run -1 timeout 5 "$SOCKT" udp-recv --session -w 0.2 127.0.0.1 0 </dev/null
	[ "$output" = "sockt udp-recv: no datagram within 200 ms" ]
}

@test "udp-recv --session: bad combinations and bad --peer words are usage errors (status 2)" {
	run -2 "$SOCKT" udp-recv --session --echo 0
	[ "${lines[0]}" = "sockt udp-recv: --echo and --session cannot be combined" ]
	run -2 "$SOCKT" udp-recv --peer 127.0.0.1:99999 0
	[ "${lines[0]}" = "sockt udp-recv: invalid port '99999': must be 0-65535 or a service name" ]
	run -2 "$SOCKT" udp-recv --peer 127.0.0.1 0
	[ "${lines[0]}" = "sockt udp-recv: invalid --peer '127.0.0.1': expected HOST PORT, HOST:PORT or [IPV6]:PORT" ]
	run -2 "$SOCKT" -4 udp-recv --peer '[::1]:5000' 0
	[[ "${lines[0]}" == "sockt udp-recv: -4 asks for IPv4 only, and '::1'"* ]]
	run -2 "$SOCKT" udp-recv --peer '[::1]:5000' 127.0.0.1 0 </dev/null
	[ "${lines[0]}" = "sockt udp-recv: --peer [::1]:5000: no address of its family is bound here" ]
}

@test "udp-send --session: nc.openbsd -u -l answers, and the answer is written while stdin is open" {
	port=$(free_port udp)
	spawn nc bash -c "(printf 'pong\n'; sleep 4) | timeout 5 nc.openbsd -u -l 127.0.0.1 $port"
	wait_listening "$port" udp
	session s udp-send --session 127.0.0.1 "$port"
	echo ping >&5
	wait_for_line "$(tmp)/s.out" '^pong$'
	wait_for_line "$(tmp)/nc.out" '^ping$'
	exec 5>&-
	finished s
	[ "$EXIT_STATUS" -eq 0 ]
	grep -qx "sockt udp-send: session with 127.0.0.1 port $port: answers are written until stdin ends" "$(tmp)/s.err"
}

@test "udp-send --session over ::1 keeps boundaries of answers; --reply D waits after stdin's end" {
	py_peer p ::1 0 recv recv size:4000 size:9 "wait:$(tmp)/go" size:1
	session s udp-send --session --reply 2 --json ::1 "$PEER_PORT"
	printf 'x\n%0500d\n' 0 >&5
	wait_for_line "$(tmp)/s.out" '"bytes":9'
	exec 5>&-
	touch "$(tmp)/go"
	finished s
	[ "$EXIT_STATUS" -eq 0 ]
	[ "$(jq -r .bytes "$(tmp)/s.out" | tr '\n' ' ')" = "4000 9 1 " ]
	[ "$(grep '^got' "$(tmp)/p.out" | cut -d' ' -f2 | tr '\n' ' ')" = "1 500 " ]
}

@test "udp-send --session to a closed port: ICMP port unreachable ends the session with status 1" {
	port=$(free_port udp ::1)
	session s udp-send --session ::1 "$port"
	echo knock >&5
	finished s
	[ "$EXIT_STATUS" -eq 1 ]
	grep -qx "sockt udp-send: send to ::1 port $port (udp): ICMPv6 port unreachable from ::1: Connection refused \[ECONNREFUSED, errno 111\]" "$(tmp)/s.err"
}

@test "udp-send --session with socat as the server over 127.0.0.1" {
	port=$(free_port udp)
	spawn srv timeout 5 socat "UDP4-RECVFROM:$port,bind=127.0.0.1" SYSTEM:'read l; echo "re:$l"'
	wait_listening "$port" udp
	session s udp-send --session 127.0.0.1 "$port"
	echo hi >&5
	wait_for_line "$(tmp)/s.out" '^re:hi$'
	exec 5>&-
	finished s
	[ "$EXIT_STATUS" -eq 0 ]
}

@test "udp-send --session takes no MESSAGE and no --whole (status 2)" {
	run -2 "$SOCKT" udp-send --session 127.0.0.1 9 hello
	[ "${lines[0]}" = "sockt udp-send: --session sends stdin lines; it takes no MESSAGE" ]
	run -2 "$SOCKT" udp-send --session --whole 127.0.0.1 9
	[ "${lines[0]}" = "sockt udp-send: --session sends stdin lines; it takes no --whole" ]
}
