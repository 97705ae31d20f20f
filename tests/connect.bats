#!/usr/bin/env bats
# connect.bats: sockt-connect(1) (relay mode): real peers (python3 sockets, socat, nc.openbsd)
# on 127.0.0.1 and ::1; Happy Eyeballs and set-up timeouts inside namespaces the tests make.

load lib/common
bats_require_minimum_version 1.5.0

# peer MODE ADDRESS PORT: tests/lib/tcp_server.py for one connection, in the background; the
# modes watch and greet write what they saw to $(tmp)/watch.result.
peer() {
	tcp_server "peer-$1" "$@" "$(tmp)/watch.result"
}

@test "connect: relays both ways with a python echo peer on 127.0.0.1" {
	port=$(free_port)
	peer echo 127.0.0.1 "$port"
	run --separate-stderr "$SOCKT" connect 127.0.0.1 "$port" <<<"hello over tcp"
	[ "$status" -eq 0 ]
	[ "$output" = "hello over tcp" ]
	[ -z "$stderr" ]
}

@test "connect: relays both ways over ::1 with socat as the echo peer" {
	port=$(free_port tcp ::1)
	spawn socat socat "TCP6-LISTEN:$port,bind=[::1],reuseaddr,fork" EXEC:cat
	wait_listening "$port"
	run --separate-stderr "$SOCKT" connect ::1 "$port" <<<"hello over ipv6"
	[ "$status" -eq 0 ]
	[ "$output" = "hello over ipv6" ]
	run --separate-stderr "$SOCKT" connect "[::1]:$port" <<<"one word form"
	[ "$status" -eq 0 ]
	[ "$output" = "one word form" ]
}

@test "connect: half-closes at stdin EOF, so a peer that answers only after EOF is heard" {
	port=$(free_port)
	peer after-eof 127.0.0.1 "$port"
	run --separate-stderr "$SOCKT" connect 127.0.0.1 "$port" <<<"twelve bytes"
	[ "$status" -eq 0 ]
	[ "$output" = "got 13 bytes" ]
}

@test "connect: 64 MiB go out and come back through socat with the same checksum" {
	port=$(free_port)
	big_file "$(tmp)/big"
	spawn socat socat "TCP-LISTEN:$port,bind=127.0.0.1,reuseaddr" EXEC:cat
	wait_listening "$port"
	"$SOCKT" connect 127.0.0.1 "$port" <"$(tmp)/big" >"$(tmp)/back"
	[ "$(sha256sum <"$(tmp)/big")" = "$(sha256sum <"$(tmp)/back")" ]
}

@test "connect: 64 MiB to and from nc.openbsd arrive whole in each direction" {
	port=$(free_port)
	big_file "$(tmp)/big"
	spawn nc nc.openbsd -l 127.0.0.1 "$port"
	wait_listening "$port"
	"$SOCKT" connect 127.0.0.1 "$port" <"$(tmp)/big"
	wait_exit "$SPAWNED_PID" 20
	[ "$(sha256sum <"$(tmp)/big")" = "$(sha256sum <"$(tmp)/nc.out")" ]

	port=$(free_port)
	STDIN_FILE="$(tmp)/big" spawn nc2 nc.openbsd -N -l 127.0.0.1 "$port"
	wait_listening "$port"
	# nc stops sending at the network's EOF: --no-shutdown keeps the other way open.
	"$SOCKT" connect --no-shutdown 127.0.0.1 "$port" </dev/null >"$(tmp)/got"
	[ "$(sha256sum <"$(tmp)/big")" = "$(sha256sum <"$(tmp)/got")" ]
}

