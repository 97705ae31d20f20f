#!/usr/bin/env bats
# listen.bats: sockt-listen(1) with real clients (python3 sockets, socat, nc.openbsd) on
# 127.0.0.1 and ::1: the relay and its half-close, 64 MiB each way, -k, --echo, timeouts,
# --linger 0, and bind failures.
# The restart tests count TIME_WAIT sockets on their port: no other file may share it.
# run-bats: own network namespace

load lib/common

bats_require_minimum_version 1.5.0

setup_file() {
	# 64 MiB of noise, made once for the file's big transfers.
	big_file "$BATS_FILE_TMPDIR/big"
}

# client MODE HOST PORT [ARG]: tests/lib/tcp_client.py, one python3 TCP client of sockt listen.
client() {
	tcp_client "$@"
}

# listen_fifo NAME ARGS...: as listen, with stdin from a fifo whose writing end is fd 7
# here (clients started in the background must close it: 7>&-).
listen_fifo() {
	local name=$1
	shift
	mkfifo "$(tmp)/fifo"
	STDIN_FILE="$(tmp)/fifo" spawn "$name" "$SOCKT" listen -v "$@"
	LPID=$SPAWNED_PID
	exec 7>"$(tmp)/fifo"
	wait_for_line "$(tmp)/$name.err" 'listening on'
	PORT=$(sed -n '1s/^sockt listen: listening on .* port \([0-9][0-9]*\)$/\1/p' "$(tmp)/$name.err")
	[ -n "$PORT" ]
}

# wait_accepted N: until listen (stderr in $(tmp)/l.err) has said "connection from" N
# times, for 5 s at most; the test's own assertions tell what a shortfall means.
wait_accepted() {
	for _ in $(seq 250); do
		[ "$(grep -c 'connection from' "$(tmp)/l.err")" -ge "$1" ] && return 0
		sleep 0.02
	done
}

@test "listen: -v announces a kernel-chosen port on the first stderr line" {
	listen l 0
	run -0 head -n1 "$(tmp)/l.err"
	[[ "$output" =~ ^"sockt listen: listening on :: port "[0-9]+$ ]]
	[ "$PORT" -gt 0 ]
}

@test "listen: relays both ways with an nc.openbsd client on 127.0.0.1" {
	echo "from sockt" >"$(tmp)/in"
	STDIN_FILE="$(tmp)/in" listen l 0
	run -0 --separate-stderr nc.openbsd -N 127.0.0.1 "$PORT" <<<"from nc"
	[ "$output" = "from sockt" ]
	finished "$LPID"
	[ "$EXIT_STATUS" -eq 0 ]
	[ "$(cat "$(tmp)/l.out")" = "from nc" ]
	grep -q '^sockt listen: connection from 127.0.0.1 port [0-9]*$' "$(tmp)/l.err"
}

@test "listen: dual-stack by default: a client on ::1 is served too" {
	echo "to v6" >"$(tmp)/in"
	STDIN_FILE="$(tmp)/in" listen l 0
	run -0 client send ::1 "$PORT" "from v6"
	[ "$output" = "to v6" ]
	finished "$LPID"
	[ "$EXIT_STATUS" -eq 0 ]
	[ "$(cat "$(tmp)/l.out")" = "from v6" ]
	grep -q '^sockt listen: connection from ::1 port [0-9]*$' "$(tmp)/l.err"
}

@test "listen: a HOST binds that address only" {
	listen l 127.0.0.1 0
	grep -q "^sockt listen: listening on 127.0.0.1 port $PORT\$" "$(tmp)/l.err"
	run -0 client refused ::1 "$PORT"
	[ "$output" = refused ]
}

@test "listen: half-close: stdin EOF shuts down the sending side and the answer still arrives" {
	printf 'question' >"$(tmp)/in"
	STDIN_FILE="$(tmp)/in" listen l 0
	run -0 client after-eof 127.0.0.1 "$PORT"
	finished "$LPID"
	[ "$EXIT_STATUS" -eq 0 ]
	[ "$(cat "$(tmp)/l.out")" = "got 8 bytes" ]
	grep -q 'closed: 8 bytes sent, 12 received, 12 written out in [0-9.]* s; this side closed first and will hold TIME_WAIT$' "$(tmp)/l.err"
}

