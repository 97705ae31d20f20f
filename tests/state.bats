#!/usr/bin/env bats
# state.bats: sockt-state(1) and the EADDRINUSE/EACCES hints of sockt(1), DIAGNOSTICS: TIME_WAIT made on
# purpose by python3 peers on 127.0.0.1 and ::1, checked against ss and /proc.
# run-bats: own network namespace

bats_require_minimum_version 1.5.0
load lib/common

# make_time_wait N [REUSE] [PORT]: N connections on 127.0.0.1 whose server side closes
# first, so that the server's port holds N TIME_WAIT sockets; REUSE 0 makes the listener
# without SO_REUSEADDR. Prints the port.
make_time_wait() {
	python3 "$TESTLIB/time_wait.py" "$1" "${2:-1}" "${3:-0}"
}

# hold NAME KIND ADDRESS: tests/lib/hold.py in the background: KIND "tcp" listens, "udp" is
# bound. Its port is in $(tmp)/NAME.port once it is ready.
hold() {
	spawn "$1" python3 "$TESTLIB/hold.py" "$2" "$3" 0
	wait_for_line "$(tmp)/$1.out" '^ready$'
	head -n 1 "$(tmp)/$1.out" >"$(tmp)/$1.port"
}

# tw_count PORT: what ss says, the reference count of TIME_WAIT sockets on PORT.
tw_count() {
	ss -Htan state time-wait "( sport = :$1 or dport = :$1 )" | wc -l
}

@test "state: TIME_WAIT made by a python server is listed with the time left" {
	port=$(make_time_wait 3)
	run --separate-stderr "$SOCKT" state "$port"
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" =~ ^STATE\ {6}LOCAL\ +REMOTE\ +TIMER$ ]]
	[ "$(grep -c "^TIME_WAIT  127.0.0.1:$port  127.0.0.1:[0-9]* *timewait:[0-9.]*s$" <<<"$output")" -eq 3 ]
	# Linux holds TIME_WAIT for 60 s: the time left is (0, 60].
	for left in $(awk '$1 == "TIME_WAIT" { sub("timewait:", "", $4); sub("s", "", $4); print $4 }' <<<"$output"); do
		awk -v t="$left" 'BEGIN { exit !(t > 0 && t <= 60) }'
	done
	[ "${lines[-1]}" = "3 TCP sockets on port $port: 3 TIME_WAIT" ]
	[ "$stderr" = "" ]
}

@test "state: ss agrees on the number of TIME_WAIT sockets on a port" {
	port=$(make_time_wait 4)
	run "$SOCKT" state -H --state time-wait "$port"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 4 ]
	[ "${#lines[@]}" -eq "$(tw_count "$port")" ]
}

@test "state: ss, netlink and /proc agree on every TIME_WAIT socket of a namespace" {
	require_root
	netns_new tw
	in_ns "$NETNS" bash -c "$(declare -f make_time_wait); make_time_wait 5 >/dev/null; make_time_wait 3 >/dev/null"
	want=$(in_ns "$NETNS" ss -Htan state time-wait | wc -l)
	[ "$want" -eq 8 ]
	run in_ns "$NETNS" "$SOCKT" state -H --state time-wait
	[ "${#lines[@]}" -eq "$want" ]
	run in_ns "$NETNS" "$SOCKT" state
	[ "${lines[-1]}" = "8 TCP sockets: 8 TIME_WAIT" ]
	run in_ns "$NETNS" env SOCKT_SOCKDIAG=proc "$SOCKT" state
	[ "${lines[-1]}" = "8 TCP sockets: 8 TIME_WAIT" ]
}

@test "state: --json is one object per socket and a summary, and python parses it" {
	port=$(make_time_wait 2)
	run --separate-stderr "$SOCKT" --json state "$port"
	[ "$status" -eq 0 ]
	cat >"$(tmp)/check.py" <<-'PY'
	import json, sys
	port = int(sys.argv[1])
	objs = [json.loads(line) for line in sys.stdin]
	socks = [o for o in objs if o["type"] == "socket"]
	summary = objs[-1]
	assert len(socks) == 2, objs
	for s in socks:
	    assert s["state"] == "TIME_WAIT" and s["timer"] == "timewait", s
	    assert s["local"] == "127.0.0.1" and s["local_port"] == port, s
	    assert 0 < s["expires_ms"] <= 60000 and s["inode"] == 0, s
	    assert s["family"] == "inet" and s["protocol"] == "tcp", s
	assert summary["type"] == "summary" and summary["total"] == 2, summary
	assert summary["port"] == port and summary["source"] == "netlink", summary
	assert summary["states"] == [{"state": "TIME_WAIT", "count": 2}], summary
	PY
	python3 "$(tmp)/check.py" "$port" <<<"$output"
}

