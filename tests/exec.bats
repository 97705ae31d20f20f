#!/usr/bin/env bats
# exec.bats: --exec and --sh-exec (sockt-listen(1), Programs; sockt-connect(1)): a program per
# connection with the socket as its stdin and stdout, its environment, its exit status, the
# children counted against --max-conns and reaped, --max-time, and programs that cannot run.

load lib/common

bats_require_minimum_version 1.5.0

# nc_send HOST PORT TEXT: nc.openbsd sends TEXT, half-closes, prints the answer (10 s at most).
nc_send() {
	printf '%s\n' "$3" | timeout 10 nc.openbsd -N "$1" "$2"
}

# children PID: the processes PID is the parent of now (the kernel's list of them).
children() {
	cat "/proc/$1/task/$1/children" 2>/dev/null || true
}

# zombies PID: how many of PID's children have ended and were not reaped (their /proc state).
zombies() {
	local c n=0 st
	for c in $(children "$1"); do
		st=$(sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' "/proc/$c/status" 2>/dev/null)
		[ "$st" = Z ] && n=$((n + 1))
	done
	echo "$n"
}

@test "listen -k --exec runs the program with its arguments for each connection, the socket its stdin and stdout" {
	listen l -k --exec 'tr a-z A-Z' 127.0.0.1 0
	run -0 nc_send 127.0.0.1 "$PORT" "first"
	[ "$output" = FIRST ]
	run -0 nc_send 127.0.0.1 "$PORT" "second one"
	[ "$output" = "SECOND ONE" ]
	wait_for_line "$(tmp)/l.err" 'tr exited with status 0 after .*' 
	[ "$(grep -c 'tr exited with status 0 after ' "$(tmp)/l.err")" -ge 1 ]
	# Still serving: -k goes on after each program.
	kill -0 "$LPID"
}

@test "listen --exec splits its value on blanks with no shell: \$HOME and ; reach the program as they are" {
	listen l -k --exec 'echo  $HOME;	x' 127.0.0.1 0
	# nc sends nothing (-d) and waits for the answer; echo never reads.
	run -0 timeout 10 nc.openbsd -d 127.0.0.1 "$PORT"
	[ "$output" = '$HOME; x' ]
}

@test "listen --sh-exec runs a pipeline through /bin/sh -c, served to socat" {
	listen l -k --sh-exec 'tr a-z A-Z | rev' 127.0.0.1 0
	run -0 timeout 10 socat -t 5 - "TCP:127.0.0.1:$PORT" <<<"abc def"
	[ "$output" = "FED CBA" ]
}

@test "the program finds the peer's and the local address and port in its environment, under SOCKT_ and NCAT_ names" {
	listen l -k --sh-exec 'read x; echo "$SOCKT_PEER_ADDR $SOCKT_PEER_PORT $SOCKT_LOCAL_ADDR $SOCKT_LOCAL_PORT $NCAT_REMOTE_ADDR $NCAT_REMOTE_PORT $NCAT_LOCAL_ADDR $NCAT_LOCAL_PORT $NCAT_PROTO"' ::1 0
	run -0 nc_send ::1 "$PORT" ""
	peer_port=$(sed -n 's/^sockt listen: connection from ::1 port \([0-9]*\)$/\1/p' "$(tmp)/l.err")
	[ -n "$peer_port" ]
	[ "$output" = "::1 $peer_port ::1 $PORT ::1 $peer_port ::1 $PORT TCP" ]
}

@test "an IPv4 peer of a dual-stack listener is given to the program as IPv4, not ::ffff:" {
	listen l -k --sh-exec 'read x; echo "$SOCKT_PEER_ADDR $SOCKT_LOCAL_ADDR"' :: 0
	run -0 nc_send 127.0.0.1 "$PORT" ""
	[ "$output" = "127.0.0.1 127.0.0.1" ]
}

@test "-v says each program's exit status or signal; the connection's stderr is sockt's" {
	listen l -k --sh-exec 'read x; echo "to stderr: $x" >&2; [ "$x" = kill ] && kill -9 $$; exit 7' 127.0.0.1 0
	run -0 nc_send 127.0.0.1 "$PORT" "seven"
	run -0 nc_send 127.0.0.1 "$PORT" "kill"
	wait_for_line "$(tmp)/l.err" 'sh killed by SIGKILL after '
	wait_for_line "$(tmp)/l.err" 'sh exited with status 7 after '
	grep -q '^to stderr: seven$' "$(tmp)/l.err"
	grep -Eq '^sockt listen: 127\.0\.0\.1 port [0-9]+: sh exited with status 7 after [0-9]+\.[0-9]{3} s$' "$(tmp)/l.err" || { cat "$(tmp)/l.err"; false; }
}

@test "listen without -k: status 0 when the program exited 0, 1 with an error line when it did not" {
	listen l --sh-exec 'cat; exit 0' 127.0.0.1 0
	run -0 nc_send 127.0.0.1 "$PORT" "once"
	[ "$output" = once ]
	finished "$LPID"
	[ "$EXIT_STATUS" -eq 0 ]
	listen l2 --sh-exec 'exit 3' 127.0.0.1 0
	run -0 nc_send 127.0.0.1 "$PORT" ""
	finished "$LPID"
	[ "$EXIT_STATUS" -eq 1 ]
	grep -Eq '^sockt listen: 127\.0\.0\.1 port [0-9]+: sh exited with status 3 after ' "$(tmp)/l2.err"
}

@test "200 connections under --max-conns 16: never more than 16 programs at once, every one served, none left a zombie" {
	listen l -k --max-conns 16 --backlog 256 --sh-exec 'read x; sleep 0.05; echo "ok $x"' 127.0.0.1 0
	cat >"$(tmp)/many.py" <<'PY'
import socket, sys, threading
port, ok = int(sys.argv[1]), []
def one(i):
    s = socket.create_connection(("127.0.0.1", port), timeout=30)
    s.sendall(b"%d\n" % i)
    s.shutdown(socket.SHUT_WR)
    data = b""
    while True:
        b = s.recv(100)
        if not b:
            break
        data += b
    if data == b"ok %d\n" % i:
        ok.append(i)
threads = [threading.Thread(target=one, args=(i,)) for i in range(200)]
for t in threads:
    t.start()
for t in threads:
    t.join(40)
print(len(ok))
PY
	timeout 60 python3 "$(tmp)/many.py" "$PORT" >"$(tmp)/served" &
	cpid=$!
	max=0
	for _ in $(seq 600); do
		kill -0 "$cpid" 2>/dev/null || break
		n=$(children "$LPID" | wc -w)
		[ "$n" -gt "$max" ] && max=$n
		sleep 0.005
	done
	wait "$cpid"
	[ "$(cat "$(tmp)/served")" = 200 ]
	echo "most programs at once: $max"
	[ "$max" -le 16 ]
	[ "$max" -ge 2 ]
	for _ in $(seq 100); do
		[ "$(grep -c 'sh exited with status 0' "$(tmp)/l.err")" -ge 200 ] && break
		sleep 0.05
	done
	[ "$(grep -c 'sh exited with status 0' "$(tmp)/l.err")" -eq 200 ]
	[ "$(zombies "$LPID")" -eq 0 ]
	[ -z "$(children "$LPID")" ]
}

@test "a program that exits at once closes its connection, and -k serves the next" {
	listen l -k --exec true 127.0.0.1 0
	run -0 tcp_client hold 127.0.0.1 "$PORT"
	[ "$output" = EOF ]
	run -0 tcp_client hold 127.0.0.1 "$PORT"
	[ "$output" = EOF ]
	wait_for_line "$(tmp)/l.err" 'true exited with status 0'
	[ "$(zombies "$LPID")" -eq 0 ]
}

@test "a program that never reads is ended by --max-time: SIGTERM, and the connection closes" {
	listen l -k --max-time 1s --exec 'sleep 30' 127.0.0.1 0
	start=$(date +%s)
	run -0 timeout 15 python3 "$TESTLIB/tcp_client.py" hold 127.0.0.1 "$PORT"
	[ "$output" = EOF ]
	[ $(($(date +%s) - start)) -le 5 ]
	wait_for_line "$(tmp)/l.err" 'sleep killed by SIGTERM after '
	listen l2 --max-time 500ms --exec 'sleep 30' 127.0.0.1 0
	printf 'unread\n' | timeout 10 nc.openbsd -N 127.0.0.1 "$PORT" || true
	finished "$LPID"
	[ "$EXIT_STATUS" -eq 1 ]
	grep -q 'sleep ended after --max-time' "$(tmp)/l2.err"
}

@test "a program that is not there is an error with its errno and a hint, status 4, before listening" {
	run -4 "$SOCKT" listen --exec 'no-such-program-here -x' 127.0.0.1 0
	[ "${lines[0]}" = "sockt listen: --exec no-such-program-here: No such file or directory [ENOENT, errno 2]" ]
	[[ "${lines[1]}" == "sockt listen: hint: no 'no-such-program-here' in PATH; "*"--sh-exec"* ]]
	[[ "$output" != *"listening on"* ]]
	printf 'echo hi\n' >"$(tmp)/script"
	chmod 644 "$(tmp)/script"
	run -4 "$SOCKT" connect --exec "$(tmp)/script" 127.0.0.1 9
	[[ "${lines[0]}" == *"--exec $(tmp)/script: Permission denied [EACCES, errno 13]" ]]
	[[ "${lines[1]}" == *"hint: "*"not executable"* ]]
}

@test "connect --exec talks to a python server through the program; its status follows the program's" {
	tcp_server s echo 127.0.0.1 0
	run -0 "$SOCKT" connect -v --sh-exec 'echo ping; read x; echo "got $x from $SOCKT_PEER_ADDR port $SOCKT_PEER_PORT" >&2' 127.0.0.1 "$PORT"
	[[ "$output" == *"got ping from 127.0.0.1 port $PORT"* ]]
	[[ "$output" == *"sh exited with status 0 after "* ]]
	tcp_server s2 say 127.0.0.1 0 hello
	run -1 "$SOCKT" connect --sh-exec 'read x; [ "$x" = bye ]' 127.0.0.1 "$PORT"
	[[ "$output" == *"sh exited with status 1 after "* ]]
}

@test "--exec takes no relay option, one program, a value with a word, and no Unix socket" {
	run -2 "$SOCKT" listen --exec cat --echo 127.0.0.1 0
	[ "${lines[0]}" = "sockt listen: --echo applies to the relay, not to --exec" ]
	run -2 "$SOCKT" listen --exec cat --sh-exec cat 127.0.0.1 0
	[ "${lines[0]}" = "sockt listen: --exec and --sh-exec: one program per connection" ]
	run -2 "$SOCKT" listen --exec ' ' 127.0.0.1 0
	[ "${lines[0]}" = "sockt listen: --exec needs a program: the value is empty" ]
	run -2 "$SOCKT" connect -z --exec cat 127.0.0.1 9
	[ "${lines[0]}" = "sockt connect: -z applies to a relay, not to --exec" ]
	# The program gets the raw socket: nothing of the relay's taps or TLS.
	run -2 "$SOCKT" listen --exec cat --dump - 127.0.0.1 0
	[ "${lines[0]}" = "sockt listen: --dump applies to the relay, not to --exec" ]
	run -2 "$SOCKT" connect --exec cat -C 127.0.0.1 9
	[ "${lines[0]}" = "sockt connect: -C applies to a relay, not to --exec" ]
	# A Unix socket's peer has no address to give the program.
	run -2 "$SOCKT" listen -U "$(tmp)/s" --exec cat
	[ "${lines[0]}" = "sockt listen: --exec applies to TCP, not to -U" ]
	run -2 "$SOCKT" connect -U "$(tmp)/s" --sh-exec cat
	[ "${lines[0]}" = "sockt connect: --sh-exec applies to TCP, not to -U" ]
}

@test "SIGTERM to sockt is passed on to its programs; each is reaped, then sockt ends with 143" {
	listen l -k --exec 'sleep 30' 127.0.0.1 0
	spawn c1 timeout 20 nc.openbsd 127.0.0.1 "$PORT"
	spawn c2 timeout 20 nc.openbsd 127.0.0.1 "$PORT"
	for _ in $(seq 250); do
		[ "$(children "$LPID" | wc -w)" -eq 2 ] && break
		sleep 0.02
	done
	kids=$(children "$LPID")
	[ "$(wc -w <<<"$kids")" -eq 2 ]
	kill -TERM "$LPID"
	finished "$LPID"
	[ "$EXIT_STATUS" -eq 143 ]
	for k in $kids; do
		[ ! -e "/proc/$k" ]
	done
	[ "$(grep -c 'sleep killed by SIGTERM' "$(tmp)/l.err")" -eq 2 ]
	# Without -k the one program is passed the signal too.
	listen l2 --exec 'sleep 30' 127.0.0.1 0
	spawn c3 timeout 20 nc.openbsd 127.0.0.1 "$PORT"
	wait_for_line "$(tmp)/l2.err" 'started sleep 30'
	kill -TERM "$LPID"
	finished "$LPID"
	[ "$EXIT_STATUS" -eq 143 ]
	grep -q 'sleep killed by SIGTERM' "$(tmp)/l2.err"
}
