#!/usr/bin/env bats
# send.bats: sockt-send(1) against real servers (python3 sockets, socat, nc.openbsd) on
# 127.0.0.1 and ::1: DATA, -e, -f, stdin, --crlf, --no-recv, -w, early resets, big transfers.

load lib/common

bats_require_minimum_version 1.5.0

setup_file() {
	big_file "$BATS_FILE_TMPDIR/big"
}

# server MODE HOST [ARG]: tests/lib/tcp_server.py (see its modes) on a port the kernel
# chooses, in the background; the port in $PORT.
server() {
	tcp_server "srv-$1" "$1" "$2" 0 "${@:3}"
}

@test "send: DATA words are joined by spaces and the reply goes to stdout" {
	server echo 127.0.0.1
	run -0 --separate-stderr "$SOCKT" send 127.0.0.1 "$PORT" hello  "two words"
	[ "$output" = "hello two words" ]
	[ -z "$stderr" ]
}

@test "send: HOST:PORT in one word, on ::1" {
	server echo ::1
	run -0 "$SOCKT" send "[::1]:$PORT" v6
	[ "$output" = v6 ]
}

@test "send: -e decodes escapes" {
	server echo 127.0.0.1
	"$SOCKT" send -e 127.0.0.1 "$PORT" 'a\tb\x41\\\r\n' >"$(tmp)/out"
	printf 'a\tbA\\\r\n' | cmp - "$(tmp)/out"
}

@test "send: a bad escape is status 2 naming it" {
	run -2 "$SOCKT" send -e 127.0.0.1 9 'bad\q'
	[[ "$output" == *"invalid escape '\\q'"* ]]
}

@test "send: stdin is the request when no DATA is given" {
	server after-eof 127.0.0.1
	run -0 "$SOCKT" send 127.0.0.1 "$PORT" <<<"twelve bytes"
	[ "$output" = "got 13 bytes" ]
}

@test "send: -f FILE is the request" {
	server echo 127.0.0.1
	printf 'from a file\0with a NUL' >"$(tmp)/req"
	"$SOCKT" send -f "$(tmp)/req" 127.0.0.1 "$PORT" >"$(tmp)/out"
	cmp "$(tmp)/req" "$(tmp)/out"
}

@test "send: --crlf turns bare LF into CRLF and leaves CRLF alone" {
	server echo 127.0.0.1
	printf 'GET / HTTP/1.0\nHost: x\r\n\n' | "$SOCKT" send --crlf 127.0.0.1 "$PORT" >"$(tmp)/out"
	printf 'GET / HTTP/1.0\r\nHost: x\r\n\r\n' | cmp - "$(tmp)/out"
}

@test "send: half-closes after the request, so a peer answering after EOF is heard" {
	server after-eof ::1
	run -0 "$SOCKT" send ::1 "$PORT" 0123456789
	[ "$output" = "got 10 bytes" ]
}

@test "send: an nc.openbsd server gets the request and its reply is printed" {
	port=$(free_port)
	echo "nc says hi" >"$(tmp)/reply"
	STDIN_FILE="$(tmp)/reply" spawn nc nc.openbsd -N -l 127.0.0.1 "$port"
	wait_listening "$port"
	run -0 "$SOCKT" send 127.0.0.1 "$port" "request"
	[ "$output" = "nc says hi" ]
	wait_for_line "$(tmp)/nc.out" '^request$'
}

@test "send: a socat echo server on ::1" {
	port=$(free_port tcp ::1)
	spawn socat socat "TCP6-LISTEN:$port,bind=[::1]" PIPE
	wait_listening "$port"
	run -0 "$SOCKT" send ::1 "$port" "through socat"
	[ "$output" = "through socat" ]
}

@test "send: a 64 MiB request arrives whole (sha256 checked by the peer)" {
	server sha 127.0.0.1
	run -0 "$SOCKT" send -f "$BATS_FILE_TMPDIR/big" 127.0.0.1 "$PORT"
	[ "$output" = "$(cat "$BATS_FILE_TMPDIR/big.sha")" ]
}

@test "send: a 64 MiB reply arrives whole" {
	server source ::1 "$BATS_FILE_TMPDIR/big"
	sum=$("$SOCKT" send ::1 "$PORT" go | sha256sum | cut -d' ' -f1)
	[ "$sum" = "$(cat "$BATS_FILE_TMPDIR/big.sha")" ]
}