@test "listen: -v says when the peer closed first" {
	listen_fifo l 0
	client send 127.0.0.1 "$PORT" "peer data" >"$(tmp)/c" 7>&- &
	c1=$!
	wait_for_line "$(tmp)/l.out" 'peer data'
	# The peer's FIN is in; sockt still waits for its own stdin to end.
	kill -0 "$LPID"
	echo late >&7
	exec 7>&-
	finished "$LPID"
	[ "$EXIT_STATUS" -eq 0 ]
	wait "$c1"
	[ "$(cat "$(tmp)/c")" = late ]
	grep -q 'closed: 5 bytes sent, 9 received, 9 written out in [0-9.]* s; the peer closed first' "$(tmp)/l.err"
}

@test "listen: 64 MiB from a socat client arrive with the same sha256" {
	listen l 0
	socat -u "FILE:$BATS_FILE_TMPDIR/big" "TCP:127.0.0.1:$PORT"
	finished "$LPID" 30
	[ "$EXIT_STATUS" -eq 0 ]
	[ "$(sha256sum <"$(tmp)/l.out" | cut -d' ' -f1)" = "$(cat "$BATS_FILE_TMPDIR/big.sha")" ]
}

@test "listen: 64 MiB from stdin reach an nc.openbsd client on ::1 with the same sha256" {
	STDIN_FILE="$BATS_FILE_TMPDIR/big" listen l 0
	sum=$(nc.openbsd -N ::1 "$PORT" </dev/null | sha256sum | cut -d' ' -f1)
	finished "$LPID" 30
	[ "$EXIT_STATUS" -eq 0 ]
	[ "$sum" = "$(cat "$BATS_FILE_TMPDIR/big.sha")" ]
}

@test "listen: 64 MiB into a file opened for appending (the buffered path) keep their sha256" {
	# splice(2) refuses O_APPEND files: this takes the read/write path with its 256 KiB buffer.
	spawn l sh -c 'exec "$0" listen -v 0 </dev/null >>"$1"' "$SOCKT" "$(tmp)/appended"
	LPID=$SPAWNED_PID
	wait_for_line "$(tmp)/l.err" 'listening on'
	PORT=$(sed -n '1s/.* port //p' "$(tmp)/l.err")
	socat -u "FILE:$BATS_FILE_TMPDIR/big" "TCP:127.0.0.1:$PORT"
	finished "$LPID" 30
	[ "$EXIT_STATUS" -eq 0 ]
	[ "$(sha256sum <"$(tmp)/appended" | cut -d' ' -f1)" = "$(cat "$BATS_FILE_TMPDIR/big.sha")" ]
}

@test "listen: 64 MiB both ways at once through pipes keep their sha256" {
	# Pipes on both ends: the splice path from a pipe and into a pipe.
	listen_pipe() {
		cat "$BATS_FILE_TMPDIR/big" | "$SOCKT" listen -v 0 2>"$(tmp)/l.err" |
		    sha256sum | cut -d' ' -f1 >"$(tmp)/l.sum"
	}
	listen_pipe &
	lp=$!
	wait_for_line "$(tmp)/l.err" 'listening on'
	PORT=$(sed -n '1s/.* port //p' "$(tmp)/l.err")
	sum=$(client both 127.0.0.1 "$PORT" "$BATS_FILE_TMPDIR/big" | sha256sum | cut -d' ' -f1)
	wait "$lp"
	[ "$sum" = "$(cat "$BATS_FILE_TMPDIR/big.sha")" ]
	[ "$(cat "$(tmp)/l.sum")" = "$(cat "$BATS_FILE_TMPDIR/big.sha")" ]
}