@test "state: the /proc fallback (SOCKT_SOCKDIAG=proc) lists the same sockets as netlink" {
	port=$(make_time_wait 3)
	hold lsn tcp 127.0.0.1
	lport=$(cat "$(tmp)/lsn.port")
	# The timer's time left moves between the two runs: keep its kind only.
	cols() { awk '{ sub(":.*", "", $4); print $1, $2, $3, $4 }'; }
	for p in "$port" "$lport"; do
		netlink=$("$SOCKT" state -H "$p" | cols)
		run --separate-stderr env SOCKT_SOCKDIAG=proc "$SOCKT" -v state -H "$p"
		[ "$status" -eq 0 ]
		[ "$stderr" = "sockt state: source: /proc/net/tcp and tcp6 (SOCKT_SOCKDIAG=proc)" ]
		[ "$(cols <<<"$output")" = "$netlink" ]
	done
	run env SOCKT_SOCKDIAG=proc "$SOCKT" state -H "$port"
	[ "${#lines[@]}" -eq 3 ]
	[ "${#lines[@]}" -eq "$(tw_count "$port")" ]
	run env SOCKT_SOCKDIAG=proc "$SOCKT" state -H "$lport"
	[[ "$output" =~ ^LISTEN\ +127\.0\.0\.1:$lport\ +0\.0\.0\.0:\*\ +-$ ]]
}

@test "state: when netlink fails, /proc is read and -v says why; =netlink makes it an error" {
	command -v strace >/dev/null || skip "no strace"
	port=$(make_time_wait 2)
	# strace makes socket(2) fail as on a kernel without NETLINK_SOCK_DIAG (LeakSanitizer
	# cannot run under ptrace, so an ASan build is told not to try).
	no_netlink() {
		ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
			strace -f -o /dev/null -e trace=socket -e inject=socket:error=EPROTONOSUPPORT "$@"
	}
	run --separate-stderr no_netlink "$SOCKT" -v state -H "$port"
	[ "$status" -eq 0 ]
	[ "$stderr" = "sockt state: source: /proc/net/tcp and tcp6 (netlink: Protocol not supported [EPROTONOSUPPORT, errno 93])" ]
	[ "${#lines[@]}" -eq 2 ]
	[[ "${lines[0]}" == "TIME_WAIT  127.0.0.1:$port  "* ]]
	run --separate-stderr no_netlink env SOCKT_SOCKDIAG=netlink "$SOCKT" state "$port"
	[ "$status" -eq 4 ]
	[ "$output" = "" ]
	[ "$stderr" = "sockt state: read the socket table from netlink (NETLINK_SOCK_DIAG): Protocol not supported [EPROTONOSUPPORT, errno 93]" ]
}

@test "state: -v says netlink was used, filtered by port in the kernel, and names the owner" {
	hold lsn tcp 127.0.0.1
	port=$(cat "$(tmp)/lsn.port")
	run --separate-stderr "$SOCKT" -v state "$port"
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"source: netlink (NETLINK_SOCK_DIAG), filtered in the kernel by port"* ]]
	[ "${lines[0]}" = "$(printf '%-6s  %-15s  %-9s  %-5s  OWNER' STATE LOCAL REMOTE TIMER)" ]
	[ "${lines[1]}" = "$(printf '%-6s  %-15s  %-9s  %-5s  %s' LISTEN "127.0.0.1:$port" '0.0.0.0:*' - "$(cat "$(tmp)/lsn.pid")/python3")" ]
	[ "${lines[-1]}" = "1 TCP socket on port $port: 1 LISTEN" ]
}