@test "connect: refused is status 1 with the errno name" {
	port=$(free_port)
	run --separate-stderr "$SOCKT" connect 127.0.0.1 "$port"
	[ "$status" -eq 1 ]
	[ "${stderr_lines[0]}" = "sockt connect: connect to 127.0.0.1 port $port (tcp): Connection refused [ECONNREFUSED, errno 111]" ]
	[ "${stderr_lines[1]}" = "sockt connect: hint: refused by the host 127.0.0.1 itself (a TCP RST, no ICMP error): nothing listens on port $port there, or a firewall answers in its name" ]
	[ "${#stderr_lines[@]}" = 2 ]
	[ -z "$output" ]
}

@test "connect: a reset from the peer is status 1, naming the peer and ECONNRESET" {
	port=$(free_port)
	peer reset 127.0.0.1 "$port"
	run --separate-stderr "$SOCKT" connect 127.0.0.1 "$port" </dev/null
	[ "$status" -eq 1 ]
	[ "$stderr" = "sockt connect: receive from 127.0.0.1 port $port (tcp): Connection reset by peer [ECONNRESET, errno 104]" ]
}

@test "connect: when every address of a name refuses, each address's own error is printed" {
	require_root
	port=$(free_port)
	printf '::1 both.test\n127.0.0.1 both.test\n' >"$(tmp)/hosts"
	run --separate-stderr with_hosts "$(tmp)/hosts" "$SOCKT" connect both.test "$port"
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"connect to ::1 port $port (tcp): Connection refused [ECONNREFUSED, errno 111]"* ]]
	[[ "$stderr" == *"connect to 127.0.0.1 port $port (tcp): Connection refused [ECONNREFUSED, errno 111]"* ]]
}

@test "connect: -v shows each attempt, the connection and the close summary" {
	port=$(free_port)
	peer echo 127.0.0.1 "$port"
	run --separate-stderr "$SOCKT" connect -v 127.0.0.1 "$port" <<<"abc"
	[ "$status" -eq 0 ]
	[ "$output" = "abc" ]
	[[ "$stderr" == *"sockt connect: trying 127.0.0.1 port $port (tcp)"* ]]
	[[ "$stderr" == *"sockt connect: connected to 127.0.0.1 port $port (tcp) in "*" ms"* ]]
	[[ "$stderr" == *"4 bytes sent"* ]]
}

@test "connect: an unresolvable name is status 3 with its EAI code" {
	run --separate-stderr "$SOCKT" connect no-such-host.invalid 80
	[ "$status" -eq 3 ]
	[[ "$stderr" == "sockt connect: no-such-host.invalid: "*"[EAI_NONAME]" ]]
}

@test "connect: a bad port is status 2 with the message sockt(1) shows" {
	run --separate-stderr "$SOCKT" connect 127.0.0.1 70000
	[ "$status" -eq 2 ]
	[ "${stderr%%$'\n'*}" = "sockt connect: invalid port '70000': must be 0-65535 or a service name" ]
	run --separate-stderr "$SOCKT" connect -p 70000 127.0.0.1 80
	[ "$status" -eq 2 ]
	[ "${stderr%%$'\n'*}" = "sockt connect: invalid port '70000' for -p: must be 0-65535 or a service name" ]
}

@test "connect: bad arguments and conflicting options are status 2" {
	for args in "-w soon 127.0.0.1 80" "-w 0 127.0.0.1 80" "--linger 5 127.0.0.1 80" \
	    "--recv-only --send-only 127.0.0.1 80" "--parallel 8 127.0.0.1 80" \
	    "127.0.0.1 80 81" "127.0.0.1" "-z --recv-only 127.0.0.1 80"; do
		run --separate-stderr "$SOCKT" connect $args
		[ "$status" -eq 2 ] || { echo "args: $args: $status $stderr"; false; }
		[[ "$stderr" == "sockt connect: "* ]]
	done
}

