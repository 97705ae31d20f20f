#!/bin/bash
# tests/valgrind.sh SOCKT: a memcheck pass over a representative subset of
# sockt (doc/contract.md: no leaks, no undefined behaviour), for a build without
# sanitizers. Each case runs sockt under valgrind against a real peer on
# loopback and checks both its exit status and valgrind's verdict: zero
# errors, zero bytes definitely lost. Exits 0 when every case is clean.
#
#   tests/valgrind.sh src/sockt           (from a build directory)
set -u

sockt=$(readlink -f "${1:?usage: tests/valgrind.sh path/to/sockt}")
here=$(cd "$(dirname "$0")" && pwd)
hostile=$here/lib/hostile.py

# As make check does: no name lookup may leave this machine, so run in a
# private mount namespace whose nsswitch.conf says "hosts: files", with a
# hosts file of our own, so that the names below are known everywhere.
if [ -z "${SOCKT_VALGRIND_NS:-}" ] && [ "$(id -u)" = 0 ] && unshare -m true 2>/dev/null; then
	SOCKT_VALGRIND_NS=$(mktemp /tmp/sockt-valgrind-hosts.XXXXXX) || exit 1
	export SOCKT_VALGRIND_NS
	printf '127.0.0.1 localhost\n::1 localhost ip6-localhost\n' >"$SOCKT_VALGRIND_NS"
	unshare -m sh -c 'mount --bind "$0" /etc/nsswitch.conf &&
		mount --bind "$SOCKT_VALGRIND_NS" /etc/hosts && exec "$@"' \
	    "$here/lib/nsswitch.conf" "$0" "$@"
	status=$?
	rm -f "$SOCKT_VALGRIND_NS"
	exit $status
fi
if [ -z "${SOCKT_VALGRIND_NS:-}" ]; then
	echo "valgrind.sh: not root: using this machine's own name service" >&2
fi

command -v valgrind >/dev/null || { echo "valgrind.sh: valgrind is not installed" >&2; exit 1; }
if nm "$sockt" 2>/dev/null | grep -q __asan_init; then
	echo "valgrind.sh: $sockt is a sanitizer build; valgrind needs a plain one" >&2
	exit 1
fi

work=$(mktemp -d /tmp/sockt-valgrind.XXXXXX)
pids=()
cleanup() {
	local pid
	for pid in "${pids[@]}"; do
		kill "$pid" 2>/dev/null
	done
	wait 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

cases=0
failed=0
vg=(valgrind --leak-check=full --errors-for-leak-kinds=definite --error-exitcode=99
	--show-leak-kinds=definite --child-silent-after-fork=yes)

# check NAME EXPECTED STATUS: valgrind's log of case NAME is clean and sockt's
# status was EXPECTED.
check() {
	local name=$1 expected=$2 status=$3 log=$work/$1.vg
	cases=$((cases + 1))
	if [ "$status" = "$expected" ] && grep -q 'ERROR SUMMARY: 0 errors' "$log" &&
	    ! grep -q 'definitely lost: [1-9]' "$log"; then
		echo "ok   $name"
		return 0
	fi
	failed=$((failed + 1))
	echo "FAIL $name: status $status (expected $expected)"
	sed 's/^/    /' "$log" "$work/$name.err" 2>/dev/null | tail -n 40
}

# run_case NAME EXPECTED SOCKT-ARGS...: sockt under valgrind in the foreground,
# stdin from $STDIN (default /dev/null), stdout to NAME.out.
run_case() {
	local name=$1 expected=$2 status=0
	shift 2
	timeout 60 "${vg[@]}" --log-file="$work/$name.vg" "$sockt" "$@" \
	    <"${STDIN:-/dev/null}" >"$work/$name.out" 2>"$work/$name.err" || status=$?
	check "$name" "$expected" "$status"
}

# start_case NAME SOCKT-ARGS...: sockt -v under valgrind in the background;
# waits for its "listening on" line and sets PORT and PID.
start_case() {
	local name=$1 i
	shift
	"${vg[@]}" --log-file="$work/$name.vg" "$sockt" -v "$@" \
	    <"${STDIN:-/dev/null}" >"$work/$name.out" 2>"$work/$name.err" &
	PID=$!
	pids+=("$PID")
	for ((i = 0; i < 500; i++)); do
		grep -q 'listening on' "$work/$name.err" 2>/dev/null && break
		sleep 0.02
	done
	PORT=$(sed -n 's/.*listening on .* port \([0-9]*\)$/\1/p' "$work/$name.err" | head -n 1)
}

# finish_case NAME EXPECTED: waits (bounded) for the background case to end.
finish_case() {
	local name=$1 expected=$2 status=0 i
	for ((i = 0; i < 1500; i++)); do
		kill -0 "$PID" 2>/dev/null || break
		sleep 0.02
	done
	if kill -0 "$PID" 2>/dev/null; then
		kill "$PID"
		echo "  ($name still running after 30 s: killed)" >>"$work/$name.vg"
	fi
	wait "$PID" || status=$?
	check "$name" "$expected" "$status"
}

# peer NAME MODE ARGS...: a python3 peer in the background; a server's port in PEER_PORT.
peer() {
	local name=$1 i
	shift
	python3 "$hostile" "$@" >"$work/$name.peer" 2>&1 &
	pids+=("$!")
	for ((i = 0; i < 250; i++)); do
		grep -Eq '^[0-9]+$' "$work/$name.peer" 2>/dev/null && break
		sleep 0.02
	done
	PEER_PORT=$(head -n 1 "$work/$name.peer")
}

# wait_closed NAME N: until a -v case has said N connection summaries (bounded).
wait_closed() {
	local i
	for ((i = 0; i < 250; i++)); do
		[ "$(grep -c 'closed:' "$work/$1.err")" -ge "$2" ] && return 0
		sleep 0.02
	done
}

# free_port [tcp|udp]: a port the kernel has just handed out and freed.
free_port() {
	python3 -c 'import socket, sys
s = socket.socket(type=socket.SOCK_DGRAM if sys.argv[1] == "udp" else socket.SOCK_STREAM)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])' "${1:-tcp}"
}

