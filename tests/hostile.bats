#!/usr/bin/env bats
# hostile.bats: the exit statuses and promises of doc/contract.md against peers that misbehave (python3 sockets in
# tests/lib/hostile.py, on loopback or in namespaces made here): resets
# mid-transfer, floods that never read, silence, slowloris, a thousand
# connections against a descriptor limit, garbage ICMP, random datagrams,
# signals, full and closed standard descriptors, privileges, escaping.

load lib/common

bats_require_minimum_version 1.5.0

HOSTILE="$BATS_TEST_DIRNAME/lib/hostile.py"

# peer NAME MODE ARGS...: a hostile.py peer in the background (see spawn).
peer() {
	local name=$1
	shift
	spawn "$name" python3 "$HOSTILE" "$@"
}

# port_of NAME: the port a hostile.py server printed first.
port_of() {
	wait_for_line "$(tmp)/$1.out" '^[0-9]+$' || return 1
	head -n 1 "$(tmp)/$1.out"
}

# sockt_listening NAME ARGS...: sockt -v ARGS in the background; the port it
# announced in $PORT.
sockt_listening() {
	local name=$1
	shift
	# env: a script's background job starts with SIGINT ignored; put back the default.
	spawn "$name" env --default-signal "$SOCKT" -v "$@"
	wait_for_line "$(tmp)/$name.err" 'listening on .* port [0-9]+$' || return 1
	PORT=$(sed -n 's/.*listening on .* port \([0-9]*\)$/\1/p' "$(tmp)/$name.err" | head -n 1)
}

# no_control_bytes FILE: FILE holds no byte below 0x20 but newline, nor DEL.
no_control_bytes() {
	if LC_ALL=C grep -q -P '[\x00-\x09\x0b-\x1f\x7f]' "$1"; then
		echo "control bytes in $1:" >&2
		od -c "$1" | head -n 20 >&2
		return 1
	fi
}