@test "listen: a closed stdout (| head -c 10) ends quietly with status 0" {
	(
		"$SOCKT" listen -v 0 </dev/null 2>"$(tmp)/l.err" | head -c 10 >"$(tmp)/head.out"
		echo "${PIPESTATUS[0]}" >"$(tmp)/status"
	) &
	wait_for_line "$(tmp)/l.err" 'listening on'
	PORT=$(sed -n '1s/.* port //p' "$(tmp)/l.err")
	socat -u "FILE:$BATS_FILE_TMPDIR/big" "TCP:127.0.0.1:$PORT" 2>/dev/null || true
	wait_for_line "$(tmp)/status" . 10
	[ "$(cat "$(tmp)/status")" -eq 0 ]
	[ "$(wc -c <"$(tmp)/head.out")" -eq 10 ]
	run ! grep -q EPIPE "$(tmp)/l.err"
}

@test "listen: -k --echo serves 16 concurrent python clients" {
	listen l -k --echo 0
	run -0 client echo-many 127.0.0.1 "$PORT" 16
	[ "$output" = "16 of 16 echoed" ]
	[ "$(grep -c 'connection from 127.0.0.1' "$(tmp)/l.err")" -eq 16 ]
	[ ! -s "$(tmp)/l.out" ]
}

@test "listen: --echo without -k echoes one connection and exits 0" {
	listen l --echo 0
	run -0 client send ::1 "$PORT" "ping pong"
	[ "$output" = "ping pong" ]
	finished "$LPID"
	[ "$EXIT_STATUS" -eq 0 ]
}

@test "listen: -k sends stdin to every client and writes each client's data to stdout" {
	listen_fifo l -k 0
	client line 127.0.0.1 "$PORT" "from one
" >"$(tmp)/c1" 7>&- &
	c1=$!
	client line ::1 "$PORT" "from two
" >"$(tmp)/c2" 7>&- &
	c2=$!
	wait_accepted 2
	echo "to all" >&7
	wait "$c1" "$c2"
	[ "$(cat "$(tmp)/c1")" = "to all" ]
	[ "$(cat "$(tmp)/c2")" = "to all" ]
	wait_for_line "$(tmp)/l.out" 'from two'
	wait_for_line "$(tmp)/l.out" 'from one'
	exec 7>&-
	kill -0 "$LPID"
}

@test "listen: --max-conns holds further clients in the backlog until one leaves" {
	listen_fifo l -k --max-conns 1 0
	client line 127.0.0.1 "$PORT" "first
" >"$(tmp)/c1" 7>&- &
	c1=$!
	wait_for_line "$(tmp)/l.err" 'connection from'
	client line 127.0.0.1 "$PORT" "second
" >"$(tmp)/c2" 7>&- &
	c2=$!
	echo "one" >&7
	wait_for_line "$(tmp)/c1" one
	wait_for_line "$(tmp)/l.out" first
	# The first has gone: the second is accepted now, and gets the next line.
	wait_accepted 2
	echo "two" >&7
	wait "$c1" "$c2"
	[ "$(cat "$(tmp)/c2")" = "two" ]
	exec 7>&-
}

@test "listen: without -k a second client is refused" {
	listen l 0
	client hold 127.0.0.1 "$PORT" >"$(tmp)/c1" 7>&- &
	c1=$!
	wait_for_line "$(tmp)/l.err" 'connection from'
	run -0 client refused 127.0.0.1 "$PORT"
	[ "$output" = refused ]
}

@test "listen: --recv-only leaves stdin unread and sends nothing" {
	echo "secret" >"$(tmp)/in"
	STDIN_FILE="$(tmp)/in" listen l --recv-only 0
	run -0 nc.openbsd -N 127.0.0.1 "$PORT" <<<"hi"
	[ -z "$output" ]
	finished "$LPID"
	[ "$EXIT_STATUS" -eq 0 ]
	[ "$(cat "$(tmp)/l.out")" = "hi" ]
}

@test "listen: --send-only writes nothing to stdout" {
	echo "data" >"$(tmp)/in"
	STDIN_FILE="$(tmp)/in" listen l --send-only 0
	run -0 nc.openbsd -N 127.0.0.1 "$PORT" <<<"hi"
	[ "$output" = "data" ]
	finished "$LPID"
	[ "$EXIT_STATUS" -eq 0 ]
	[ ! -s "$(tmp)/l.out" ]
}