@test "send: a closed stdout (| head -c 10) ends quietly with status 0" {
	server source 127.0.0.1 "$BATS_FILE_TMPDIR/big"
	run -0 --separate-stderr bash -c '"$0" send 127.0.0.1 "$1" go | head -c 10 >/dev/null; exit "${PIPESTATUS[0]}"' "$SOCKT" "$PORT"
	[ -z "$stderr" ]
}

@test "send: --no-recv sends, does not wait for the reply, and exits 0" {
	server record-hold 127.0.0.1 "$(tmp)/got"
	start=$(date +%s%N)
	run -0 --separate-stderr "$SOCKT" send --no-recv 127.0.0.1 "$PORT" "fire and forget"
	end=$(date +%s%N)
	[ -z "$output" ]
	# The server holds the connection 5 s; send must not have waited for it.
	[ $(((end - start) / 1000000)) -lt 2000 ]
	wait_for_line "$(tmp)/got" 'fire and forget'
}

@test "send: refused is status 1 with the errno name" {
	port=$(free_port)
	run -1 --separate-stderr "$SOCKT" send 127.0.0.1 "$port" x
	[ "${stderr_lines[0]}" = "sockt send: connect to 127.0.0.1 port $port (tcp): Connection refused [ECONNREFUSED, errno 111]" ]
}

@test "send: a peer that resets early is reported with how much was sent, status 1" {
	server reset-early 127.0.0.1
	run -1 --separate-stderr "$SOCKT" send -f "$BATS_FILE_TMPDIR/big" 127.0.0.1 "$PORT"
	[[ "$stderr" =~ ^"sockt send: peer reset the connection after "([0-9]+)" of 67108864 bytes [ECONNRESET, errno 104]"$ ]]
	[ "${BASH_REMATCH[1]}" -lt 67108864 ]
}

@test "send: -w bounds the whole exchange: a silent peer is status 1 with ETIMEDOUT" {
	server silent 127.0.0.1
	start=$(date +%s%N)
	run -1 --separate-stderr "$SOCKT" send -w 300ms 127.0.0.1 "$PORT" hello
	end=$(date +%s%N)
	[ "$stderr" = "sockt send: no end to the exchange within 300 ms (-w): 5 of 5 bytes sent, 0 received: Connection timed out [ETIMEDOUT, errno 110]" ]
	[ $(((end - start) / 1000000)) -lt 1500 ]
}

@test "send: -v tells the attempt, the connection and the close summary" {
	server after-eof 127.0.0.1
	run -0 --separate-stderr "$SOCKT" send -v 127.0.0.1 "$PORT" abc
	[ "$output" = "got 3 bytes" ]
	[ "${stderr_lines[0]}" = "sockt send: trying 127.0.0.1 port $PORT (tcp)" ]
	[[ "${stderr_lines[1]}" =~ ^"sockt send: connected to 127.0.0.1 port $PORT (tcp) in "[0-9.]+" ms"$ ]]
	[[ "${stderr_lines[2]}" =~ ^"sockt send: closed: 3 bytes sent, 12 received in "[0-9.]+" s; this side closed first and will hold TIME_WAIT"$ ]]
}

@test "send: a name that does not resolve is status 3" {
	run -3 "$SOCKT" send no-such-host.invalid 80 x
	[[ "$output" == *"[EAI_NONAME]"* ]]
}

@test "send: bad arguments are status 2" {
	run -2 "$SOCKT" send -f /dev/null 127.0.0.1 80 data
	[[ "$output" == *"DATA and -f exclude each other"* ]]
	run -2 "$SOCKT" send -e 127.0.0.1 80
	[[ "$output" == *"-e applies to DATA"* ]]
	run -2 "$SOCKT" send 127.0.0.1 70000 x
	[[ "$output" == *"invalid port '70000'"* ]]
	run -2 "$SOCKT" send -w soon 127.0.0.1 80 x
	[[ "$output" == *"invalid duration 'soon' for -w: must be above 0, such as 1.5, 250ms, 2s or 1m"* ]]
	run -2 "$SOCKT" send
	[[ "$output" == *"missing HOST and PORT"* ]]
}

@test "send: a missing -f FILE is status 4 with the errno name" {
	run -4 "$SOCKT" send -f "$(tmp)/nope" 127.0.0.1 9
	[ "$output" = "sockt send: open $(tmp)/nope: No such file or directory [ENOENT, errno 2]" ]
}