@test "connect: -s and -p choose the source address and port the peer sees" {
	port=$(free_port)
	sport=$(free_port tcp 127.0.0.2)
	peer peername 127.0.0.1 "$port"
	run --separate-stderr "$SOCKT" connect -s 127.0.0.2 -p "$sport" 127.0.0.1 "$port" </dev/null
	[ "$status" -eq 0 ]
	[ "$output" = "peer 127.0.0.2 $sport" ]
	port=$(free_port tcp ::1)
	peer peername ::1 "$port"
	run --separate-stderr "$SOCKT" connect -s ::1 ::1 "$port" </dev/null
	[ "$status" -eq 0 ]
	[[ "$output" == "peer ::1 "* ]]
}

@test "connect: a source of the other family is status 4 with a hint" {
	run --separate-stderr "$SOCKT" connect -s ::1 127.0.0.1 9
	[ "$status" -eq 4 ]
	[[ "$stderr" == *"[EAFNOSUPPORT, errno 97]"* ]]
	[[ "$stderr" == *"sockt connect: hint: "* ]]
}

@test "connect: a source address not on this machine is status 4 with EADDRNOTAVAIL and a hint" {
	run --separate-stderr "$SOCKT" connect -s 192.0.2.1 127.0.0.1 9
	[ "$status" -eq 4 ]
	[[ "$stderr" == *"bind to 192.0.2.1 port 0 (tcp): "*"[EADDRNOTAVAIL, errno 99]"* ]]
	[[ "$stderr" == *"sockt connect: hint: "* ]]
}

@test "connect: -i closes a silent connection with status 1" {
	port=$(free_port)
	peer watch 127.0.0.1 "$port"
	run --separate-stderr "$SOCKT" connect -i 300ms --no-shutdown 127.0.0.1 "$port" </dev/null
	[ "$status" -eq 1 ]
	[ "$output" = "hello" ]
	[[ "$stderr" == *"300 ms"* ]]
	wait_for_line "$(tmp)/watch.result" "EOF after 0 bytes"
}

@test "connect: --linger 0 closes with RST, leaving no TIME_WAIT" {
	port=$(free_port)
	peer watch 127.0.0.1 "$port"
	run --separate-stderr "$SOCKT" connect --linger 0 -i 300ms --no-shutdown 127.0.0.1 "$port" </dev/null
	[ "$status" -eq 1 ]
	wait_for_line "$(tmp)/watch.result" "RST after 0 bytes"
	[ -z "$(ss -Htan state time-wait "( sport = :$port or dport = :$port )")" ]
}

@test "connect: --recv-only sends nothing, --send-only writes nothing" {
	port=$(free_port)
	peer greet 127.0.0.1 "$port"
	run --separate-stderr "$SOCKT" connect --recv-only 127.0.0.1 "$port" <<<"not sent"
	[ "$status" -eq 0 ]
	[ "$output" = "hello" ]
	[ "$(cat "$(tmp)/watch.result")" = "0 bytes" ]
	port=$(free_port)
	peer after-eof 127.0.0.1 "$port"
	run --separate-stderr "$SOCKT" connect --send-only 127.0.0.1 "$port" <<<"sent"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "connect: a closed stdout ends it quietly with status 0" {
	port=$(free_port)
	head -c 1M /dev/zero >"$(tmp)/zeros"
	STDIN_FILE="$(tmp)/zeros" spawn nc nc.openbsd -N -l 127.0.0.1 "$port"
	wait_listening "$port"
	run --separate-stderr bash -c 'set -o pipefail; "$0" connect 127.0.0.1 "$1" </dev/null | head -c 10 | wc -c' "$SOCKT" "$port"
	[ "$status" -eq 0 ]
	[ "$output" -eq 10 ]
	[ -z "$stderr" ]
}

@test "connect: an unreachable network is status 1 with ENETUNREACH and the route hint" {
	require_root
	netns_new unr
	run --separate-stderr in_ns "$NETNS" "$SOCKT" connect 2001:db8:79::1 80
	[ "$status" -eq 1 ]
	[[ "$stderr" == "sockt connect: connect to 2001:db8:79::1 port 80 (tcp): Network is unreachable [ENETUNREACH, errno 101]"$'\n'"sockt connect: hint: no route to 2001:db8:79::1 ('ip -6 route' shows the routes)"$'\n'"sockt connect: hint: no IPv6 default route: this host has only link-local IPv6; try -4" ]]
}

# A namespace whose loopback drops SYNs to PORT, so connects hang there.
ns_dropping() {
	netns_new "$1"
	in_ns "$NETNS" nft -f - <<-NFT
	table inet sockt_test {
		chain input { type filter hook input priority 0; tcp dport $2 tcp flags syn drop; }
	}
	NFT
}

@test "connect: -w gives up on a silent address with ETIMEDOUT, status 1 and a hint" {
	require_root
	ns_dropping cw 7777
	start=$(date +%s%N)
	run --separate-stderr in_ns "$NETNS" "$SOCKT" connect -w 300ms 127.0.0.1 7777
	ms=$((($(date +%s%N) - start) / 1000000))
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"connect to 127.0.0.1 port 7777 (tcp): Connection timed out [ETIMEDOUT, errno 110]"* ]]
	[[ "$stderr" == *"hint: no answer within 300 ms (-w)"* ]]
	[ "$ms" -ge 280 ] && [ "$ms" -lt 1500 ]
}

