#!/usr/bin/env bats
# dump.bats: --dump FILE on connect, listen and send (hexdump -C blocks, --json objects),
# read back by tests/lib/dump_check.py or jq and compared with the bytes sent each way; and
# -C/--crlf on connect and listen, with the exact bytes the peers (python3, socat,
# nc.openbsd) received.

load lib/common

bats_require_minimum_version 1.5.0

# check_dump FILE: dump_check.py's summary of FILE in $output, the bytes in $(tmp)/got/.
check_dump() {
	mkdir -p "$(tmp)/got"
	run -0 python3 "$TESTLIB/dump_check.py" "$1" "$(tmp)/got"
}

# socat_record PORT FILE: socat on 127.0.0.1:PORT writes what one client sends to FILE.
socat_record() {
	spawn socat socat -u "TCP-LISTEN:$1,bind=127.0.0.1,reuseaddr" "CREATE:$2"
	SPID=$SPAWNED_PID
	wait_listening "$1"
}

@test "connect --dump writes known bytes each way as hexdump -C blocks with their header" {
	printf 'abc' >"$(tmp)/reply"
	tcp_server srv source 127.0.0.1 0 "$(tmp)/reply"
	printf 'hello\nworld\n' | "$SOCKT" connect --dump "$(tmp)/d" 127.0.0.1 "$PORT" >"$(tmp)/out"
	[ "$(cat "$(tmp)/out")" = abc ]
	sent='^# [0-9T:.-]{26}Z conn 1 127\.0\.0\.1 port '"$PORT"' > sent, offset 0, 12 bytes$'
	recv='^# [0-9T:.-]{26}Z conn 1 127\.0\.0\.1 port '"$PORT"' < received, offset 0, 3 bytes$'
	run -0 cat "$(tmp)/d"
	[ "${#lines[@]}" -eq 6 ]
	[[ "${lines[0]}" =~ $sent ]]
	[ "${lines[1]}" = "00000000  68 65 6c 6c 6f 0a 77 6f  72 6c 64 0a              |hello.world.|" ]
	[ "${lines[2]}" = 0000000c ]
	[[ "${lines[3]}" =~ $recv ]]
	[ "${lines[4]}" = "00000000  61 62 63                                          |abc|" ]
	[ "${lines[5]}" = 00000003 ]
}

@test "connect --dump of 1 MiB each way reads back to the same sha256, offsets and times in order" {
	big_file "$(tmp)/up" 1M
	big_file "$(tmp)/down" 1M
	tcp_server srv source 127.0.0.1 0 "$(tmp)/down"
	"$SOCKT" connect --dump "$(tmp)/d" 127.0.0.1 "$PORT" <"$(tmp)/up" >"$(tmp)/out"
	check_dump "$(tmp)/d"
	[ "${#lines[@]}" -eq 2 ]
	[[ "${lines[0]}" =~ ^"conn 1 127.0.0.1 port $PORT received 1048576 in "[0-9]+" blocks"$ ]]
	[[ "${lines[1]}" =~ ^"conn 1 127.0.0.1 port $PORT sent 1048576 in "[0-9]+" blocks"$ ]]
	[ "$(sha256sum <"$(tmp)/got/conn-1.sent" | cut -d' ' -f1)" = "$(cat "$(tmp)/up.sha")" ]
	[ "$(sha256sum <"$(tmp)/got/conn-1.received" | cut -d' ' -f1)" = "$(cat "$(tmp)/down.sha")" ]
	[ "$(sha256sum <"$(tmp)/out" | cut -d' ' -f1)" = "$(cat "$(tmp)/down.sha")" ]
}

@test "--dump - writes the dump to stderr, between the -v lines" {
	tcp_server srv echo 127.0.0.1 0
	run -0 --separate-stderr "$SOCKT" -v connect --dump - 127.0.0.1 "$PORT" <<<"ping"
	[ "$output" = ping ]
	printf '%s\n' "$stderr" | grep -v '^sockt connect: ' >"$(tmp)/d"
	check_dump "$(tmp)/d"
	[ "${lines[0]}" = "conn 1 127.0.0.1 port $PORT received 5 in 1 blocks" ]
	[ "${lines[1]}" = "conn 1 127.0.0.1 port $PORT sent 5 in 1 blocks" ]
	[ "$(cat "$(tmp)/got/conn-1.sent")" = ping ]
	[ "$(cat "$(tmp)/got/conn-1.received")" = ping ]
}