# reply_server HOST REPLY_FILE: one python3 server that reads the request to its end, then
# sends REPLY_FILE's bytes (none if empty) and closes; the port in $PORT.
reply_server() {
	rm -f "$(tmp)/port"
	spawn reply python3 -c '
import os, socket, sys
host, portfile, reply = sys.argv[1], sys.argv[2], open(sys.argv[3], "rb").read()
ls = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
ls.bind((host, 0))
ls.listen(1)
open(portfile + ".tmp", "w").write("%d\n" % ls.getsockname()[1])
os.rename(portfile + ".tmp", portfile)
c, _ = ls.accept()
c.settimeout(20)
while c.recv(65536):
    pass
c.sendall(reply)
c.close()
' "$1" "$(tmp)/port" "$2"
	wait_for_line "$(tmp)/port" '^[0-9]+$'
	PORT=$(cat "$(tmp)/port")
}

@test "send: --expect passes when the reply contains TEXT, and still prints the reply" {
	printf 'HTTP/1.0 200 OK\r\n\r\nhello\n' >"$(tmp)/reply"
	reply_server ::1 "$(tmp)/reply"
	run -0 --separate-stderr "$SOCKT" send -w 5 --expect '200 OK' ::1 "$PORT" 'GET /'
	[ "$output" = "$(cat "$(tmp)/reply")" ]
	[ -z "$stderr" ]
}

@test "send: --expect is status 1 when the server closes without answering" {
	: >"$(tmp)/reply"
	reply_server 127.0.0.1 "$(tmp)/reply"
	# without --expect the same exchange passes: that is why the option exists
	run -1 --separate-stderr "$SOCKT" send -w 5 --expect pong 127.0.0.1 "$PORT" ping
	[ -z "$output" ]
	[ "$stderr" = "sockt send: no reply: the peer closed without sending anything (--expect 'pong')" ]
	reply_server 127.0.0.1 "$(tmp)/reply"
	run -0 "$SOCKT" send -w 5 127.0.0.1 "$PORT" ping
}

@test "send: --expect is status 1 when the reply lacks TEXT, and the reply is still written" {
	printf 'pang\n' >"$(tmp)/reply"
	reply_server 127.0.0.1 "$(tmp)/reply"
	run -1 --separate-stderr "$SOCKT" send --expect pong 127.0.0.1 "$PORT" ping
	[ "$output" = pang ]
	[ "$stderr" = "sockt send: the reply (5 bytes) does not contain 'pong' (--expect)" ]
}

@test "send: --expect finds TEXT across read boundaries in a large reply that arrives whole" {
	# NEEDLE straddles the 64 KiB boundary; 10 MiB of noise follow it.
	{ head -c 65539 /dev/zero | tr '\0' x; printf NEEDLE; head -c 10M /dev/urandom; } >"$(tmp)/reply"
	reply_server 127.0.0.1 "$(tmp)/reply"
	"$SOCKT" send --expect NEEDLE 127.0.0.1 "$PORT" ping >"$(tmp)/got"
	cmp "$(tmp)/reply" "$(tmp)/got"
	printf 'NEEDLE' >"$(tmp)/reply"
	reply_server 127.0.0.1 "$(tmp)/reply"
	run -1 "$SOCKT" send --expect NEEDLES 127.0.0.1 "$PORT" ping
	[[ "$output" == *"does not contain 'NEEDLES'"* ]]
}

@test "send: --expect with a failed exchange keeps that failure's line and status" {
	server silent 127.0.0.1
	run -1 --separate-stderr "$SOCKT" send -w 300ms --expect pong 127.0.0.1 "$PORT" hello
	[ "$stderr" = "sockt send: no end to the exchange within 300 ms (-w): 5 of 5 bytes sent, 0 received: Connection timed out [ETIMEDOUT, errno 110]" ]
}

@test "send: --expect is refused empty or with --no-recv (status 2)" {
	run -2 "$SOCKT" send --expect '' 127.0.0.1 80 x
	[[ "$output" == *"invalid --expect '': give the text the reply must contain"* ]]
	run -2 "$SOCKT" send --expect x --no-recv 127.0.0.1 80 x
	[[ "$output" == *"--expect needs the reply, and --no-recv does not wait for it"* ]]
}