@test "state: SOCKT_SOCKDIAG=netlink and =proc agree on the owner in JSON" {
	hold lsn tcp 127.0.0.1
	port=$(cat "$(tmp)/lsn.port")
	cat >"$(tmp)/check.py" <<-'PY'
	import json, sys
	objs = [json.loads(line) for line in sys.stdin]
	s, summary = objs[0], objs[-1]
	assert len(objs) == 2, objs
	assert s["state"] == "LISTEN" and s["pid"] == int(sys.argv[2]), s
	assert s["process"] == "python3" and s["inode"] > 0, s
	assert summary["source"] == sys.argv[1], summary
	PY
	for source in netlink proc; do
		run --separate-stderr env SOCKT_SOCKDIAG=$source "$SOCKT" -v --json state "$port"
		[ "$status" -eq 0 ]
		python3 "$(tmp)/check.py" "$source" "$(cat "$(tmp)/lsn.pid")" <<<"$output"
	done
}

@test "state -u: lists a python UDP socket, from netlink and from /proc" {
	hold udp udp 127.0.0.1
	port=$(cat "$(tmp)/udp.port")
	run --separate-stderr "$SOCKT" -v state -u "$port"
	[ "$status" -eq 0 ]
	[[ "${lines[1]}" =~ ^UNCONNECTED\ +127\.0\.0\.1:$port\ +0\.0\.0\.0:\*\ +-\ +[0-9]+/python3$ ]]
	[ "${lines[-1]}" = "1 UDP socket on port $port: 1 UNCONNECTED" ]
	run env SOCKT_SOCKDIAG=proc "$SOCKT" state -u -H "$port"
	[[ "$output" =~ ^UNCONNECTED\ +127\.0\.0\.1:$port\ +0\.0\.0\.0:\*\ +-$ ]]
	# Without -u only TCP is listed (a TCP socket may happen to use the same number).
	run "$SOCKT" state -H "$port"
	[[ "$output" != *UNCONNECTED* ]]
	[[ "$output" != *"127.0.0.1:$port  "*"0.0.0.0:*"* ]]
}

@test "state: IPv6 sockets are written in brackets, and -4 leaves them out" {
	hold lsn6 tcp ::1
	port=$(cat "$(tmp)/lsn6.port")
	run "$SOCKT" state -H "$port"
	[[ "$output" =~ ^LISTEN\ +\[::1\]:$port\ +\[::\]:\*\ +-$ ]]
	run env SOCKT_SOCKDIAG=proc "$SOCKT" state -H "$port"
	[[ "$output" =~ ^LISTEN\ +\[::1\]:$port\ +\[::\]:\*\ +-$ ]]
	run "$SOCKT" -4 state -H "$port"
	[ "$output" = "" ]
}

@test "state: a SYN that gets no answer shows its retransmission timer" {
	require_root
	netns_new st
	in_ns "$NETNS" nft 'add table inet t'
	in_ns "$NETNS" nft 'add chain inet t out { type filter hook output priority 0; }'
	in_ns "$NETNS" nft 'add rule inet t out tcp dport 9 drop'
	spawn syn ip netns exec "$NETNS" python3 -c '
import socket, time
s = socket.socket()
s.setblocking(False)
try:
    s.connect(("127.0.0.1", 9))
except BlockingIOError:
    pass
time.sleep(20)'
	for _ in $(seq 100); do
		in_ns "$NETNS" ss -Htan state syn-sent | grep -q . && break
		sleep 0.05
	done
	run in_ns "$NETNS" "$SOCKT" state -H 9
	[[ "$output" =~ ^SYN_SENT\ +127\.0\.0\.1:[0-9]+\ +127\.0\.0\.1:9\ +retrans:[0-9]\.[0-9]{3}s(/[0-9]+)?$ ]]
	run in_ns "$NETNS" env SOCKT_SOCKDIAG=proc "$SOCKT" state -H 9
	[[ "$output" =~ ^SYN_SENT\ +127\.0\.0\.1:[0-9]+\ +127\.0\.0\.1:9\ +retrans:[0-9]\.[0-9]{3}s(/[0-9]+)?$ ]]
}

@test "state: bad arguments are usage errors (status 2)" {
	run --separate-stderr "$SOCKT" state 70000
	[ "$status" -eq 2 ]
	[ "${stderr_lines[0]}" = "sockt state: invalid port '70000': must be 1-65535 or a service name" ]
	run --separate-stderr "$SOCKT" state 0
	[ "$status" -eq 2 ]
	run --separate-stderr "$SOCKT" state --state waiting
	[ "$status" -eq 2 ]
	[[ "${stderr_lines[0]}" == "sockt state: invalid state 'waiting': must be one of "* ]]
	run --separate-stderr "$SOCKT" state 80 81
	[ "$status" -eq 2 ]
	run --separate-stderr env SOCKT_SOCKDIAG=carrier-pigeon "$SOCKT" state
	[ "$status" -eq 2 ]
	[ "$stderr" = "sockt state: SOCKT_SOCKDIAG='carrier-pigeon': must be auto, netlink or proc" ]
}