start=$SECONDS
head -c 4M /dev/urandom >"$work/4M"

# Usage errors and help: the option tables, opt_usage_error, the exits.
run_case usage-none 2
run_case usage-unknown 2 nosuch
run_case usage-port 2 connect 127.0.0.1 70000
run_case usage-count 2 raw-ping -c x 127.0.0.1
run_case usage-duration 2 listen -w -1 0
run_case usage-bracket 2 connect '[::1' 80
run_case help 0 help listen
run_case version 0 --version

# resolve: forward, reverse, JSON, a name that does not resolve.
run_case resolve 0 resolve 127.0.0.1 ::1 localhost
run_case resolve-json 0 --json resolve -l --canonical localhost
run_case resolve-fail 3 resolve no-such-host.invalid

# connect and listen: a 4 MiB relay each way with a python peer.
peer flood server-flood 127.0.0.1 4194304
STDIN=$work/4M run_case connect-relay 0 connect 127.0.0.1 "$PEER_PORT"
STDIN=$work/4M start_case listen-relay listen ::1 0
python3 "$hostile" client-flood ::1 "$PORT" 4194304 >"$work/listen-relay.peer" 2>&1
finish_case listen-relay 0
peer reset server-reset 127.0.0.1
STDIN=$work/4M run_case connect-reset 1 connect 127.0.0.1 "$PEER_PORT"
run_case connect-refused 1 connect -v 127.0.0.1 "$(free_port)"

# listen -k --echo serves several clients at once; it ends only by a signal,
# which valgrind still follows with its leak check.
start_case listen-echo listen -k --echo 127.0.0.1 0
for i in 1 2 3; do
	python3 "$hostile" echo-once 127.0.0.1 "$PORT" "client $i" >/dev/null 2>&1 &
done
wait_closed listen-echo 3
kill -TERM "$PID"
finish_case listen-echo 143

# listen -k relaying to stdout ends quietly when stdout's reader goes away.
(
	"${vg[@]}" --log-file="$work/listen-k.vg" "$sockt" -v listen -k 127.0.0.1 0 \
	    </dev/null 2>"$work/listen-k.err" | head -c 250000 >/dev/null
	echo "${PIPESTATUS[0]}" >"$work/listen-k.status"
) &
pids+=("$!")
for ((i = 0; i < 500; i++)); do
	grep -q 'listening on' "$work/listen-k.err" 2>/dev/null && break
	sleep 0.02
done
PORT=$(sed -n 's/.*listening on .* port \([0-9]*\)$/\1/p' "$work/listen-k.err" | head -n 1)
for i in 1 2 3 4; do
	timeout 10 python3 "$hostile" client-flood 127.0.0.1 "$PORT" 100000 >/dev/null 2>&1
done
for ((i = 0; i < 500; i++)); do
	[ -s "$work/listen-k.status" ] && break
	sleep 0.02
done
check listen-k 0 "$(cat "$work/listen-k.status" 2>/dev/null || echo none)"

# send: one request, one reply.
peer reply server-reply 127.0.0.1
run_case send 0 send 127.0.0.1 "$PEER_PORT" hello world

# udp: udp-recv --echo answers udp-send --reply; udp-recv --json and --hex.
start_case udp-echo udp-recv --echo -c 2 127.0.0.1 0
run_case udp-send-reply 0 -v udp-send --reply 1 -c 2 127.0.0.1 "$PORT" ping
finish_case udp-echo 0
start_case udp-json --json udp-recv -c 3 ::1 0
run_case udp-send 0 udp-send -c 3 ::1 "$PORT" hello
finish_case udp-json 0
start_case udp-hex udp-recv --hex -c 1 127.0.0.1 0
STDIN=$work/4M run_case udp-send-whole 4 udp-send --whole 127.0.0.1 "$PORT"
python3 "$hostile" udp-send-nasty 127.0.0.1 "$PORT"
finish_case udp-hex 0
run_case udp-refused 1 udp-send --reply 1 127.0.0.1 "$(free_port udp)" x

# state: TCP and UDP, text and JSON, and the EADDRINUSE hint that reads it.
peer held named holder 127.0.0.1
run_case state 0 state
run_case state-udp 0 state -u
run_case state-json 0 --json state "$PEER_PORT"
run_case bind-in-use 4 listen 127.0.0.1 "$PEER_PORT"

# raw-ping: three requests to each loopback address.
run_case raw-ping 0 raw-ping -i 0.2 -c 3 127.0.0.1
run_case raw-ping6 0 raw-ping -i 0.2 -c 3 ::1

# scan
run_case scan 1 connect -z 127.0.0.1 1-20 "$PEER_PORT"
# every address of a name (localhost is ::1 and 127.0.0.1 in the hosts file above)
run_case scan-name 1 connect -z --parallel 4 localhost 1-20 "$PEER_PORT"

echo "$cases cases, $failed failed, $((SECONDS - start)) s"
[ "$failed" -eq 0 ]
