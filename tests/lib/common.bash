# tests/lib/common.bash: shared helpers for the bats suites. Load with
#   load lib/common
# and call common_teardown from each file's teardown (it is the default teardown).
# Everything a test starts (processes, namespaces, files) is recorded and undone,
# even when the test fails. The python3 peers are scripts beside this file (tcp_server.py,
# tcp_client.py, udp_peer.py, hold.py, hostile.py, icmp_responder.py); namespaces and veth
# links are made by netns.bash.

: "${SOCKT:?SOCKT must point at the sockt binary (make check sets it)}"

# The directory of the shared fixtures, exported for helpers that a test runs in "bash -c".
# The peers import peer.py from it; no bytecode is written beside them, so that the source
# tree stays as it was (and may be read-only).
export TESTLIB="$BATS_TEST_DIRNAME/lib"
export PYTHONDONTWRITEBYTECODE=1
source "$TESTLIB/netns.bash"

# The directory for this test's files; bats removes it.
tmp() { printf '%s' "${BATS_TEST_TMPDIR:?}"; }

# free_port [tcp|udp] [ADDRESS]: a port the kernel has just handed out and freed.
free_port() {
	python3 "$TESTLIB/ports.py" free "${1:-tcp}" "${2:-127.0.0.1}"
}

# spawn NAME CMD...: runs CMD in the background with stdout/stderr in $(tmp)/NAME.out/.err,
# stdin from /dev/null unless STDIN_FILE is set; records its PID for teardown.
# The PID is in $SPAWNED_PID and in $(tmp)/NAME.pid.
spawn() {
	local name=$1
	shift
	"$@" <"${STDIN_FILE:-/dev/null}" >"$(tmp)/$name.out" 2>"$(tmp)/$name.err" &
	SPAWNED_PID=$!
	echo "$SPAWNED_PID" >"$(tmp)/$name.pid"
	echo "$SPAWNED_PID" >>"$(tmp)/.pids"
}

# listen NAME ARGS...: starts `sockt listen -v ARGS` in the background as NAME (see spawn),
# waits for its first stderr line and sets PORT from it, and LPID.
listen() {
	local name=$1
	shift
	spawn "$name" "$SOCKT" listen -v "$@"
	LPID=$SPAWNED_PID
	wait_for_line "$(tmp)/$name.err" 'listening on'
	PORT=$(sed -n '1s/^sockt listen: listening on .* port \([0-9][0-9]*\)$/\1/p' "$(tmp)/$name.err")
	[ -n "$PORT" ]
}

# finished PID: waits (bounded) for a spawned process and sets EXIT_STATUS, also when it is
# not 0 (wait_exit's `wait` would trip errexit then). The UDP files keep a NAME form of their own.
finished() {
	EXIT_STATUS=
	wait_exit "$@" || true
	[ -n "$EXIT_STATUS" ]
}

# tcp_server NAME MODE HOST PORT [ARG]: tests/lib/tcp_server.py (see its modes) for one
# connection, in the background as NAME (see spawn), in the namespace $PEER_NETNS if that is
# set. Returns once it listens, with its port (PORT 0: the kernel's choice) in $PORT.
tcp_server() {
	local name=$1
	shift
	spawn "$name" ${PEER_NETNS:+ip netns exec "$PEER_NETNS"} python3 "$TESTLIB/tcp_server.py" "$@"
	wait_for_line "$(tmp)/$name.out" '^[0-9]+$' || return 1
	PORT=$(head -n 1 "$(tmp)/$name.out")
}

# tcp_client MODE HOST PORT [ARG]: tests/lib/tcp_client.py (see its modes), in the foreground.
tcp_client() {
	python3 "$TESTLIB/tcp_client.py" "$@"
}

# big_file FILE [SIZE]: SIZE (64M by default, as head -c reads it) random bytes in FILE, and
# their sha256 in hex in FILE.sha: the large transfers' data, made in this one place.
big_file() {
	head -c "${2:-64M}" /dev/urandom >"$1"
	sha256sum <"$1" | cut -d' ' -f1 >"$1.sha"
}

# wait_for_line FILE REGEX [SECONDS]: polls FILE until a line matches (bounded).
wait_for_line() {
	local file=$1 re=$2 limit=${3:-5} i
	for ((i = 0; i < limit * 50; i++)); do
		if [ -f "$file" ] && grep -Eq -- "$re" "$file"; then
			return 0
		fi
		sleep 0.02
	done
	echo "timed out after ${limit}s waiting for /$re/ in $file:" >&2
	cat "$file" >&2 2>/dev/null
	return 1
}

# wait_listening PORT [tcp|udp] [SECONDS] [NETNS]: until a socket listens on PORT (ss).
wait_listening() {
	local port=$1 proto=${2:-tcp} limit=${3:-5} ns=${4:-} i flag=-Hltn
	[ "$proto" = udp ] && flag=-Hlun
	for ((i = 0; i < limit * 50; i++)); do
		if [ -n "$ns" ]; then
			ip netns exec "$ns" ss $flag "sport = :$port" | grep -q . && return 0
		else
			ss $flag "sport = :$port" | grep -q . && return 0
		fi
		sleep 0.02
	done
	echo "timed out after ${limit}s waiting for a $proto listener on port $port" >&2
	return 1
}

# wait_exit PID [SECONDS]: waits for a spawned process to end; its status in $EXIT_STATUS.
wait_exit() {
	local pid=$1 limit=${2:-10} i
	for ((i = 0; i < limit * 50; i++)); do
		if ! kill -0 "$pid" 2>/dev/null; then
			# "|| ..." keeps a non-zero status from failing the test under bats' set -e.
			EXIT_STATUS=0
			wait "$pid" 2>/dev/null || EXIT_STATUS=$?
			return 0
		fi
		sleep 0.02
	done
	echo "process $pid still running after ${limit}s" >&2
	return 1
}

# require_root: network-namespace tests need root; anywhere else they are skipped, loudly.
require_root() {
	if [ "$(id -u)" != 0 ]; then
		echo "# SKIPPED (not root): $BATS_TEST_DESCRIPTION" >&3
		skip "needs root for network namespaces"
	fi
}

# with_hosts FILE CMD...: runs CMD with FILE mounted over /etc/hosts and a private
# nsswitch.conf ("hosts: files": no DNS query leaves the machine), in a private mount
# namespace, so that tests know exactly what names resolve to.
with_hosts() {
	local file=$1 userns=
	shift
	[ "$(id -u)" = 0 ] || userns=-r
	unshare $userns -m sh -c 'mount --bind "$0" /etc/hosts &&
		mount --bind "$1" /etc/nsswitch.conf && shift && exec "$@"' \
	    "$file" "$BATS_TEST_DIRNAME/lib/nsswitch.conf" "$@"
}

common_teardown() {
	local pid ns
	if [ -f "$(tmp)/.pids" ]; then
		while read -r pid; do
			kill "$pid" 2>/dev/null
		done <"$(tmp)/.pids"
		while read -r pid; do
			for _ in 1 2 3 4 5 6 7 8 9 10; do
				kill -0 "$pid" 2>/dev/null || break
				sleep 0.05
			done
			kill -9 "$pid" 2>/dev/null
		done <"$(tmp)/.pids"
		rm -f "$(tmp)/.pids"
	fi
	if [ -f "$(tmp)/.netns" ]; then
		while read -r ns; do
			ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null
			ip netns del "$ns" 2>/dev/null
		done <"$(tmp)/.netns"
		rm -f "$(tmp)/.netns"
	fi
}

teardown() {
	common_teardown
}