@test "--json --dump writes one object a block; jq and base64 give back the bytes each way" {
	printf 'reply\x00\xff' >"$(tmp)/reply"
	tcp_server srv source 127.0.0.1 0 "$(tmp)/reply"
	printf 'req\r\n' | "$SOCKT" --json connect --dump "$(tmp)/d" 127.0.0.1 "$PORT" >/dev/null
	run -0 jq -c '[.conn, .peer, .port, .dir, .offset, .len, (.time | test("^[0-9-]{10}T[0-9:.]{15}Z$"))]' "$(tmp)/d"
	[ "${lines[0]}" = "[1,\"127.0.0.1\",$PORT,\"sent\",0,5,true]" ]
	[ "${lines[1]}" = "[1,\"127.0.0.1\",$PORT,\"received\",0,7,true]" ]
	jq -j 'select(.dir == "sent") | .data_base64' "$(tmp)/d" | base64 -d >"$(tmp)/sent"
	jq -j 'select(.dir == "received") | .data_base64' "$(tmp)/d" | base64 -d >"$(tmp)/recv"
	printf 'req\r\n' | cmp - "$(tmp)/sent"
	cmp "$(tmp)/reply" "$(tmp)/recv"
}

@test "listen --dump with a socat client dumps both ways as conn 1" {
	printf 'from sockt' >"$(tmp)/in"
	STDIN_FILE="$(tmp)/in" listen l --dump "$(tmp)/d" 127.0.0.1 0
	run -0 timeout 10 socat - "TCP:127.0.0.1:$PORT" <<<"from socat"
	[ "$output" = "from sockt" ]
	finished "$LPID"
	[ "$EXIT_STATUS" -eq 0 ]
	check_dump "$(tmp)/d"
	[[ "${lines[0]}" =~ ^"conn 1 127.0.0.1 port "[0-9]+" received 11 in 1 blocks"$ ]]
	[[ "${lines[1]}" =~ ^"conn 1 127.0.0.1 port "[0-9]+" sent 10 in 1 blocks"$ ]]
	[ "$(cat "$(tmp)/got/conn-1.received")" = "from socat" ]
	cmp "$(tmp)/in" "$(tmp)/got/conn-1.sent"
}

@test "listen -k --dump numbers two connections 1 and 2, each with its own offsets" {
	listen l -k --recv-only --dump "$(tmp)/d" 127.0.0.1 0
	tcp_client send 127.0.0.1 "$PORT" first
	tcp_client send 127.0.0.1 "$PORT" second-one
	# The dump is written before the bytes reach stdout: both are in it once stdout has them.
	wait_for_line "$(tmp)/l.out" 'second-one'
	kill "$LPID"
	check_dump "$(tmp)/d"
	[ "${#lines[@]}" -eq 2 ]
	[[ "${lines[0]}" =~ ^"conn 1 127.0.0.1 port "[0-9]+" received 5 in 1 blocks"$ ]]
	[[ "${lines[1]}" =~ ^"conn 2 127.0.0.1 port "[0-9]+" received 10 in 1 blocks"$ ]]
	[ "$(cat "$(tmp)/got/conn-1.received")" = first ]
	[ "$(cat "$(tmp)/got/conn-2.received")" = second-one ]
}

@test "listen --echo --dump dumps what came and what went back" {
	listen l --echo --dump "$(tmp)/d" 127.0.0.1 0
	run -0 tcp_client send 127.0.0.1 "$PORT" "echo me"
	[ "$output" = "echo me" ]
	finished "$LPID"
	check_dump "$(tmp)/d"
	[ "$(cat "$(tmp)/got/conn-1.received")" = "echo me" ]
	[ "$(cat "$(tmp)/got/conn-1.sent")" = "echo me" ]
}

