#!/usr/bin/env bats
# unix.bats: listen, connect and send -U on Unix domain sockets (sockt(1), UNIX SOCKETS),
# against socat and python3 peers: 16 MiB each way, abstract names, --seqpacket, a stale
# socket file removed (and said), a live one and a regular file never, SO_PEERCRED, and
# the error lines and hints of ENOENT, ECONNREFUSED, EACCES and ENAMETOOLONG.

load lib/common

bats_require_minimum_version 1.5.0

setup_file() {
	big_file "$BATS_FILE_TMPDIR/big" 16M
}

peer() {
	python3 "$TESTLIB/unix_peer.py" "$@"
}

# ulisten NAME ARGS...: `sockt -v listen -U ARGS` in the background, ready once it says so.
ulisten() {
	local name=$1
	shift
	spawn "$name" "$SOCKT" -v listen -U "$@"
	LPID=$SPAWNED_PID
	wait_for_line "$(tmp)/$name.err" 'listening on'
}

# upeer NAME MODE PATH: a python3 peer (unix_peer.py) in the background, once it is ready.
upeer() {
	spawn "$1" python3 "$TESTLIB/unix_peer.py" "$2" "$3"
	wait_for_line "$(tmp)/$1.out" '^ready$'
}

@test "connect -U relays 16 MiB each way with a socat listener, intact" {
	local sock big="$BATS_FILE_TMPDIR/big"
	sock="$(tmp)/c.sock"
	spawn srv socat -u "UNIX-LISTEN:$sock" "CREATE:$(tmp)/got"
	wait_for_line /proc/net/unix "$sock\$"
	run -0 timeout 20 "$SOCKT" connect -U "$sock" <"$big"
	wait_exit "$SPAWNED_PID"
	[ "$(sha256sum <"$(tmp)/got" | cut -d' ' -f1)" = "$(cat "$big.sha")" ]
	spawn srv2 socat -u "FILE:$big" "UNIX-LISTEN:$sock"
	wait_for_line /proc/net/unix "$sock\$"
	timeout 20 "$SOCKT" connect -U --recv-only "$sock" >"$(tmp)/back"
	[ "$(sha256sum <"$(tmp)/back" | cut -d' ' -f1)" = "$(cat "$big.sha")" ]
}

@test "listen -U relays 16 MiB each way with socat, and removes its socket file at exit" {
	local sock big="$BATS_FILE_TMPDIR/big"
	sock="$(tmp)/l.sock"
	STDIN_FILE=$big ulisten l "$sock"
	grep -qx "sockt listen: listening on $sock (unix stream)" "$(tmp)/l.err"
	[ -S "$sock" ]
	timeout 20 socat -u "UNIX-CONNECT:$sock" "CREATE:$(tmp)/got"
	wait_exit "$LPID"
	[ "$EXIT_STATUS" = 0 ]
	[ ! -e "$sock" ]
	[ "$(sha256sum <"$(tmp)/got" | cut -d' ' -f1)" = "$(cat "$big.sha")" ]
	ulisten l2 "$sock"
	timeout 20 socat -u "FILE:$big" "UNIX-CONNECT:$sock"
	wait_exit "$LPID"
	[ "$EXIT_STATUS" = 0 ]
	[ "$(sha256sum <"$(tmp)/l2.out" | cut -d' ' -f1)" = "$(cat "$big.sha")" ]
}

@test "abstract names work both ways with socat and name the socket as @NAME" {
	local name="sockt-test-$$-$BATS_TEST_NUMBER"
	echo hello >"$(tmp)/in"
	STDIN_FILE="$(tmp)/in" ulisten l "@$name"
	grep -q "listening on @$name (unix stream)" "$(tmp)/l.err"
	run -0 timeout 5 socat - "ABSTRACT-CONNECT:$name" <<<"hi"
	[ "$output" = hello ]
	wait_exit "$LPID"
	[ "$(cat "$(tmp)/l.out")" = hi ]
	spawn srv socat "ABSTRACT-LISTEN:$name" "SYSTEM:echo from-socat"
	wait_for_line /proc/net/unix "@$name\$"
	run -0 timeout 5 "$SOCKT" connect -U "@$name" </dev/null
	[ "$output" = from-socat ]
}