teardown() {
	common_teardown
	if [ -f "$(tmp)/capdir" ]; then
		rm -rf "$(cat "$(tmp)/capdir")"
	fi
	# A sanitizer's report in any background sockt's stderr fails the test.
	! grep -l -E 'Sanitizer|runtime error:' "$(tmp)"/*.err 2>/dev/null
}

# --- resets -------------------------------------------------------------------

@test "hostile: connect whose peer resets mid-transfer is status 1 with ECONNRESET" {
	peer srv server-reset ::1
	port=$(port_of srv)
	run -1 --separate-stderr sh -c 'head -c 8M /dev/zero | "$0" connect ::1 "$1" >/dev/null' \
	    "$SOCKT" "$port"
	echo "$stderr"
	[[ "$stderr" == *"port $port (tcp): Connection reset by peer [ECONNRESET, errno 104]"* ]]
	[[ "$stderr" == "sockt connect: "* ]]
}

@test "hostile: listen whose client resets mid-transfer is status 1 with ECONNRESET" {
	STDIN_FILE=/dev/zero sockt_listening srv listen 127.0.0.1 0
	peer cli client-reset 127.0.0.1 "$PORT"
	wait_exit "$SPAWNED_PID"
	wait_exit "$(cat "$(tmp)/srv.pid")"
	cat "$(tmp)/srv.err"
	[ "$EXIT_STATUS" -eq 1 ]
	grep -q '^sockt listen: .*Connection reset by peer \[ECONNRESET, errno 104\]$' "$(tmp)/srv.err"
	grep -q 'the peer reset the connection' "$(tmp)/srv.err"
}

@test "hostile: listen -k survives a client's reset and reports it" {
	sockt_listening srv listen -k --echo 127.0.0.1 0
	run -0 timeout 10 python3 "$HOSTILE" client-reset 127.0.0.1 "$PORT"
	wait_for_line "$(tmp)/srv.err" 'ECONNRESET'
	run -0 timeout 10 python3 "$HOSTILE" echo-once 127.0.0.1 "$PORT" "next one"
	[[ "$output" == "echo 'next one' after "* ]]
	kill -0 "$(cat "$(tmp)/srv.pid")"
	grep -q '^sockt listen: [a-z ]* 127.0.0.1 port [0-9]* (tcp): Connection reset by peer \[ECONNRESET, errno 104\]$' \
	    "$(tmp)/srv.err"
}

# --- floods that never read ----------------------------------------------------

@test "hostile: connect keeps reading while a peer that never reads floods it (no deadlock)" {
	peer srv server-flood 127.0.0.1 33554432
	port=$(port_of srv)
	run -0 timeout 20 sh -c 'head -c 32M /dev/zero | "$0" connect 127.0.0.1 "$1" | wc -c' \
	    "$SOCKT" "$port"
	[ "$output" = 33554432 ]
	wait_for_line "$(tmp)/srv.out" '^received 33554432$'
}

@test "hostile: listen keeps reading while a client that never reads floods it (no deadlock)" {
	spawn srv sh -c 'head -c 32M /dev/zero | timeout 20 "$0" -v listen ::1 0 | wc -c' "$SOCKT"
	wait_for_line "$(tmp)/srv.err" 'listening on'
	port=$(sed -n 's/.*port \([0-9]*\)$/\1/p' "$(tmp)/srv.err" | head -n 1)
	run -0 timeout 20 python3 "$HOSTILE" client-flood ::1 "$port" 33554432
	[ "${lines[1]}" = "received 33554432" ]
	wait_exit "$(cat "$(tmp)/srv.pid")" 20
	[ "$EXIT_STATUS" -eq 0 ]
	[ "$(cat "$(tmp)/srv.out")" = 33554432 ]
}

# --- silence -------------------------------------------------------------------

@test "hostile: connect -i ends a connection to a peer that accepts and never sends, status 1" {
	peer srv server-silent 127.0.0.1 10
	port=$(port_of srv)
	# stdin is a FIFO opened read-write: it never ends, so only the idle timeout can.
	mkfifo "$(tmp)/never"
	run -1 --separate-stderr timeout 10 sh -c 'exec "$0" connect -i 0.5 127.0.0.1 "$1" <>"$2"' \
	    "$SOCKT" "$port" "$(tmp)/never"
	echo "$stderr"
	[ "$stderr" = "sockt connect: no data either way for 500 ms (-i): connection closed" ]
	wait_for_line "$(tmp)/srv.out" '^closed by sockt after (0\.[4-9]|1\.[0-4]) s$'
}

@test "hostile: listen -k -i frees slowloris connections while other clients are served" {
	sockt_listening srv listen -k --echo --max-conns 3 -i 1 127.0.0.1 0
	peer slow slowloris 127.0.0.1 "$PORT" 3 6
	wait_for_line "$(tmp)/slow.out" '^opened 3$'
	# Every slot is held: this client waits in the backlog until the idle timeout frees one,
	# so sockt accepts it only after it has closed an idle one.
	run -0 timeout 8 python3 "$HOSTILE" echo-once 127.0.0.1 "$PORT" hello
	[[ "$output" =~ ^echo\ \'hello\'\ after\ [0-2]\.[0-9]\ s\ \(port\ ([0-9]+)\)$ ]]
	accepted=$(grep -n "connection from 127.0.0.1 port ${BASH_REMATCH[1]}\$" "$(tmp)/srv.err" | cut -d: -f1)
	first_idle=$(grep -n 'idle, closed' "$(tmp)/srv.err" | head -1 | cut -d: -f1)
	[ -n "$accepted" ] && [ -n "$first_idle" ] && [ "$first_idle" -lt "$accepted" ]
	# The idle timer runs from each accept, a little before the client's own clock starts.
	wait_for_line "$(tmp)/slow.out" '^3 of 3 closed by sockt after (0\.[5-9]|[12]\.[0-9]) s$' 6
	# The listener serves on, at once now: well within one idle timeout.
	run -0 timeout 5 python3 "$HOSTILE" echo-once 127.0.0.1 "$PORT" again
	[[ "$output" =~ ^echo\ \'again\'\ after\ 0\.[0-9]\ s\ \(port\ [0-9]+\)$ ]]
	[ "$(grep -c 'idle, closed' "$(tmp)/srv.err")" -eq 3 ]
	kill -0 "$(cat "$(tmp)/srv.pid")"
}

@test "hostile: 1000 connections under ulimit -n 64: EMFILE reported, listen -k --echo serves on" {
	spawn srv sh -c 'ulimit -n 64 && exec "$0" -v listen -k --echo 127.0.0.1 0' "$SOCKT"
	wait_for_line "$(tmp)/srv.err" 'listening on'
	port=$(sed -n 's/.*port \([0-9]*\)$/\1/p' "$(tmp)/srv.err" | head -n 1)
	run -0 timeout 20 python3 "$HOSTILE" many 127.0.0.1 "$port" 1000 2
	echo "$output"
	# More than the 64 descriptors got through the handshake (the backlog holds them).
	[[ "$output" =~ ^1000\ connections,\ ([0-9]+)\ established$ ]]
	[ "${BASH_REMATCH[1]}" -gt 64 ]
	wait_for_line "$(tmp)/srv.err" \
	    '^sockt listen: accept: Too many open files \[EMFILE, errno 24\]$'
	grep -q "^sockt listen: hint: out of file descriptors: raise 'ulimit -n'" "$(tmp)/srv.err"
	# Said once per episode of EMFILE, not at every retry while it lasts.
	[ "$(grep -c 'EMFILE' "$(tmp)/srv.err")" -le 5 ]
	kill -0 "$(cat "$(tmp)/srv.pid")"
	# Once they are gone, the next client is served.
	run -0 timeout 10 python3 "$HOSTILE" echo-once 127.0.0.1 "$port" "still here"
	[[ "$output" == "echo 'still here' after "* ]]
	kill -0 "$(cat "$(tmp)/srv.pid")"
}

# --- datagrams and ICMP --------------------------------------------------------

# json_lines FILE N: every line of FILE is a JSON object as sockt-udp-recv(1)
# says, its data is the datagram sent (FILE.sent) and "bytes" its length, and
# there are N of them.
json_lines() {
	python3 - "$1" "$2" <<-'PY'
	import base64, json, sys
	lines = open(sys.argv[1], "rb").read().split(b"\n")
	assert lines[-1] == b"", "no newline at the end"
	lines = lines[:-1]
	sent = open(sys.argv[1] + ".sent").read().split("\n")
	sizes = []
	for i, raw in enumerate(lines):
	    o = json.loads(raw.decode("utf-8"))  # raises on anything invalid
	    assert set(o) == {"from", "port", "bytes", "data"} or \
	        set(o) == {"from", "port", "bytes", "data_base64"}, o.keys()
	    data = o["data"].encode("utf-8") if "data" in o else base64.b64decode(o["data_base64"],
	                                                                           validate=True)
	    assert len(data) == o["bytes"], (i, len(data), o["bytes"])
	    assert data == bytes.fromhex(sent[i]), "datagram %d differs" % i
	    sizes.append(o["bytes"])
	assert len(lines) == int(sys.argv[2]), (len(lines), sys.argv[2])
	print(len(lines), "lines,", "min", min(sizes), "max", max(sizes))
	PY
}

@test "hostile: random datagrams at udp-recv --json are each one valid JSON line, none lost" {
	sockt_listening rcv udp-recv --json -c 300 127.0.0.1 0
	run -0 timeout 60 python3 "$HOSTILE" udp-random 127.0.0.1 "$PORT" 300 "$(tmp)/rcv.out" "$RANDOM"
	wait_exit "$(cat "$(tmp)/rcv.pid")"
	[ "$EXIT_STATUS" -eq 0 ]
	run -0 json_lines "$(tmp)/rcv.out" 300
	echo "$output"
	[ "$output" = "300 lines, min 0 max 65507" ]
}

@test "hostile: random datagrams over ::1 up to 65527 bytes stay valid JSON" {
	sockt_listening rcv udp-recv --json -c 60 ::1 0
	run -0 timeout 30 python3 "$HOSTILE" udp-random ::1 "$PORT" 60 "$(tmp)/rcv.out" "$RANDOM"
	wait_exit "$(cat "$(tmp)/rcv.pid")"
	[ "$EXIT_STATUS" -eq 0 ]
	run -0 json_lines "$(tmp)/rcv.out" 60
	echo "$output"
	[ "$output" = "60 lines, min 0 max 65527" ]
}

# The ICMP tests: veth_pair puts sockt in $A (10.78.0.1, 2001:db8:78::1) and the attacker
# in $B (10.78.0.2, 2001:db8:78::2).

# throw_and_ping MODE TARGET: the thrower in B, then 10 pings from A; the
# ping's stdout in $output, its stderr in $(tmp)/ping.err.
throw_and_ping() {
	spawn thrower ip netns exec "$B" python3 "$HOSTILE" "$1" 15 "$RANDOM"
	# The thrower's raw socket must be open before the first request goes out.
	wait_for_line "$(tmp)/thrower.out" '^ready$'
	run -0 --separate-stderr in_ns "$A" "$SOCKT" -vv raw-ping -n -i 0.2 -c 10 "$2"
	printf '%s\n' "$stderr" >"$(tmp)/ping.err"
	echo "$output"
	wait_exit "$(cat "$(tmp)/thrower.pid")" 10
	cat "$(tmp)/thrower.out"
	grep -Eq '^threw [0-9]{3,} packets at 10 requests$' "$(tmp)/thrower.out"
}

@test "hostile: garbage and truncated ICMP from another namespace is ignored, the pings succeed" {
	require_root
	veth_pair A B 10.78.0 2001:db8:78
	throw_and_ping icmp-garbage 10.78.0.2
	[[ "$output" =~ $'\n'"10 packets transmitted, 10 received," ]]
	# -vv says each packet it ignored, and why; -v has no count of them.
	[ "$(grep -c '^sockt raw-ping: ignored a packet from 10.78.0.2: ' "$(tmp)/ping.err")" -ge 100 ]
	no_control_bytes "$(tmp)/ping.err"
}

@test "hostile: garbage and truncated ICMPv6 from another namespace is ignored, the pings succeed" {
	require_root
	veth_pair A B 10.78.0 2001:db8:78
	throw_and_ping icmp6-garbage 2001:db8:78::2
	[[ "$output" =~ $'\n'"10 packets transmitted, 10 received," ]]
	[ "$(grep -c '^sockt raw-ping: ignored a packet from 2001:db8:78::2: ' "$(tmp)/ping.err")" -ge 100 ]
	no_control_bytes "$(tmp)/ping.err"
}

# --- signals -------------------------------------------------------------------

# A background job of a script starts with SIGINT ignored; env puts back the
# default, as a terminal's foreground job has it.
signal_status() {
	case $1 in
	INT) echo 130 ;;
	TERM) echo 143 ;;
	HUP) echo 129 ;;
	esac
}

# size_over FILE BYTES: waits (bounded) until FILE has more than BYTES.
size_over() {
	for _ in $(seq 250); do
		[ "$(stat -c %s "$1")" -gt "$2" ] && return 0
		sleep 0.02
	done
	echo "$1 stayed at $(stat -c %s "$1") bytes" >&2
	return 1
}

@test "hostile: SIGINT, SIGTERM and SIGHUP mid-transfer end connect with 128+N" {
	for sig in INT TERM HUP; do
		peer "srv$sig" server-stream 127.0.0.1 10
		port=$(port_of "srv$sig")
		STDIN_FILE=/dev/zero spawn "con$sig" env --default-signal "$SOCKT" connect 127.0.0.1 "$port"
		size_over "$(tmp)/con$sig.out" 100000
		kill -"$sig" "$SPAWNED_PID"
		wait_exit "$SPAWNED_PID"
		echo "$sig: $EXIT_STATUS"
		[ "$EXIT_STATUS" -eq "$(signal_status "$sig")" ]
	done
}

@test "hostile: SIGINT, SIGTERM and SIGHUP mid-transfer end listen and listen -k with 128+N" {
	for sig in INT TERM HUP; do
		for k in "" -k; do
			STDIN_FILE=/dev/zero sockt_listening "lis$sig$k" \
			    listen $k 127.0.0.1 0
			pid=$SPAWNED_PID
			peer "cli$sig$k" client-stream 127.0.0.1 "$PORT" 10
			size_over "$(tmp)/lis$sig$k.out" 100000
			kill -"$sig" "$pid"
			wait_exit "$pid"
			echo "$sig $k: $EXIT_STATUS"
			[ "$EXIT_STATUS" -eq "$(signal_status "$sig")" ]
		done
	done
}

@test "hostile: SIGINT ends raw-ping with its summary and status 0" {
	spawn png env --default-signal "$SOCKT" raw-ping -n -i 0.2 127.0.0.1
	wait_for_line "$(tmp)/png.out" 'icmp_seq=3 '
	kill -INT "$SPAWNED_PID"
	wait_exit "$SPAWNED_PID"
	cat "$(tmp)/png.out"
	[ "$EXIT_STATUS" -eq 0 ]
	grep -q '^--- 127.0.0.1 ping statistics ---$' "$(tmp)/png.out"
	grep -Eq '^([3-9]) packets transmitted, \1 received, 0% packet loss' "$(tmp)/png.out" ||
	    grep -Eq '^([4-9]) packets transmitted, [3-9] received' "$(tmp)/png.out"
}

@test "hostile: SIGINT ends an unanswered raw-ping with its summary and status 1" {
	require_root
	netns_new png
	# Requests leave; nft drops them on arrival, so nothing answers and nothing errs.
	in_ns "$NETNS" nft -f - <<-'NFT'
	table inet hostile {
		chain input {
			type filter hook input priority 0;
			icmp type echo-request drop
		}
	}
	NFT
	spawn png ip netns exec "$NETNS" env --default-signal "$SOCKT" -v raw-ping -n -i 0.2 -W 0.2 \
	    127.0.0.1
	wait_for_line "$(tmp)/png.err" 'icmp_seq=3: no reply within'
	kill -INT "$SPAWNED_PID"
	wait_exit "$SPAWNED_PID"
	cat "$(tmp)/png.out" "$(tmp)/png.err"
	[ "$EXIT_STATUS" -eq 1 ]
	grep -q '^--- 127.0.0.1 ping statistics ---$' "$(tmp)/png.out"
	grep -Eq '^[3-9] packets transmitted, 0 received, 100% packet loss' "$(tmp)/png.out"
}

# --- full and closed standard descriptors -----------------------------------------

@test "hostile: connect with stdout on /dev/full reports ENOSPC, status 4" {
	peer srv server-stream ::1 10
	port=$(port_of srv)
	run -4 --separate-stderr sh -c '"$0" connect ::1 "$1" </dev/null >/dev/full' "$SOCKT" "$port"
	[ "${stderr_lines[0]}" = "sockt connect: write to stdout: No space left on device [ENOSPC, errno 28]" ]
	# And how much of what was read is lost.
	[[ "${stderr_lines[1]}" =~ ^"sockt connect: "([0-9]+)" of "([0-9]+)" bytes received were not written to stdout"$ ]]
	[ "${#stderr_lines[@]}" -eq 2 ]
}

@test "hostile: listen and listen -k with stdout on /dev/full report ENOSPC, status 4" {
	for k in "" -k; do
		spawn "lis$k" sh -c 'exec "$0" -v listen $1 127.0.0.1 0 >/dev/full' "$SOCKT" "$k"
		pid=$SPAWNED_PID
		wait_for_line "$(tmp)/lis$k.err" 'listening on'
		port=$(sed -n 's/.*port \([0-9]*\)$/\1/p' "$(tmp)/lis$k.err" | head -n 1)
		peer "cli$k" client-stream 127.0.0.1 "$port" 5
		wait_exit "$pid"
		cat "$(tmp)/lis$k.err"
		[ "$EXIT_STATUS" -eq 4 ]
		grep -q '^sockt listen: write to stdout: No space left on device \[ENOSPC, errno 28\]$' \
		    "$(tmp)/lis$k.err"
	done
}

@test "hostile: udp-recv (raw, --hex, --json) with stdout on /dev/full reports ENOSPC, status 4" {
	for f in "" --hex --json; do
		spawn "rcv$f" sh -c 'exec "$0" -v udp-recv $1 127.0.0.1 0 >/dev/full' "$SOCKT" "$f"
		pid=$SPAWNED_PID
		wait_for_line "$(tmp)/rcv$f.err" 'listening on'
		port=$(sed -n 's/.*port \([0-9]*\)$/\1/p' "$(tmp)/rcv$f.err" | head -n 1)
		"$SOCKT" udp-send 127.0.0.1 "$port" hello
		wait_exit "$pid"
		cat "$(tmp)/rcv$f.err"
		[ "$EXIT_STATUS" -eq 4 ]
		grep -q '^sockt udp-recv: write to stdout: No space left on device \[ENOSPC, errno 28\]$' \
		    "$(tmp)/rcv$f.err"
	done
}

@test "hostile: connect with stdin closed sends nothing, half-closes and relays the reply" {
	peer srv server-reply 127.0.0.1
	port=$(port_of srv)
	run -0 --separate-stderr timeout 10 sh -c 'exec "$0" connect 127.0.0.1 "$1" <&-' \
	    "$SOCKT" "$port"
	[ "$output" = "got 0 bytes" ]
	[ -z "$stderr" ]
}

@test "hostile: listen with stdin closed relays the client and exits 0" {
	spawn lis sh -c 'exec "$0" -v listen ::1 0 <&-' "$SOCKT"
	pid=$SPAWNED_PID
	wait_for_line "$(tmp)/lis.err" 'listening on'
	port=$(sed -n 's/.*port \([0-9]*\)$/\1/p' "$(tmp)/lis.err" | head -n 1)
	run -0 timeout 10 python3 "$HOSTILE" client-flood ::1 "$port" 1000
	[ "${lines[1]}" = "received 0" ]
	wait_exit "$pid"
	[ "$EXIT_STATUS" -eq 0 ]
	[ "$(wc -c <"$(tmp)/lis.out")" -eq 1000 ]
}

@test "hostile: udp-send with stdin closed sends nothing, status 0" {
	run -0 --separate-stderr sh -c 'exec "$0" udp-send 127.0.0.1 9 <&-' "$SOCKT"
	[ -z "$stderr" ]
}

@test "hostile: with stderr closed no diagnostic ever reaches the peer" {
	peer srv server-reply 127.0.0.1
	port=$(port_of srv)
	run -0 timeout 10 sh -c 'exec "$0" -vv connect 127.0.0.1 "$1" </dev/null 2>&-' \
	    "$SOCKT" "$port"
	[ "$output" = "got 0 bytes" ]
}

@test "hostile: with stdout closed data is an EBADF error, status 4" {
	run -4 --separate-stderr sh -c 'exec "$0" resolve 127.0.0.1 >&-' "$SOCKT"
	[ "$stderr" = "sockt resolve: write to stdout: Bad file descriptor [EBADF, errno 9]" ]
	peer srv server-stream 127.0.0.1 5
	port=$(port_of srv)
	run -4 --separate-stderr sh -c 'exec "$0" connect 127.0.0.1 "$1" </dev/null >&-' \
	    "$SOCKT" "$port"
	[ "${stderr_lines[0]}" = "sockt connect: write to stdout: Bad file descriptor [EBADF, errno 9]" ]
	[[ "${stderr_lines[1]}" =~ ^"sockt connect: "[0-9]+" of "[0-9]+" bytes received were not written to stdout"$ ]]
	[ "${#stderr_lines[@]}" -eq 2 ]
}

# --- privileges ----------------------------------------------------------------

# capped_copy: a copy of sockt with cap_net_raw, in a directory user 65534 can
# reach; its path in $CAPPED (removed at teardown).
capped_copy() {
	command -v setcap >/dev/null || skip "setcap (Debian package libcap2-bin) is not installed"
	CAPDIR=$(mktemp -d /tmp/sockt-hostile.XXXXXX)
	echo "$CAPDIR" >"$(tmp)/capdir"
	chmod 755 "$CAPDIR"
	cp "$SOCKT" "$CAPDIR/sockt"
	chmod 755 "$CAPDIR/sockt"
	CAPPED=$CAPDIR/sockt
}


as_nobody() {
	setpriv --reuid=65534 --regid=65534 --clear-groups "$@"
}

@test "hostile: raw-ping with cap_net_raw drops to the real user with no capabilities left" {
	require_root
	capped_copy
	setcap cap_net_raw+ep "$CAPPED"
	# A fresh namespace: ping_group_range is "1 0" there, so only the raw socket can work.
	netns_new priv
	[ "$(in_ns "$NETNS" cat /proc/sys/net/ipv4/ping_group_range)" = "$(printf '1\t0')" ]
	spawn png ip netns exec "$NETNS" setpriv --reuid=65534 --regid=65534 --clear-groups \
	    "$CAPPED" -v raw-ping -n -i 0.2 -c 20 127.0.0.1
	pid=$SPAWNED_PID
	wait_for_line "$(tmp)/png.err" 'privileges dropped'
	wait_for_line "$(tmp)/png.out" 'icmp_seq=2 '
	status_file=$(cat "/proc/$pid/status")
	echo "$status_file" | grep -E '^(Name|Uid|Gid|Groups|Cap|NoNewPrivs)'
	[ "$(cat "/proc/$pid/comm")" = sockt ]
	echo "$status_file" | grep -Eq '^Uid:\s+65534\s+65534\s+65534\s+65534$'
	echo "$status_file" | grep -Eq '^Gid:\s+65534\s+65534\s+65534\s+65534$'
	for set in CapInh CapPrm CapEff CapAmb; do
		echo "$status_file" | grep -Eq "^$set:\s+0000000000000000$"
	done
	echo "$status_file" | grep -Eq '^NoNewPrivs:\s+1$'
	wait_exit "$pid" 15
	cat "$(tmp)/png.out" "$(tmp)/png.err"
	[ "$EXIT_STATUS" -eq 0 ]
	grep -q '^20 packets transmitted, 20 received, 0% packet loss' "$(tmp)/png.out"
	grep -q '^sockt raw-ping: ICMP: raw socket$' "$(tmp)/png.err"
}

@test "hostile: raw-ping without the capability is refused with status 4 and a hint" {
	require_root
	capped_copy
	netns_new nopriv
	run -4 --separate-stderr in_ns "$NETNS" setpriv --reuid=65534 --regid=65534 --clear-groups \
	    "$CAPPED" raw-ping -n -c 1 127.0.0.1
	echo "$stderr"
	[[ "$stderr" == *"[EPERM, errno 1]"* || "$stderr" == *"[EACCES, errno 13]"* ]]
	[[ "$stderr" == *"hint: "*"CAP_NET_RAW"* ]]
}

# --- peer bytes in diagnostics --------------------------------------------------

@test "hostile: a process name with control bytes reaches a bind hint only escaped" {
	# The kernel keeps 15 bytes of a name.
	peer evil named '\x1b[2J\x07ev\ril' 127.0.0.1
	port=$(port_of evil)
	run -4 --separate-stderr "$SOCKT" listen 127.0.0.1 "$port"
	printf '%s\n' "$stderr" >"$(tmp)/hint.err"
	cat "$(tmp)/hint.err"
	no_control_bytes "$(tmp)/hint.err"
	grep -qF 'belongs to \033[2J\007ev\015il (pid ' "$(tmp)/hint.err"
}

@test "hostile: peers' control bytes reach stdout as data and never stderr, at any -v" {
	# connect and listen relays
	peer srv server-nasty 127.0.0.1
	port=$(port_of srv)
	"$SOCKT" -vv connect 127.0.0.1 "$port" </dev/null >"$(tmp)/c.out" 2>"$(tmp)/c.err"
	sockt_listening lis -v listen ::1 0
	python3 "$HOSTILE" client-nasty ::1 "$PORT"
	wait_exit "$(cat "$(tmp)/lis.pid")"
	# udp-send --reply and udp-recv
	peer usrv udp-answer-nasty 127.0.0.1
	port=$(port_of usrv)
	"$SOCKT" -vv udp-send --reply 2 127.0.0.1 "$port" ask >"$(tmp)/us.out" 2>"$(tmp)/us.err"
	sockt_listening ur -v udp-recv -c 1 127.0.0.1 0
	python3 "$HOSTILE" udp-send-nasty 127.0.0.1 "$PORT"
	wait_exit "$(cat "$(tmp)/ur.pid")"
	for f in c lis us ur; do
		cat "$(tmp)/$f.err"
		no_control_bytes "$(tmp)/$f.err"
		grep -q "$(printf '\033')" "$(tmp)/$f.out" # the data itself is untouched
	done
	grep -q 'bytes from 127.0.0.1 port' "$(tmp)/us.err"
	grep -q 'bytes from 127.0.0.1 port' "$(tmp)/ur.err"
}

@test "hostile: sockt runs no other program: none imported, none executed" {
	# Dynamic imports: nothing that starts a program or a shell.
	run -1 sh -c 'nm -D --undefined-only "$0" | grep -wE \
	    "system|popen|exec[lv]p?e?|execvpe|fexecve|fork|vfork|posix_spawnp?"' "$SOCKT"
	echo "$output"
	# What it does: a few commands under strace, each with the one execve that started it.
	peer srv server-reply 127.0.0.1
	port=$(port_of srv)
	for cmd in "resolve localhost" "send 127.0.0.1 $port hi" "raw-ping -c 1 127.0.0.1" \
	    "state" "listen -w 0.2 127.0.0.1 0"; do
		# shellcheck disable=SC2086 # the words of cmd are its arguments
		strace -f -qq -e trace=execve,execveat -o "$(tmp)/strace" "$SOCKT" $cmd \
		    >/dev/null 2>&1 </dev/null || true
		cat "$(tmp)/strace"
		[ "$(grep -c 'execve' "$(tmp)/strace")" -eq 1 ]
	done
}