@test "state: a service name is a port, and the count per state adds up" {
	port=$(make_time_wait 2)
	hold lsn tcp 127.0.0.1
	run "$SOCKT" state --state time-wait,listen
	[ "$status" -eq 0 ]
	n=$(grep -c -E '^(TIME_WAIT|LISTEN) ' <<<"$output")
	[[ "${lines[-1]}" =~ ^$n\ TCP\ sockets:\  ]]
	run "$SOCKT" state -H ssh
	[ "$status" -eq 0 ]
}

@test "listen: --no-reuseaddr on a port in TIME_WAIT fails with status 4, EADDRINUSE and a hint naming TIME_WAIT" {
	port=$(make_time_wait 3)
	# -w 1: should the bind wrongly succeed, the test fails in a second instead of hanging.
	run --separate-stderr "$SOCKT" listen --no-reuseaddr -w 1 "$port" </dev/null
	[ "$status" -eq 4 ]
	[[ "${stderr_lines[0]}" == "sockt listen: bind to "*" port $port (tcp): Address already in use [EADDRINUSE, errno 98]" ]]
	[[ "${stderr_lines[1]}" =~ ^sockt\ listen:\ hint:\ 3\ connections\ on\ port\ $port\ are\ in\ TIME_WAIT,\ the\ last\ leaves\ it\ in\ [0-9]+\ s\;\ wait,\ or\ leave\ out\ --no-reuseaddr\ \(SO_REUSEADDR\ binds\ over\ them\)$ ]]
}

@test "listen: --reuseaddr on a port in TIME_WAIT binds, relays, and its active close adds one" {
	port=$(make_time_wait 2)
	spawn lsn "$SOCKT" -v listen --reuseaddr 127.0.0.1 "$port"
	wait_for_line "$(tmp)/lsn.err" "listening on 127\.0\.0\.1 port $port"
	# The client closes only after listen's EOF (its stdin is empty), so listen is the active closer.
	python3 -c 'import socket, sys
c = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
c.sendall(b"through TIME_WAIT\n")
while c.recv(4096):
    pass
c.close()' "$port"
	wait_exit "$(cat "$(tmp)/lsn.pid")"
	[ "$EXIT_STATUS" -eq 0 ]
	[ "$(cat "$(tmp)/lsn.out")" = "through TIME_WAIT" ]
	grep -q "this side closed first and will hold TIME_WAIT" "$(tmp)/lsn.err"
	run "$SOCKT" state -H --state time-wait "$port"
	[ "${#lines[@]}" -eq 3 ]
	[ "$(awk -v l="127.0.0.1:$port" '$2 == l' <<<"$output" | wc -l)" -eq 3 ]
}

@test "listen: TIME_WAIT left without SO_REUSEADDR gets a hint that only waiting helps" {
	port=$(make_time_wait 1 0)
	# with the default and with --no-reuseaddr alike
	for opt in --reuseaddr --no-reuseaddr; do
		run --separate-stderr "$SOCKT" listen $opt -w 1 "$port" </dev/null
		[ "$status" -eq 4 ]
		[[ "${stderr_lines[0]}" == *"[EADDRINUSE, errno 98]" ]]
		[[ "${stderr_lines[1]}" =~ ^sockt\ listen:\ hint:\ 1\ connection\ on\ port\ $port\ is\ in\ TIME_WAIT\ and\ leaves\ it\ in\ [0-9]+\ s\;\ the\ program\ that\ made\ it\ did\ not\ set\ SO_REUSEADDR,\ so\ only\ waiting\ helps$ ]]
	done
}

@test "listen: a port held by a python listener gets a hint naming the process" {
	hold lsn tcp 127.0.0.1
	port=$(cat "$(tmp)/lsn.port")
	pid=$(cat "$(tmp)/lsn.pid")
	run --separate-stderr "$SOCKT" listen -w 1 127.0.0.1 "$port" </dev/null
	[ "$status" -eq 4 ]
	[ "${stderr_lines[0]}" = "sockt listen: bind to 127.0.0.1 port $port (tcp): Address already in use [EADDRINUSE, errno 98]" ]
	[ "${stderr_lines[1]}" = "sockt listen: hint: port $port has 1 TCP socket: 1 LISTEN" ]
	[ "${stderr_lines[2]}" = "sockt listen: hint: a listening socket on it belongs to python3 (pid $pid); stop that process, or choose another port" ]
}