@test "listen: --no-shutdown keeps the connection open at stdin EOF" {
	listen l --no-shutdown 0
	run -0 client no-eof 127.0.0.1 "$PORT" 0.5
	[ "$output" = open ]
	finished "$LPID"
	[ "$EXIT_STATUS" -eq 0 ]
	[ "$(cat "$(tmp)/l.out")" = "bye" ]
	# and by default the EOF comes at once
	listen l2 0
	run -0 client no-eof 127.0.0.1 "$PORT" 5
	[ "$output" = eof ]
}

@test "listen: a peer reset is status 1 with ECONNRESET" {
	listen_fifo l 0
	client reset 127.0.0.1 "$PORT"
	finished "$LPID"
	exec 7>&-
	[ "$EXIT_STATUS" -eq 1 ]
	grep -q '^sockt listen: receive from 127.0.0.1 port [0-9]* (tcp): Connection reset by peer \[ECONNRESET, errno 104\]$' "$(tmp)/l.err"
}

@test "listen: -w with no connection is status 1 with a clear line" {
	run -1 --separate-stderr "$SOCKT" listen -w 300ms 127.0.0.1 0
	[ "$stderr" = "sockt listen: no connection within 300 ms" ]
	run -1 --separate-stderr "$SOCKT" listen -k --echo -w 0.2 127.0.0.1 0
	[ "$stderr" = "sockt listen: no connection within 200 ms" ]
}

@test "listen: -i closes a silent connection with status 1" {
	listen_fifo l -i 300ms 0
	run -0 client hold 127.0.0.1 "$PORT"
	[ "$output" = EOF ]
	finished "$LPID"
	exec 7>&-
	[ "$EXIT_STATUS" -eq 1 ]
	grep -q '^sockt listen: 127.0.0.1 port [0-9]*: idle for 300 ms: connection closed$' "$(tmp)/l.err"
}

@test "listen: --linger 0 ends with RST and leaves no TIME_WAIT where a normal close leaves one" {
	printf 'q' >"$(tmp)/in"
	STDIN_FILE="$(tmp)/in" listen l 127.0.0.1 0
	client after-eof 127.0.0.1 "$PORT"
	finished "$LPID"
	run -0 ss -Htan state time-wait "( sport = :$PORT )"
	[ -n "$output" ]
	# No FIN at stdin EOF: the client sees no EOF, and its answer still arrives.
	STDIN_FILE="$(tmp)/in" listen l0 --linger 0 127.0.0.1 0
	run -0 client no-eof 127.0.0.1 "$PORT" 0.5
	[ "$output" = open ]
	finished "$LPID"
	[ "$EXIT_STATUS" -eq 0 ]
	[ "$(cat "$(tmp)/l0.out")" = bye ]
	run -0 ss -Htan state time-wait "( sport = :$PORT )"
	[ -z "$output" ]
	grep -q 'closed: 1 byte sent, 4 received, 4 written out in [0-9.]* s; this side closed first, with RST (--linger 0): no TIME_WAIT$' "$(tmp)/l0.err"
}

# dual_hosts: hosts.v4first and hosts.v6first, where dual.test is 127.0.0.1 and ::1.
dual_hosts() {
	printf '127.0.0.1 dual.test\n::1 dual.test\n' >"$(tmp)/hosts.v4first"
	printf '::1 dual.test\n127.0.0.1 dual.test\n' >"$(tmp)/hosts.v6first"
}

@test "listen: a name with two addresses takes clients on both, whatever the hosts file's order" {
	dual_hosts
	for order in v4first v6first; do
		for addr in 127.0.0.1 ::1; do
			echo "to $addr" >"$(tmp)/in"
			STDIN_FILE="$(tmp)/in" spawn l with_hosts "$(tmp)/hosts.$order" "$SOCKT" listen -v dual.test 0
			wait_for_line "$(tmp)/l.err" '^sockt listen: listening on 127\.0\.0\.1 port [0-9]+$'
			wait_for_line "$(tmp)/l.err" '^sockt listen: listening on ::1 port [0-9]+$'
			PORT=$(sed -n 's/^sockt listen: listening on 127.0.0.1 port //p' "$(tmp)/l.err")
			grep -q "^sockt listen: listening on ::1 port $PORT\$" "$(tmp)/l.err"
			run -0 client send "$addr" "$PORT" "from $addr"
			[ "$output" = "to $addr" ]
			finished "$SPAWNED_PID"
			[ "$EXIT_STATUS" -eq 0 ]
			[ "$(cat "$(tmp)/l.out")" = "from $addr" ]
			grep -q "^sockt listen: connection from $addr port [0-9]*\$" "$(tmp)/l.err"
		done
	done
}