@test "send -U sends the request to a socat server and prints its reply" {
	local sock
	sock="$(tmp)/s.sock"
	spawn srv socat "UNIX-LISTEN:$sock" "SYSTEM:tr a-z A-Z"
	wait_for_line /proc/net/unix "$sock\$"
	run -0 timeout 5 "$SOCKT" send -U "$sock" hello unix
	[ "$output" = "HELLO UNIX" ]
}

@test "--seqpacket keeps records with python3 peers, both as client and as server" {
	local sock
	sock="$(tmp)/q.sock"
	upeer srv seq-server "$sock"
	run -0 timeout 5 "$SOCKT" connect --seqpacket "$sock" <<<"one"
	[ "$output" = "<one
>" ]
	echo reply >"$(tmp)/in"
	STDIN_FILE="$(tmp)/in" ulisten l --seqpacket "$(tmp)/l.sock"
	grep -q "unix seqpacket" "$(tmp)/l.err"
	run -0 timeout 5 python3 "$TESTLIB/unix_peer.py" seq-client "$(tmp)/l.sock" rec1
	[ "$output" = "reply" ]
	wait_exit "$LPID"
	[ "$(cat "$(tmp)/l.out")" = rec1 ]
}

@test "listen -U removes a stale socket file and says so" {
	local sock
	sock="$(tmp)/stale.sock"
	peer stale "$sock"
	[ -S "$sock" ]
	run -1 --separate-stderr "$SOCKT" listen -U -w 0.2 "$sock"
	[ "${stderr_lines[0]}" = "sockt listen: removed the stale socket $sock: nothing listened on it" ]
	[ "${stderr_lines[1]}" = "sockt listen: no connection within 200 ms" ]
	[ ! -e "$sock" ]
}

@test "listen -U never removes a live socket: EADDRINUSE, status 4, the holder named" {
	local sock
	sock="$(tmp)/live.sock"
	upeer srv hold "$sock"
	run -4 "$SOCKT" listen -U -w 0.2 "$sock"
	[ "${lines[0]}" = "sockt listen: bind to $sock (unix stream): Address already in use [EADDRINUSE, errno 98]" ]
	[ "${lines[1]}" = "sockt listen: hint: $sock is live: process $SPAWNED_PID (python3) holds it; it is not removed" ]
	[ -S "$sock" ]
	# Still served, and not probed: the python3 peer accepts this one.
	run -0 timeout 5 socat -u /dev/null "UNIX-CONNECT:$sock"
}

@test "listen -U never removes a regular file in its place" {
	echo keep >"$(tmp)/file"
	run -4 "$SOCKT" listen -U -w 0.2 "$(tmp)/file"
	[ "${lines[0]}" = "sockt listen: bind to $(tmp)/file (unix stream): Address already in use [EADDRINUSE, errno 98]" ]
	[ "${lines[1]}" = "sockt listen: hint: $(tmp)/file is a regular file, not a socket: it is not removed; choose another path" ]
	[ "$(cat "$(tmp)/file")" = keep ]
}

@test "a missing socket is ENOENT with a hint, status 1" {
	run -1 "$SOCKT" connect -U "$(tmp)/none.sock"
	[ "${lines[0]}" = "sockt connect: connect to $(tmp)/none.sock (unix stream): No such file or directory [ENOENT, errno 2]" ]
	[ "${lines[1]}" = "sockt connect: hint: no socket $(tmp)/none.sock: is the server running, and is this the path it uses?" ]
	run -1 "$SOCKT" send -U "$(tmp)/nodir/x.sock" hi
	[ "${lines[1]}" = "sockt send: hint: the directory $(tmp)/nodir does not exist" ]
}

@test "a stale socket is ECONNREFUSED with a hint, status 1; an abstract name too" {
	peer stale "$(tmp)/dead.sock"
	run -1 "$SOCKT" connect -U "$(tmp)/dead.sock"
	[ "${lines[0]}" = "sockt connect: connect to $(tmp)/dead.sock (unix stream): Connection refused [ECONNREFUSED, errno 111]" ]
	[[ "${lines[1]}" == "sockt connect: hint: $(tmp)/dead.sock exists but nothing listens on it: a stale socket file"* ]]
	run -1 "$SOCKT" connect -U "@sockt-none-$$"
	[[ "${lines[1]}" == "sockt connect: hint: nothing is bound to the abstract name @sockt-none-$$:"* ]]
	# A name's control bytes are escaped in every line.
	run -1 "$SOCKT" connect -U "@sockt"$'\n\e'"x-$$"
	[ "${lines[0]}" = "sockt connect: connect to @sockt\\012\\033x-$$ (unix stream): Connection refused [ECONNREFUSED, errno 111]" ]
}

@test "EACCES names the directory without search permission and the user, status 4" {
	require_root
	local d
	mkdir -m 700 "$(tmp)/private"
	# bats makes its directories 700: uid 65534 may search them (and only them) here.
	for d in "$(tmp)" "$(dirname "$(tmp)")" "$(dirname "$(dirname "$(tmp)")")"; do
		chmod o+x "$d"
	done
	upeer srv hold "$(tmp)/private/p.sock"
	run -4 setpriv --reuid=65534 --regid=65534 --clear-groups "$SOCKT" connect -U "$(tmp)/private/p.sock"
	[ "${lines[0]}" = "sockt connect: connect to $(tmp)/private/p.sock (unix stream): Permission denied [EACCES, errno 13]" ]
	[[ "${lines[1]}" == "sockt connect: hint: the directory $(tmp)/private is drwx------ owned by root:"*"; connecting needs search (x) permission on every directory of the path" ]]
	[[ "${lines[2]}" == "sockt connect: hint: you are uid 65534 ("*"), gid 65534, in groups (none)" ]]
	chmod 755 "$(tmp)/private"
	chmod 700 "$(tmp)/private/p.sock"
	run -4 setpriv --reuid=65534 --regid=65534 --clear-groups "$SOCKT" connect -U "$(tmp)/private/p.sock"
	[[ "${lines[1]}" == "sockt connect: hint: the socket $(tmp)/private/p.sock is srwx------ owned by root:"*"; connecting needs write permission on it" ]]
	# Binding needs write permission on the directory.
	run -4 setpriv --reuid=65534 --regid=65534 --clear-groups "$SOCKT" listen -U "$(tmp)/private/new.sock"
	[ "${lines[0]}" = "sockt listen: bind to $(tmp)/private/new.sock (unix stream): Permission denied [EACCES, errno 13]" ]
	[[ "${lines[1]}" == "sockt listen: hint: the directory $(tmp)/private is drwxr-xr-x owned by root:"*"; binding needs write permission on it" ]]
}

@test "a path over sun_path's 108 bytes is ENAMETOOLONG with a hint, status 2" {
	local long
	long="$(tmp)/$(printf 'x%.0s' {1..110})"
	run -2 "$SOCKT" listen -U "$long"
	[[ "${lines[0]}" == "sockt listen: socket path "*"... (${#long} bytes): File name too long [ENAMETOOLONG, errno 36]" ]]
	[[ "${lines[1]}" == "sockt listen: hint: a Unix socket address holds 108 bytes (sun_path)"* ]]
	run -2 "$SOCKT" connect -U "@$(printf 'y%.0s' {1..108})"
	[[ "${lines[0]}" == *"[ENAMETOOLONG, errno 36]" ]]
}

@test "-v reports the peer's credentials (SO_PEERCRED) with the right pid" {
	local sock pid
	sock="$(tmp)/v.sock"
	ulisten l "$sock"
	run -0 timeout 5 python3 "$TESTLIB/unix_peer.py" pid-client "$sock"
	pid=$output
	wait_exit "$LPID"
	grep -qx "sockt listen: connection from unnamed" "$(tmp)/l.err"
	grep -qx "sockt listen: peer on unnamed: pid $pid (python3), uid $(id -u), gid $(id -g)" "$(tmp)/l.err"
	# No TIME_WAIT on a Unix socket: the summary says only who closed first.
	grep -Eqx "sockt listen: closed: 0 bytes sent, 1 received, 1 written out in [0-9.]+ s; (this side|the peer) closed first" "$(tmp)/l.err"
	run -0 --separate-stderr timeout 5 "$SOCKT" -v connect -U "@sockt-v-$$" </dev/null 2>/dev/null || true
	spawn srv socat "ABSTRACT-LISTEN:sockt-v-$$" "SYSTEM:echo ok"
	local spid=$SPAWNED_PID
	wait_for_line /proc/net/unix "@sockt-v-$$\$"
	run -0 --separate-stderr timeout 5 "$SOCKT" -v connect -U "@sockt-v-$$" </dev/null
	[ "${stderr_lines[1]}" = "sockt connect: peer on @sockt-v-$$: pid $spid (socat), uid $(id -u), gid $(id -g)" ]
}

@test "listen -k -U serves two clients at once, and bad operands are usage errors" {
	ulisten l -k --echo "$(tmp)/k.sock"
	run -0 timeout 5 "$SOCKT" send -U "$(tmp)/k.sock" one
	[ "$output" = one ]
	run -0 timeout 5 "$SOCKT" send -U "$(tmp)/k.sock" two
	[ "$output" = two ]
	kill "$LPID"
	run -2 "$SOCKT" connect -U
	[ "${lines[0]}" = "sockt connect: missing PATH (-U: a Unix socket path, or @NAME)" ]
	run -2 "$SOCKT" listen -U "$(tmp)/a" extra
	[ "${lines[0]}" = "sockt listen: unexpected argument 'extra' after PATH" ]
	run -2 "$SOCKT" connect -U -z "$(tmp)/a"
	[ "${lines[0]}" = "sockt connect: -U takes none of -z, -s, -p, --tos, -I, --linger" ]
	run -2 "$SOCKT" listen -U --linger 0 "$(tmp)/a"
	[ "${lines[0]}" = "sockt listen: -U takes neither -I nor --linger (TCP's RST)" ]
}

@test "udp-recv --dgram writes each datagram from socat and names its sender with -v" {
	local sock
	sock="$(tmp)/d.sock"
	spawn rx "$SOCKT" -v --json udp-recv --dgram -c 2 -w 5 "$sock"
	wait_for_line "$(tmp)/rx.err" 'listening on'
	grep -qx "sockt udp-recv: listening on $sock (unix dgram)" "$(tmp)/rx.err"
	printf 'one' | timeout 5 socat -u - "UNIX-SENDTO:$sock"
	timeout 5 socat -u - "UNIX-SENDTO:$sock,bind=$(tmp)/from.sock" <<<"two"
	wait_exit "$SPAWNED_PID"
	[ "$EXIT_STATUS" = 0 ]
	[ "$(sed -n 1p "$(tmp)/rx.out")" = '{"from":"unnamed","bytes":3,"data":"one"}' ]
	[ "$(sed -n 2p "$(tmp)/rx.out")" = '{"from":"'"$(tmp)"'/from.sock","bytes":4,"data":"two\n"}' ]
	grep -qx "sockt udp-recv: 3 bytes from unnamed" "$(tmp)/rx.err"
	grep -qx "sockt udp-recv: 4 bytes from $(tmp)/from.sock" "$(tmp)/rx.err"
	[ ! -e "$sock" ]
}

@test "udp-send -U sends stdin's lines to socat, and --reply takes udp-recv --echo's answers" {
	local sock
	sock="$(tmp)/r.sock"
	spawn rx socat -u "UNIX-RECV:$sock" -
	wait_for_line /proc/net/unix "$sock\$"
	printf 'l1\nl2\n' | timeout 5 "$SOCKT" udp-send -U "$sock"
	wait_for_line "$(tmp)/rx.out" 'l1l2'
	spawn echo "$SOCKT" udp-recv -U --echo -c 1 "@sockt-echo-$$"
	wait_for_line /proc/net/unix "@sockt-echo-$$\$"
	run -0 --separate-stderr timeout 5 "$SOCKT" -v udp-send -U --reply 2 "@sockt-echo-$$" ping
	[ "$output" = ping ]
	[[ "${stderr_lines[0]}" =~ ^"sockt udp-send: sending from @"[0-9a-f]+" to @sockt-echo-$$ (unix dgram)"$ ]]
	[ "${stderr_lines[1]}" = "sockt udp-send: 4 bytes from @sockt-echo-$$" ]
	run -1 "$SOCKT" udp-send -U "$(tmp)/none.sock" x
	[ "${lines[0]}" = "sockt udp-send: connect to $(tmp)/none.sock (unix dgram): No such file or directory [ENOENT, errno 2]" ]
	run -1 "$SOCKT" udp-send -U --reply 0.2 "$sock" x
	[ "${lines[0]}" = "sockt udp-send: no reply from $sock within 200 ms" ]
}

@test "listen -U ended by SIGTERM removes its socket file, with status 143" {
	ulisten l "$(tmp)/t.sock"
	[ -S "$(tmp)/t.sock" ]
	kill -TERM "$LPID"
	wait_exit "$LPID"
	[ "$EXIT_STATUS" = 143 ]
	[ ! -e "$(tmp)/t.sock" ]
}

@test "state -x lists a listening socket with its path, state and owner, from netlink and /proc" {
	local sock inode
	sock="$(tmp)/st.sock"
	upeer srv hold "$sock"
	run -0 "$SOCKT" -v state -x "$sock"
	[ "${lines[0]}" = "sockt state: source: netlink (NETLINK_SOCK_DIAG, UNIX_DIAG)" ]
	[[ "${lines[1]}" =~ ^TYPE\ +STATE\ +INODE\ +PEER\ +UID\ +OWNER\ +PATH$ ]]
	[[ "${lines[2]}" =~ ^stream\ +LISTEN\ +[0-9]+\ +-\ +$(id -u)\ +$SPAWNED_PID/python3\ +$sock$ ]]
	[ "${lines[3]}" = "1 Unix socket: 1 LISTEN" ]
	inode=$(awk '{print $3}' <<<"${lines[2]}")
	run -0 env SOCKT_SOCKDIAG=proc "$SOCKT" state -x -H "$sock"
	[[ "$output" =~ ^stream\ +LISTEN\ +$inode\ +-\ +-\ +$sock$ ]]
	# A connection shows both ends, each naming the other as its peer.
	spawn cli socat -u "UNIX-CONNECT:$sock" /dev/null
	wait_for_line /proc/net/unix " 03 .* $sock\$"
	run -0 --separate-stderr "$SOCKT" --json state -x "$sock"
	[ "$(jq -r 'select(.type == "unix") | .state' <<<"$output" | sort | tr '\n' ' ')" = "CONNECTED LISTEN " ]
	[ "$(jq -r 'select(.type == "summary") | .total' <<<"$output")" = 2 ]
	run -2 "$SOCKT" state -x -u
	[ "${lines[0]}" = "sockt state: -x takes neither -u nor --state" ]
}