# The Happy Eyeballs tests: veth_pair puts the client in $CLIENT (10.77.0.1, 2001:db8:77::1)
# and the server in $SERVER (10.77.0.2, 2001:db8:77::2). 2001:db8:77::99 is on the link, but
# no host has it.

@test "connect: Happy Eyeballs: a hanging preferred IPv6 address loses to IPv4 well under a second" {
	require_root
	veth_pair CLIENT SERVER 10.77.0 2001:db8:77
	printf '2001:db8:77::99 dual.test\n10.77.0.2 dual.test\n' >"$(tmp)/hosts"
	# getaddrinfo must put the IPv6 address first, or the race proves nothing.
	first=$(with_hosts "$(tmp)/hosts" ip netns exec "$CLIENT" getent ahosts dual.test |
	    awk 'NR == 1 {print $1}')
	[ "$first" = 2001:db8:77::99 ]
	PEER_NETNS=$SERVER tcp_server server say 10.77.0.2 8080 $'won by ipv4\n'
	wait_listening 8080 tcp 5 "$SERVER"
	start=$(date +%s%N)
	run --separate-stderr with_hosts "$(tmp)/hosts" ip netns exec "$CLIENT" \
	    "$SOCKT" connect -v dual.test 8080 </dev/null
	ms=$((($(date +%s%N) - start) / 1000000))
	[ "$status" -eq 0 ]
	[ "$output" = "won by ipv4" ]
	[ "$ms" -lt 900 ]
	# The first attempt, after the line of the name's resolution.
	[ "${stderr_lines[1]}" = "sockt connect: trying 2001:db8:77::99 port 8080 (tcp)" ]
	[[ "$stderr" == *"trying 10.77.0.2 port 8080 (tcp)"* ]]
	[[ "$stderr" == *"connected to 10.77.0.2 port 8080 (tcp)"* ]]
	[[ "$stderr" == *"abandoned 2001:db8:77::99 port 8080 (tcp) after 2"*" ms: another address connected first"* ]]
}

@test "connect: Happy Eyeballs: the IPv4 attempt starts 250 ms after the IPv6 one, not at once" {
	require_root
	veth_pair CLIENT SERVER 10.77.0 2001:db8:77
	printf '2001:db8:77::99 dual.test\n10.77.0.2 dual.test\n' >"$(tmp)/hosts"
	PEER_NETNS=$SERVER tcp_server server say 10.77.0.2 8080 ''
	wait_listening 8080 tcp 5 "$SERVER"
	start=$(date +%s%N)
	run --separate-stderr with_hosts "$(tmp)/hosts" ip netns exec "$CLIENT" \
	    "$SOCKT" connect dual.test 8080 </dev/null
	ms=$((($(date +%s%N) - start) / 1000000))
	[ "$status" -eq 0 ]
	[ "$ms" -ge 240 ]
}