@test "listen: a name whose IPv4 address is in use is EADDRINUSE, not IPv6 alone" {
	dual_hosts
	listen holder 127.0.0.1 0
	run -4 --separate-stderr with_hosts "$(tmp)/hosts.v6first" "$SOCKT" listen -w 0.1 dual.test "$PORT"
	[ "${stderr_lines[0]}" = "sockt listen: bind to 127.0.0.1 port $PORT (tcp): Address already in use [EADDRINUSE, errno 98]" ]
}

@test "listen: EADDRINUSE is status 4 with the errno name and a hint" {
	listen holder 127.0.0.1 0
	run -4 --separate-stderr "$SOCKT" listen 127.0.0.1 "$PORT"
	[ "${stderr_lines[0]}" = "sockt listen: bind to 127.0.0.1 port $PORT (tcp): Address already in use [EADDRINUSE, errno 98]" ]
	[[ "${stderr_lines[1]}" == "sockt listen: hint: "* ]]
}

@test "listen: EACCES on a low port as an unprivileged user is status 4 with a hint" {
	require_root
	[ "$(sysctl -n net.ipv4.ip_unprivileged_port_start)" -gt 1 ] || skip "ports below 1024 are not privileged here"
	run -4 --separate-stderr setpriv --reuid=65534 --regid=65534 --clear-groups "$SOCKT" listen 127.0.0.1 1
	[ "${stderr_lines[0]}" = "sockt listen: bind to 127.0.0.1 port 1 (tcp): Permission denied [EACCES, errno 13]" ]
	[[ "${stderr_lines[1]}" == "sockt listen: hint: ports below 1024 need root"* ]]
}

@test "listen: bad arguments are status 2 naming the argument" {
	run -2 "$SOCKT" listen 70000
	[[ "$output" == *"invalid port '70000'"* ]]
	run -2 "$SOCKT" listen --linger 5 0
	[[ "$output" == *"invalid linger '5' for --linger: must be 0"* ]]
	run -2 "$SOCKT" listen --recv-only --send-only 0
	[[ "$output" == *"exclude each other"* ]]
	run -2 "$SOCKT" listen --max-conns 0 -k 0
	[[ "$output" == *"invalid number '0' for --max-conns: must be 1-65536"* ]]
	run -2 "$SOCKT" listen
	[[ "$output" == *"missing PORT"* ]]
	run -2 "$SOCKT" listen 127.0.0.1 0 extra
	[[ "$output" == *"unexpected argument 'extra'"* ]]
}

peer_tool() {
	python3 "$BATS_TEST_DIRNAME/lib/relay_peer.py" "$@"
}

@test "listen: --linger 0 writes out all 5 MB of a peer that half-closes first" {
	listen l --linger 0 127.0.0.1 0
	run -0 peer_tool send 127.0.0.1 "$PORT" 5000000
	# No FIN from this side at stdin EOF: the RST ends it once the peer is done.
	[ "$output" = RST ]
	finished "$LPID"
	[ "$EXIT_STATUS" -eq 0 ]
	[ "$(wc -c <"$(tmp)/l.out")" -eq 5000000 ]
}

@test "listen: -k --linger 0 with stdin at EOF writes out all of each client's 1 MB" {
	listen l -k --linger 0 127.0.0.1 0
	run -0 peer_tool send 127.0.0.1 "$PORT" 1000000
	[ "$output" = RST ]
	run -0 peer_tool send 127.0.0.1 "$PORT" 1000000
	for _ in $(seq 250); do
		[ "$(grep -c 'closed: 0 bytes sent, 1000000 received, 1000000 written out' "$(tmp)/l.err")" -eq 2 ] && break
		sleep 0.02
	done
	[ "$(wc -c <"$(tmp)/l.out")" -eq 2000000 ]
}