@test "send --dump dumps the request and the reply" {
	tcp_server srv after-eof 127.0.0.1 0
	run -0 "$SOCKT" send --dump "$(tmp)/d" 127.0.0.1 "$PORT" 'four'
	[ "$output" = "got 4 bytes" ]
	check_dump "$(tmp)/d"
	[ "$(cat "$(tmp)/got/conn-1.sent")" = four ]
	[ "$(cat "$(tmp)/got/conn-1.received")" = "got 4 bytes" ]
}

@test "--dump into a directory it may not write is status 4 before any connection" {
	mkdir -m 700 "$(tmp)/locked"
	tcp_server srv watch 127.0.0.1 0 "$(tmp)/watched"
	as=()
	# root writes anywhere: the test runs sockt as nobody, who may not enter the directory.
	[ "$(id -u)" = 0 ] && as=(setpriv --reuid=65534 --regid=65534 --clear-groups)
	[ "$(id -u)" = 0 ] || chmod 000 "$(tmp)/locked"
	run -4 --separate-stderr "${as[@]}" "$SOCKT" -v connect --dump "$(tmp)/locked/d" 127.0.0.1 "$PORT" <<<"never"
	[ "$stderr" = "sockt connect: open the dump file $(tmp)/locked/d: Permission denied [EACCES, errno 13]" ]
	# Nothing was tried, so the server still waits: a connection now is its first.
	run -0 tcp_client send 127.0.0.1 "$PORT" ""
	[ "$output" = hello ]
	wait_for_line "$(tmp)/watched" 'EOF after 0 bytes'
}

@test "a dump that cannot be written (/dev/full) ends the relay with status 4, said with its errno" {
	tcp_server srv echo 127.0.0.1 0
	run -4 --separate-stderr "$SOCKT" connect --dump /dev/full 127.0.0.1 "$PORT" <<<"data"
	[ "$stderr" = "sockt connect: write the dump to /dev/full: No space left on device [ENOSPC, errno 28]" ]
	listen l --dump /dev/full 127.0.0.1 0
	tcp_client send 127.0.0.1 "$PORT" "to listen" || true
	finished "$LPID"
	[ "$EXIT_STATUS" -eq 4 ]
	grep -qx "sockt listen: write the dump to /dev/full: No space left on device \[ENOSPC, errno 28\]" "$(tmp)/l.err"
}

@test "--dump applies to a relay: connect -z refuses it, listen refuses -C with --echo" {
	run -2 --separate-stderr "$SOCKT" connect -z --dump "$(tmp)/d" 127.0.0.1 1
	[[ "$stderr" == "sockt connect: --dump applies to a relay, not to -z"* ]]
	[ ! -e "$(tmp)/d" ]
	run -2 --separate-stderr "$SOCKT" listen --echo -C 127.0.0.1 0
	[[ "$stderr" == "sockt listen: -C changes what stdin sends, and --echo reads no stdin"* ]]
}

@test "connect -C sends a lone LF as CRLF and leaves CRLF alone: nc.openbsd receives a\\r\\nb\\r\\n" {
	port=$(free_port)
	spawn nc nc.openbsd -l 127.0.0.1 "$port"
	wait_listening "$port"
	printf 'a\nb\r\n' | "$SOCKT" connect -C 127.0.0.1 "$port"
	finished "$SPAWNED_PID"
	[ "$(od -An -c "$(tmp)/nc.out" | tr -s ' ')" = " a \r \n b \r \n" ]
}

@test "connect -C keeps a CRLF that two reads split, and a lone CR stays as it is (socat peer)" {
	port=$(free_port)
	socat_record "$port" "$(tmp)/got"
	# The CR and its LF come in two writes to the pipe, so in two reads as a rule.
	{ printf 'x\r'; sleep 0.2; printf '\ny\rz\n'; } | "$SOCKT" connect -C 127.0.0.1 "$port"
	finished "$SPID"
	printf 'x\r\ny\rz\r\n' | cmp - "$(tmp)/got"
}