@test "connect: Happy Eyeballs interleaves the families and starts the next attempt at once after a refusal" {
	require_root
	netns_new hei
	in_ns "$NETNS" ip addr add 2001:db8:78::2/128 dev lo
	in_ns "$NETNS" ip addr add 2001:db8:78::3/128 dev lo
	printf '%s many.test\n' 2001:db8:78::2 2001:db8:78::3 127.0.0.2 127.0.0.3 >"$(tmp)/hosts"
	start=$(date +%s%N)
	run --separate-stderr with_hosts "$(tmp)/hosts" ip netns exec "$NETNS" \
	    "$SOCKT" connect -v many.test 9 </dev/null
	ms=$((($(date +%s%N) - start) / 1000000))
	[ "$status" -eq 1 ]
	tried=$(printf '%s\n' "$stderr" | awk '/: trying / {print $4}' | tr '\n' ' ')
	[[ "$tried" =~ ^2001:db8:78::[23]\ 127\.0\.0\.[23]\ 2001:db8:78::[23]\ 127\.0\.0\.[23]\ $ ]]
	[ "$(printf '%s\n' "$stderr" | grep -c 'Connection refused \[ECONNREFUSED, errno 111\]$')" -eq 4 ]
	[ "$ms" -lt 600 ] # three delays of 250 ms would be 750
}

@test "connect: with -w, every address still hanging is reported as timed out" {
	require_root
	veth_pair CLIENT SERVER 10.77.0 2001:db8:77
	printf '2001:db8:77::99 gone.test\n10.77.0.99 gone.test\n' >"$(tmp)/hosts"
	run --separate-stderr with_hosts "$(tmp)/hosts" ip netns exec "$CLIENT" \
	    "$SOCKT" connect -w 600ms gone.test 8080 </dev/null
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"connect to 2001:db8:77::99 port 8080 (tcp): Connection timed out [ETIMEDOUT, errno 110]"* ]]
	[[ "$stderr" == *"connect to 10.77.0.99 port 8080 (tcp): Connection timed out [ETIMEDOUT, errno 110]"* ]]
}

# relay_server NAME MODE ARGS...: a tests/lib/relay_peer.py server in the background;
# its port in $RPORT, its output in $(tmp)/NAME.out.
relay_server() {
	local name=$1
	shift
	spawn "$name" python3 "$BATS_TEST_DIRNAME/lib/relay_peer.py" "$@"
	wait_for_line "$(tmp)/$name.out" '^[0-9]+$'
	RPORT=$(head -n1 "$(tmp)/$name.out")
}

@test "connect: --linger 0 still receives the whole answer that comes after a pause" {
	relay_server srv answer-after 1000000 0.2
	echo GET | "$SOCKT" connect --linger 0 127.0.0.1 "$RPORT" >"$(tmp)/got" 2>"$(tmp)/err"
	[ "$(wc -c <"$(tmp)/got")" -eq 1000000 ]
	wait_for_line "$(tmp)/srv.out" '^sent'
	# The server sent all of it unhindered; only then did the close say RST.
	grep -qx 'sent 1000000 then RST' "$(tmp)/srv.out"
}

@test "connect: bytes read before the peer's reset still reach a slow stdout" {
	relay_server srv send-reset 3000000
	run --separate-stderr bash -c '"$0" -v connect 127.0.0.1 "$1" </dev/null |
		(sleep 1.5; wc -c) ' "$SOCKT" "$RPORT"
	# What the summary says was written out is what the reader got, and was all received.
	[[ "$stderr" =~ closed:\ 0\ bytes\ sent,\ ([0-9]+)\ received,\ ([0-9]+)\ written\ out ]]
	[ "${BASH_REMATCH[1]}" = "${BASH_REMATCH[2]}" ]
	[ "$output" -eq "${BASH_REMATCH[2]}" ]
	[ "$output" -gt 1048576 ]
	[[ "$stderr" == *"Connection reset by peer [ECONNRESET, errno 104]"* ]]
}