@test "listen: -k -i does not close a client that sends while stdout is stalled" {
	mkfifo "$(tmp)/outfifo"
	(sleep 2.5; cat >"$(tmp)/got") <"$(tmp)/outfifo" &
	reader=$!
	echo "$reader" >>"$(tmp)/.pids"
	"$SOCKT" -v listen -k -i 1 127.0.0.1 0 </dev/null >"$(tmp)/outfifo" 2>"$(tmp)/l.err" &
	LPID=$!
	echo "$LPID" >>"$(tmp)/.pids"
	wait_for_line "$(tmp)/l.err" 'listening on'
	PORT=$(sed -n '1s/^sockt listen: listening on .* port \([0-9][0-9]*\)$/\1/p' "$(tmp)/l.err")
	run -0 peer_tool send 127.0.0.1 "$PORT" 3000000
	wait_for_line "$(tmp)/l.err" 'closed: ' 10
	kill "$LPID"
	wait_exit "$reader"
	[ "$(wc -c <"$(tmp)/got")" -eq 3000000 ]
	! grep -q idle "$(tmp)/l.err"
}

@test "listen: stdout closes at the peer's EOF with stdin a fifo held open; the sender's end ends it" {
	mkfifo "$(tmp)/in"
	bash -c '"$0" -v listen 127.0.0.1 0 <"$1/in" 2>"$1/l.err" |
		(cat >"$1/got"; echo closed >"$1/marker")' "$SOCKT" "$(tmp)" &
	pipeline=$!
	echo "$pipeline" >>"$(tmp)/.pids"
	exec 7>"$(tmp)/in"
	wait_for_line "$(tmp)/l.err" 'listening on'
	PORT=$(sed -n '1s/^sockt listen: listening on .* port \([0-9][0-9]*\)$/\1/p' "$(tmp)/l.err")
	printf 'payload' >"$(tmp)/payload"
	nc.openbsd -N 127.0.0.1 "$PORT" <"$(tmp)/payload" >"$(tmp)/nc.out" 7>&- &
	ncpid=$!
	wait_for_line "$(tmp)/marker" closed
	[ "$(cat "$(tmp)/got")" = payload ]
	echo "reply" >&7
	exec 7>&-
	wait_exit "$pipeline"
	[ "$EXIT_STATUS" -eq 0 ]
	wait "$ncpid"
	[ "$(cat "$(tmp)/nc.out")" = reply ]
}

@test "listen: with a terminal as stdin, listen | reader ends once the sender is done" {
	run -0 timeout 10 python3 - "$SOCKT" <<-'PY'
	import os, pty, socket, subprocess, sys, time
	master, slave = pty.openpty()
	p = subprocess.Popen([sys.argv[1], "-v", "listen", "127.0.0.1", "0"], stdin=slave,
	    stdout=subprocess.PIPE, stderr=subprocess.PIPE)
	port = int(p.stderr.readline().split()[-1])
	c = socket.create_connection(("127.0.0.1", port))
	c.sendall(b"archive")
	c.shutdown(socket.SHUT_WR)
	out = p.stdout.read()
	p.wait(timeout=5)
	print(out.decode(), p.returncode, c.recv(10) == b"")
	PY
	[ "$output" = "archive 0 True" ]
}