@test "listen -C sends stdin's LFs as CRLF to a python3 client; the peer's bytes are untouched" {
	printf 'a\nb\r\n' >"$(tmp)/in"
	STDIN_FILE="$(tmp)/in" listen l -C 127.0.0.1 0
	tcp_client send 127.0.0.1 "$PORT" $'up\n' >"$(tmp)/c"
	finished "$LPID"
	[ "$EXIT_STATUS" -eq 0 ]
	printf 'a\r\nb\r\n' | cmp - "$(tmp)/c"
	printf 'up\n' | cmp - "$(tmp)/l.out"
}

@test "listen -k -C sends CRLF to every connection, and the dump shows the CRs sent" {
	mkfifo "$(tmp)/fifo"
	STDIN_FILE="$(tmp)/fifo" spawn l "$SOCKT" listen -v -k -C --dump "$(tmp)/d" 127.0.0.1 0
	LPID=$SPAWNED_PID
	exec 7>"$(tmp)/fifo"
	wait_for_line "$(tmp)/l.err" 'listening on'
	PORT=$(sed -n '1s/^sockt listen: listening on .* port \([0-9][0-9]*\)$/\1/p' "$(tmp)/l.err")
	# socat -u reads only: no FIN, which would end its connection before stdin's lines.
	spawn c1 timeout 10 socat -u "TCP:127.0.0.1:$PORT" -
	c1=$SPAWNED_PID
	spawn c2 timeout 10 socat -u "TCP:127.0.0.1:$PORT" -
	c2=$SPAWNED_PID
	for _ in $(seq 250); do
		[ "$(grep -c 'connection from' "$(tmp)/l.err")" -ge 2 ] && break
		sleep 0.02
	done
	printf 'HELO x\nQUIT\n' >&7
	exec 7>&-
	wait_exit "$c1"
	wait_exit "$c2"
	kill "$LPID"
	printf 'HELO x\r\nQUIT\r\n' | cmp - "$(tmp)/c1.out"
	printf 'HELO x\r\nQUIT\r\n' | cmp - "$(tmp)/c2.out"
	check_dump "$(tmp)/d"
	printf 'HELO x\r\nQUIT\r\n' | cmp - "$(tmp)/got/conn-1.sent"
	printf 'HELO x\r\nQUIT\r\n' | cmp - "$(tmp)/got/conn-2.sent"
}

@test "connect -C: the -v close summary counts the bytes sent with their CRs and those read" {
	tcp_server srv sha 127.0.0.1 0
	run -0 --separate-stderr "$SOCKT" -v connect -C 127.0.0.1 "$PORT" < <(printf 'a\nb\n\r\n')
	[ "$output" = "$(printf 'a\r\nb\r\n\r\n' | sha256sum | cut -d' ' -f1)" ]
	[[ "$stderr" == *"closed: 8 bytes sent (6 read, -C), 65 received, 65 written out in "* ]]
}

@test "connect -U --dump names a Unix socket's peer by its path, with no port" {
	printf 'over unix' >"$(tmp)/in"
	STDIN_FILE="$(tmp)/in" spawn l "$SOCKT" -v listen -U "$(tmp)/s"
	wait_for_line "$(tmp)/l.err" 'listening on'
	printf 'back' | "$SOCKT" connect -U --dump "$(tmp)/d" "$(tmp)/s" >"$(tmp)/out"
	[ "$(cat "$(tmp)/out")" = "over unix" ]
	grep -qx "# .* conn 1 $(tmp)/s > sent, offset 0, 4 bytes" "$(tmp)/d"
	check_dump "$(tmp)/d"
	[ "$(cat "$(tmp)/got/conn-1.sent")" = back ]
	[ "$(cat "$(tmp)/got/conn-1.received")" = "over unix" ]
	finished "$(cat "$(tmp)/l.pid")"
	[ "$EXIT_STATUS" -eq 0 ]
	[ "$(cat "$(tmp)/l.out")" = back ]
}