@test "connect: -i is not fired by a stalled stdout while the peer sends" {
	relay_server srv answer-after 3000000 0
	run --separate-stderr bash -c 'echo GET | "$0" connect -i 1 127.0.0.1 "$1" |
		(sleep 2.5; wc -c); exit ${PIPESTATUS[1]}' "$SOCKT" "$RPORT"
	[ "$status" -eq 0 ]
	[ "$output" -eq 3000000 ]
	[ -z "$stderr" ]
}

@test "connect: stdout closes at the peer's EOF while stdin (a fifo) stays open" {
	relay_server srv talk-then-read hello
	mkfifo "$(tmp)/in"
	bash -c '"$0" connect 127.0.0.1 "$1" <"$2/in" | (cat >"$2/got"; echo closed >"$2/marker")' \
	    "$SOCKT" "$RPORT" "$(tmp)" &
	pipeline=$!
	echo "$pipeline" >>"$(tmp)/.pids"
	exec 7>"$(tmp)/in"
	wait_for_line "$(tmp)/marker" closed
	[ "$(cat "$(tmp)/got")" = hello ]
	# sockt itself goes on: what stdin gives later still reaches the peer.
	kill -0 "$pipeline"
	echo later >&7
	exec 7>&-
	wait_exit "$pipeline"
	[ "$EXIT_STATUS" -eq 0 ]
	wait_for_line "$(tmp)/srv.out" '^got: later$'
}

@test "connect: with a terminal as stdin the peer's EOF ends the relay" {
	relay_server srv talk-then-read hello
	run -0 timeout 10 python3 - "$SOCKT" "$RPORT" <<-'PY'
	import os, pty, subprocess, sys
	master, slave = pty.openpty()
	p = subprocess.run([sys.argv[1], "connect", "127.0.0.1", sys.argv[2]], stdin=slave,
	    stdout=subprocess.PIPE, timeout=8)
	print(p.stdout.decode(), p.returncode)
	PY
	[ "$output" = "hello 0" ]
	wait_for_line "$(tmp)/srv.out" '^got: $'
}

@test "connect: stdin bytes read and not sent when the peer resets are counted in an error line" {
	head -c 8M /dev/zero >"$(tmp)/in"
	relay_server srv send-reset 0
	run --separate-stderr "$SOCKT" connect 127.0.0.1 "$RPORT" <"$(tmp)/in"
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"Connection reset by peer [ECONNRESET, errno 104]"* ]]
	[[ "$stderr" =~ sockt\ connect:\ ([0-9]+)\ bytes\ read\ from\ stdin\ were\ not\ sent ]]
	[ "${BASH_REMATCH[1]}" -gt 0 ]
}

@test "connect: --linger 0 with -i counts the bytes its RST drops, and what stdin gave that was not sent" {
	head -c 16M /dev/zero >"$(tmp)/in"
	relay_server srv never-read 5
	run --separate-stderr timeout 10 "$SOCKT" connect --linger 0 -i 0.5 127.0.0.1 "$RPORT" <"$(tmp)/in"
	[ "$status" -eq 1 ]
	[ "${stderr_lines[0]}" = "sockt connect: no data either way for 500 ms (-i): connection closed" ]
	[[ "$stderr" =~ sockt\ connect:\ [1-9][0-9]*\ bytes\ read\ from\ stdin\ were\ not\ sent ]]
	[[ "$stderr" =~ sockt\ connect:\ [1-9][0-9]*\ bytes\ sent\ were\ not\ acknowledged,\ and\ the\ RST\ \(--linger\ 0\)\ drops\ them ]]
}