@test "listen: -k --max-queue closes a client that never reads, naming it; the others get everything" {
	head -c 32M /dev/urandom >"$(tmp)/data"
	# stdin comes at about 50 MB/s, so a reader that does read is never 16 MiB
	# behind unless it stops for a third of a second, while the one that never
	# reads falls that far behind within half a second.
	listen_fifo l -k --max-queue 16M 127.0.0.1 0
	python3 - "$PORT" "$(tmp)" 7>&- <<-'PY' &
	import os, socket, sys, time
	port, d = int(sys.argv[1]), sys.argv[2]
	stalled = socket.socket()
	stalled.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
	stalled.connect(("127.0.0.1", port))
	open(d + "/stalled.port", "w").write(str(stalled.getsockname()[1]))
	end = time.monotonic() + 30
	while not os.path.exists(d + "/done") and time.monotonic() < end:
	    time.sleep(0.1)
	stalled.close()
	PY
	stalled_pid=$!
	echo "$stalled_pid" >>"$(tmp)/.pids"
	socat -u TCP:127.0.0.1:"$PORT" "$(tmp)/fast0" 7>&- &
	fast0=$!
	socat -u TCP:127.0.0.1:"$PORT" "$(tmp)/fast1" 7>&- &
	fast1=$!
	wait_accepted 3
	python3 - "$(tmp)/data" <<-'PY'
	import sys, time
	with open(sys.argv[1], "rb") as f, open(7, "wb", buffering=0) as out:
	    while b := f.read(524288):
	        out.write(b)
	        time.sleep(0.01)
	PY
	exec 7>&-
	wait "$fast0" "$fast1"
	touch "$(tmp)/done"
	wait "$stalled_pid"
	cmp "$(tmp)/data" "$(tmp)/fast0"
	cmp "$(tmp)/data" "$(tmp)/fast1"
	stalled=$(cat "$(tmp)/stalled.port")
	grep -Eq "^sockt listen: 127.0.0.1 port $stalled: did not take [0-9]+ bytes of stdin \(--max-queue 16777216\): connection closed$" "$(tmp)/l.err"
}

@test "listen: -k --max-time serves a real client among 200 trickling ones within a bounded time" {
	listen l -k --backlog 512 --max-time 1 127.0.0.1 0
	peer_tool trickle 127.0.0.1 "$PORT" 200 8 >"$(tmp)/trickle" &
	trickle=$!
	echo "$trickle" >>"$(tmp)/.pids"
	wait_accepted 64
	sleep 0.5
	run -0 timeout 12 python3 "$BATS_TEST_DIRNAME/lib/relay_peer.py" real 127.0.0.1 "$PORT" hello
	echo "# the real client waited $output s behind 200 trickling clients" >&3
	grep -q hello "$(tmp)/l.out"
	grep -Eq '^sockt listen: 127.0.0.1 port [0-9]+: open for 1 s \(--max-time\): connection closed$' "$(tmp)/l.err"
	# At most 64 at once, 1 s each: 200 tricklers ahead of it pass in about 4 s.
	awk -v t="$output" 'BEGIN { exit !(t < 10) }'
	wait "$trickle"
}

# served_once ARGS...: `sockt listen -v ARGS 127.0.0.1 0` serves one python client and
# exits 0, leaving its side of the connection in TIME_WAIT on $PORT (sockt closes first:
# the client answers only after sockt's FIN).
served_once() {
	printf 'q' >"$(tmp)/q"
	STDIN_FILE="$(tmp)/q" listen l "$@" 127.0.0.1 0
	run -0 client after-eof 127.0.0.1 "$PORT"
	finished "$LPID"
	[ "$EXIT_STATUS" -eq 0 ]
	[ "$(cat "$(tmp)/l.out")" = "got 1 bytes" ]
	grep -q 'this side closed first and will hold TIME_WAIT$' "$(tmp)/l.err"
	run -0 ss -Htan state time-wait "( sport = :$PORT )"
	[ -n "$output" ]
}

@test "listen: restarts at once on the port it just served (SO_REUSEADDR by default)" {
	served_once
	# The same port again, at once: it binds, and serves a real client (nc.openbsd).
	printf 'welcome back\n' >"$(tmp)/in"
	STDIN_FILE="$(tmp)/in" listen l2 127.0.0.1 "$PORT"
	run -0 timeout 5 nc.openbsd -N 127.0.0.1 "$PORT" <<<"again"
	[ "$output" = "welcome back" ]
	finished "$LPID"
	[ "$EXIT_STATUS" -eq 0 ]
	[ "$(cat "$(tmp)/l2.out")" = again ]
	# --reuseaddr is still accepted, as the default it now names.
	run -1 --separate-stderr "$SOCKT" listen --reuseaddr -w 0.1 127.0.0.1 "$PORT"
	[ "$stderr" = "sockt listen: no connection within 100 ms" ]
}