@test "udp-recv: a port held by a python UDP socket gets a hint naming the process" {
	hold udp udp 127.0.0.1
	port=$(cat "$(tmp)/udp.port")
	run --separate-stderr "$SOCKT" udp-recv 127.0.0.1 "$port"
	[ "$status" -eq 4 ]
	[[ "${stderr_lines[0]}" == *"port $port (udp): Address already in use [EADDRINUSE, errno 98]" ]]
	[ "${stderr_lines[1]}" = "sockt udp-recv: hint: port $port has 1 UDP socket: 1 UNCONNECTED" ]
	[ "${stderr_lines[2]}" = "sockt udp-recv: hint: a UDP socket on it belongs to python3 (pid $(cat "$(tmp)/udp.pid")); stop that process, or choose another port" ]
}

@test "listen: a privileged port as an unprivileged user is EACCES with the sysctl's value" {
	require_root
	command -v setpriv >/dev/null || skip "no setpriv"
	start=$(cat /proc/sys/net/ipv4/ip_unprivileged_port_start)
	[ "$start" -gt 1 ] || skip "ip_unprivileged_port_start is $start: every port is free to bind"
	port=$((start - 1))
	run --separate-stderr setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
		"$SOCKT" listen 127.0.0.1 "$port"
	[ "$status" -eq 4 ]
	[ "${stderr_lines[0]}" = "sockt listen: bind to 127.0.0.1 port $port (tcp): Permission denied [EACCES, errno 13]" ]
	[ "${stderr_lines[1]}" = "sockt listen: hint: ports below $start need root or CAP_NET_BIND_SERVICE (net.ipv4.ip_unprivileged_port_start is $start); use a port of $start or more" ]
}

# close_peer PORT: a python server for one connection that reads until the client's EOF
# (or RST) and only then closes, so that the client is the active closer.
close_peer() {
	tcp_server peer drain 127.0.0.1 "$1"
}

@test "connect -v: after an active close the summary says this side holds TIME_WAIT, and ss sees it" {
	port=$(free_port)
	close_peer "$port"
	run --separate-stderr "$SOCKT" -v connect 127.0.0.1 "$port" </dev/null
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"this side closed first and will hold TIME_WAIT"* ]]
	[ "$(ss -Htan state time-wait "( dport = :$port )" | wc -l)" -eq 1 ]
	run "$SOCKT" state -H --state time-wait "$port"
	[[ "$output" =~ ^TIME_WAIT\ +127\.0\.0\.1:[0-9]+\ +127\.0\.0\.1:$port\ +timewait: ]]
}

@test "connect --linger 0: closing with RST leaves no TIME_WAIT (ss)" {
	port=$(free_port)
	close_peer "$port"
	run --separate-stderr "$SOCKT" -v connect --linger 0 -i 300ms --no-shutdown 127.0.0.1 "$port" </dev/null
	[[ "$stderr" == *"no TIME_WAIT"* ]]
	wait_exit "$(cat "$(tmp)/peer.pid")"
	[ "$(ss -Htan state time-wait "( sport = :$port or dport = :$port )" | wc -l)" -eq 0 ]
	run "$SOCKT" state -H "$port"
	[ "$output" = "" ]
}

@test "state -u: a TCP-only state such as listen is a usage error, never an empty list" {
	hold udp udp 127.0.0.1
	port=$(cat "$(tmp)/udp.port")
	run --separate-stderr "$SOCKT" state -u --state listen "$port"
	[ "$status" -eq 2 ]
	[ -z "$output" ]
	[ "${stderr_lines[0]}" = "sockt state: invalid state 'listen' with -u: UDP has no listen state; a UDP socket is unconnected (bound, as a server's is) or connected" ]
	run -2 "$SOCKT" state -u --state unconnected,time-wait
	[[ "$output" == *"invalid state 'time-wait' with -u"* ]]
	# The UDP server is found under the state UDP has for it.
	run -0 "$SOCKT" state -u -H --state unconnected "$port"
	[[ "$output" =~ ^UNCONNECTED\ +127\.0\.0\.1:$port\  ]]
	# Without -u, listen is a state like any other.
	run -0 "$SOCKT" state -H --state listen "$port"
}