@test "listen: --no-reuseaddr meets TIME_WAIT: EADDRINUSE, status 4, a hint to leave it out" {
	served_once
	run -4 --separate-stderr "$SOCKT" listen --no-reuseaddr -w 1 127.0.0.1 "$PORT"
	[ "${#stderr_lines[@]}" -eq 2 ]
	[ "${stderr_lines[0]}" = "sockt listen: bind to 127.0.0.1 port $PORT (tcp): Address already in use [EADDRINUSE, errno 98]" ]
	[[ "${stderr_lines[1]}" =~ ^"sockt listen: hint: 1 connection on port $PORT is in TIME_WAIT and leaves it in "[0-9]+" s; wait, or leave out --no-reuseaddr (SO_REUSEADDR binds over it)"$ ]]
}

@test "listen: after a run with --no-reuseaddr, only waiting helps, and the hint says so" {
	served_once --no-reuseaddr
	for opt in --no-reuseaddr --reuseaddr; do
		run -4 --separate-stderr "$SOCKT" listen $opt -w 1 127.0.0.1 "$PORT"
		[ "${stderr_lines[0]}" = "sockt listen: bind to 127.0.0.1 port $PORT (tcp): Address already in use [EADDRINUSE, errno 98]" ]
		[[ "${stderr_lines[1]}" =~ ^"sockt listen: hint: 1 connection on port $PORT is in TIME_WAIT and leaves it in "[0-9]+" s; the program that made it did not set SO_REUSEADDR, so only waiting helps"$ ]]
	done
}

@test "listen: SO_REUSEADDR never lets a second listener share the port" {
	listen holder 127.0.0.1 0
	run -4 --separate-stderr "$SOCKT" listen -w 1 127.0.0.1 "$PORT"
	[ "${stderr_lines[0]}" = "sockt listen: bind to 127.0.0.1 port $PORT (tcp): Address already in use [EADDRINUSE, errno 98]" ]
	[[ "${stderr_lines[1]}" == "sockt listen: hint: port $PORT has 1 TCP socket: 1 LISTEN" ]]
	[[ "${stderr_lines[2]}" == "sockt listen: hint: a listening socket on it belongs to sockt (pid $LPID); stop that process, or choose another port" ]]
	# and never SO_REUSEPORT: a python listener that sets it cannot join either
	run python3 -c '
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
try:
    s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(); print("shared")
except OSError as e:
    print(e.errno == 98 and "refused" or e)
' "$PORT"
	[ "$output" = refused ]
}

@test "listen: -k gives a client still behind when stdin ends all of it, then its EOF" {
	head -c 8M /dev/urandom >"$(tmp)/data"
	sum=$(sha256sum <"$(tmp)/data" | cut -d' ' -f1)
	listen_fifo l -k 127.0.0.1 0
	timeout 20 python3 - "$PORT" "$(tmp)" 7>&- <<-'PY' &
	import hashlib, socket, sys, threading, time
	port, d = int(sys.argv[1]), sys.argv[2]
	def reader(name, wait):
	    s = socket.create_connection(("127.0.0.1", port), timeout=10)
	    time.sleep(wait)
	    h = hashlib.sha256()
	    while True:
	        b = s.recv(262144)
	        if not b:
	            break
	        h.update(b)
	    open("%s/%s" % (d, name), "w").write(h.hexdigest())
	# The first takes everything at once; the second is still behind when stdin ends.
	ts = [threading.Thread(target=reader, args=("fast", 0)), threading.Thread(target=reader, args=("late", 1.5))]
	for t in ts:
	    t.start()
	for t in ts:
	    t.join()
	PY
	clients=$!
	wait_accepted 2
	cat "$(tmp)/data" >&7
	exec 7>&-
	wait "$clients"
	[ "$(cat "$(tmp)/fast")" = "$sum" ]
	[ "$(cat "$(tmp)/late")" = "$sum" ]
}
