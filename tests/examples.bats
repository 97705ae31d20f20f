#!/usr/bin/env bats
# examples.bats: every command of the README and of each page's EXAMPLES section, run as
# written and checked against what the text says it does, so that the docs cannot drift.
# Commands run in a network namespace of their own (the documented ports and addresses
# then belong to the test), with names from a hosts file this file writes. A command that
# cannot run here is in NOT_RUN with the reason; the first test fails when the docs hold a
# command that is in neither list.

load lib/common
load lib/netchain
source "$BATS_TEST_DIRNAME/lib/tlsca.bash"

bats_require_minimum_version 1.5.0

# ID<TAB>the command exactly as the docs give it (after "$ ", mdoc escapes undone).
EXAMPLES=$(
	cat <<'EOF'
tw	sockt listen 8080
state	sockt state 8080
noreuse	sockt listen --no-reuseaddr 8080
res6	sockt -6 resolve example.test
scan6	sockt -6 -v connect -z example.test 443
ping6	sockt -6 raw-ping -c 3 example.test
recvtar	sockt listen 9000 | tar x
sendtar	tar c . | sockt connect receiver.test 9000
http	sockt send -e example.test 80 'HEAD / HTTP/1.0\r\n\r\n'
scan	sockt connect -z 127.0.0.1 20-25 80 443
uecho	sockt udp-recv --echo 127.0.0.1 5353 &
usend	sockt udp-send --reply 1s 127.0.0.1 5353 hello
pingmany	sockt raw-ping -c 5 host1.test host2.test ::1
chead	printf 'HEAD / HTTP/1.0\r\n\r\n' | sockt connect example.test 80
cv	sockt connect -v example.test 443 </dev/null
cfam	sockt -v connect -z localhost 22
ctiming	sockt --json connect example.test 80 </dev/null 2>&1 >/dev/null | grep '^{'
cscanall	sockt connect -z localhost 22 80
tcping	sockt connect -z -c 5 -i 0.2 localhost 80
cscanw	sockt connect -z -w 1 192.0.2.7 20-25 80 443
cjson	sockt --json connect -z 127.0.0.1 1-65535 | grep '"open"'
csrc	sockt connect -s 192.0.2.1 -p 5000 --linger 0 192.0.2.7 9000 <request
cdump	sockt connect -C --dump smtp.dump example.test 25
cdumperr	printf 'GET / HTTP/1.0\n\n' | sockt connect -C --dump - 127.0.0.1 8080 >/dev/null
l0	sockt -v listen 0 > received.tar
lloop	while sockt listen 8080 < banner.txt; do :; done
lk	sockt listen -k 8080
lkcrlf	sockt listen -k -C --dump - 8025
lecho	sockt listen -k --echo ::1 7007
lrst	sockt -v listen --recv-only --linger 0 9000
lexec	sockt listen -k --sh-exec 'cat /proc/loadavg' 8080
lallow	sockt -v listen -k --allow 127.0.0.1 --exec 'tr a-z A-Z' 7000
cexec	sockt connect --sh-exec 'echo ping; read answer; echo "got $answer" >&2' ::1 7007
uallow	sockt -v udp-recv -c 2 --allow 127.0.0.1 --allow ::1 5140
p3	sockt raw-ping -c 3 -i 0.1 192.0.2.7
pq	sockt raw-ping -q -w 5 host1.test host2.test 2001:db8::7
pttl	sockt raw-ping -c 1 -t 1 192.0.2.7
pjq	sockt --json raw-ping -c 10 -i 0.2 ::1 | jq '.rtt_ms // empty'
pgroup	sysctl -w net.ipv4.ping_group_range="0 2147483647"
rr	sockt -6 resolve -r example.test
rl	sockt resolve -l --service https example.test
scrlf	sockt send --crlf -f request.txt example.test 80
snorecv	echo deploy done | sockt send --no-recv logs.test 5140
shealth	sockt send -w 2 --expect ping ::1 7007 ping
cproxy	sockt connect --proxy 127.0.0.1:1080 --proxy-type socks5 web.test 80
sproxy	sockt send -w 2 --proxy 127.0.0.1:1080 --proxy-type socks5 --expect ping ::1 7007 ping
sv	sockt -v state 8080
stw	sockt state -H --state time-wait | wc -l
stjq	sockt state --json --state time-wait | jq -s 'map(.expires_ms // 0) | max'
ssum	sockt state --summary
ssumjq	sockt --json state --summary | jq -r 'select(.type == "destination") | [.remote, .remote_port, .total] | @tsv'
su	sockt state -u 53
sproc	SOCKT_SOCKDIAG=proc sockt -v state 8080
uv	sockt -v udp-recv 5000
uecho0	sockt -v udp-recv --echo 127.0.0.1 0
uhex	sockt udp-recv --hex -c 1 -w 5 9999
umc	sockt udp-recv --multicast 239.1.2.3%eth0 5000
ujson	sockt --json udp-recv -c 100 5000 | jq -r .data
dns	sockt udp-send -e --hex --reply 2 192.0.2.53 53 '\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x07example\x04test\x00\x00\x01\x00\x01'
uprobe	sockt udp-send --reply 1 127.0.0.1 514 probe
ulog	sockt udp-send --interval 1ms 127.0.0.1 514 < app.log
ubcast	sockt udp-send --broadcast 10.0.0.255 9999 hello
usess	sockt -v udp-recv --session 5000
upeer	echo status | sockt udp-recv --peer 127.0.0.1:6000 -w 1 -c 1 127.0.0.1 5000
usendsess	sockt udp-send --session 127.0.0.1 5000
tr6	sockt -6 trace -T example.test 443
trT	sockt trace -T 192.0.2.7 443
trv	sockt -v trace host.test 443
trmtu	sockt trace --mtu 2001:db8::7
trI	sockt trace -I -w 1 192.0.2.7
trjq	sockt --json trace -T 192.0.2.7 443 | tail -n 1 | jq .last_hop
ltls	sockt listen --tls --cert server.pem --key server.key 4433 < report.txt
ctls	printf 'HEAD / HTTP/1.0\r\n\r\n' | sockt -v connect --tls --ca ca.pem localhost 4433
cztls	sockt connect -z --tls --ca ca.pem --warn-days 30 localhost 443 8443
stls	sockt send -w 2 --tls --ca ca.pem localhost 4433 ping
ulisten	sockt -v listen -U app.sock
uconn	sockt -v connect -U app.sock
usendU	sockt send -e -U app.sock 'GET /status HTTP/1.0\r\n\r\n'
urecvU	sockt -v udp-recv -U log.sock
ustate	sockt -v state -x app.sock
EOF
)

# The commands not run here, each with its reason (command<TAB>reason).
NOT_RUN=$(
	cat <<'EOF'
./bootstrap && src/sockt resolve localhost	installs Debian packages and rebuilds this tree; make check, of which this file is a part, runs after it
make check	this file runs inside it
bench/throughput.sh src/sockt	a benchmark of minutes against nc.openbsd and socat; make check makes no timed assertions
bench/scan.sh src/sockt	a benchmark of minutes (65535 ports, 1000 filtered) against nc -z; no timed assertions here
bench/udp.sh src/sockt	a benchmark of 1,000,000 datagrams against socat; no timed assertions here
bench/ping.sh src/sockt	a benchmark against iputils ping and fping over 100 hosts; no timed assertions here
bench/state.sh src/sockt	a benchmark of 10,000 TIME_WAIT sockets against ss; no timed assertions here
bench/resolve.sh src/sockt	a benchmark against getent ahosts; no timed assertions here
sockt udp-send -U /dev/log '<13>sockt: test message'	writes to this machine's system log; tests/unix.bats sends to a socket of its own
bench/trace.sh src/sockt	a benchmark of a 10-hop chain against traceroute and tracepath; no timed assertions here
bench/tcping.sh src/sockt	a benchmark of 1000 TCP probes against hping3 -S; no timed assertions here
bench/dump.sh src/sockt	a benchmark of minutes, writing gigabytes of dump; no timed assertions here
EOF
)

setup_file() {
	cat >"$BATS_FILE_TMPDIR/hosts" <<-'EOF'
	::1 example.test
	127.0.0.1 example.test
	::1 receiver.test
	127.0.0.1 receiver.test
	127.0.0.1 host1.test
	127.0.0.2 host2.test
	127.0.0.1 logs.test
	127.0.0.1 web.test
	127.0.0.1 localhost
	::1 localhost
	EOF
	mkdir -p "$BATS_FILE_TMPDIR/bin"
	ln -sf "$SOCKT" "$BATS_FILE_TMPDIR/bin/sockt"
	cat >"$BATS_FILE_TMPDIR/peer.py" <<-'PY'
	# peer.py MODE ARGS...: the python3 peers of the examples; servers print "ready".
	import socket, sys, time
	mode, a = sys.argv[1], sys.argv[2:]

	def tcp_listener(port, reuse=True, host="::"):
	    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
	    s = socket.socket(fam, socket.SOCK_STREAM)
	    if reuse:
	        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
	    if fam == socket.AF_INET6:
	        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
	    s.bind((host, port))
	    s.listen(16)
	    s.settimeout(30)
	    return s

	def read_all(c):
	    # Up to EOF, or up to a reset (connect --linger 0 ends so).
	    out = b""
	    while True:
	        try:
	            b = c.recv(65536)
	        except ConnectionResetError:
	            return out
	        if not b:
	            return out
	        out += b

	if mode == "serve":
	    # serve PORT COUNT RECORD REPLY [close-first] [noreuse]: reads each request to
	    # EOF (or, close-first, not at all), appends it and the peer to RECORD, answers
	    # REPLY (escapes decoded) and closes.
	    port, count, record, reply = int(a[0]), int(a[1]), a[2], a[3].encode().decode("unicode_escape").encode("latin-1")
	    s = tcp_listener(port, reuse="noreuse" not in a[4:])
	    print("ready", flush=True)
	    for _ in range(count):
	        c, peer = s.accept()
	        c.settimeout(10)
	        req = b"" if "close-first" in a[4:] else read_all(c)
	        with open(record, "ab") as f:
	            f.write(b"%s %d %r\n" % (peer[0].encode(), peer[1], req))
	        try:
	            c.sendall(reply)
	        except (BrokenPipeError, ConnectionResetError):
	            pass
	        c.close()
	elif mode == "answer-line":
	    # answer-line PORT RECORD REPLY: reads one line (no EOF needed), appends it and the
	    # peer to RECORD, answers REPLY and closes.
	    s = tcp_listener(int(a[0]))
	    print("ready", flush=True)
	    c, peer = s.accept()
	    c.settimeout(10)
	    req = c.makefile("rb").readline()
	    with open(a[1], "ab") as f:
	        f.write(b"%s %d %r\n" % (peer[0].encode(), peer[1], req))
	    c.sendall(a[2].encode())
	    c.close()
	elif mode == "hold":
	    # hold HOST PORT...: listeners that accept nothing, for 30 s.
	    ls = [tcp_listener(int(p), host=a[0]) for p in a[1:]]
	    print("ready", flush=True)
	    time.sleep(30)
	elif mode == "client":
	    # client HOST PORT [TEXT]: sends TEXT and shuts down, prints all that comes.
	    c = socket.create_connection((a[0], int(a[1])), timeout=10)
	    if len(a) > 2:
	        c.sendall(a[2].encode())
	        c.shutdown(socket.SHUT_WR)
	    sys.stdout.buffer.write(read_all(c))
	elif mode == "line":
	    # line HOST PORT TEXT: sends TEXT (no shutdown), prints the first line that comes.
	    c = socket.create_connection((a[0], int(a[1])), timeout=10)
	    c.sendall(a[2].encode())
	    print(c.makefile("rb").readline().decode(), end="")
	elif mode == "udp-serve":
	    # udp-serve HOST PORT RECORD REPLYHEX: one datagram, its bytes in hex to RECORD, answered.
	    s = socket.socket(socket.AF_INET6 if ":" in a[0] else socket.AF_INET, socket.SOCK_DGRAM)
	    s.bind((a[0], int(a[1])))
	    s.settimeout(10)
	    print("ready", flush=True)
	    data, peer = s.recvfrom(65536)
	    open(a[2], "w").write(data.hex() + "\n")
	    s.sendto(bytes.fromhex(a[3]), peer)
	elif mode == "udp-recv":
	    # udp-recv HOST PORT COUNT: prints COUNT datagrams, one a line.
	    s = socket.socket(socket.AF_INET6 if ":" in a[0] else socket.AF_INET, socket.SOCK_DGRAM)
	    s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
	    s.bind((a[0], int(a[1])))
	    s.settimeout(10)
	    print("ready", flush=True)
	    for _ in range(int(a[2])):
	        print(s.recvfrom(65536)[0].decode(), flush=True)
	elif mode == "udp-say":
	    # udp-say HOST PORT TEXT...: one datagram a TEXT; with "echo", prints each answer.
	    s = socket.socket(socket.AF_INET6 if ":" in a[0] else socket.AF_INET, socket.SOCK_DGRAM)
	    s.settimeout(5)
	    for t in a[2:]:
	        s.sendto(t.encode(), (a[0], int(a[1])))
	        time.sleep(0.01)
	PY
}

# The command the docs give for an ID.
doc() {
	local cmd
	cmd=$(awk -F'\t' -v id="$1" '$1 == id { print $2 }' <<<"$EXAMPLES")
	[ -n "$cmd" ] || {
		echo "no example $1" >&2
		return 1
	}
	printf '%s' "$cmd"
}

# The commands in the README and in the EXAMPLES sections of the pages, one a line.
documented() {
	python3 - "$SOCKT_SRCDIR" <<-'PY'
	import glob, os, re, sys
	src, out = sys.argv[1], []
	def unescape(t):
	    return t.replace("\\(dq", '"').replace("\\&", "").replace("\\e", "\\")
	for line in open(os.path.join(src, "README")):
	    line = line.rstrip("\n")
	    m = (re.match(r"^    \S*\$ +(.*)$", line) or re.match(r"^    (\./bootstrap.*|make check)$", line)
	         or re.match(r"^    (bench/\S+ \S+)", line))
	    if m:
	        out.append(re.sub(r"\s+# .*$", "", m.group(1)))
	for page in sorted(glob.glob(os.path.join(src, "man", "*.1.in"))):
	    on = lit = False
	    pending = ""
	    for line in open(page):
	        line = line.rstrip("\n")
	        if line.startswith(".Sh "):
	            on = line == ".Sh EXAMPLES"
	            continue
	        if not on:
	            continue
	        if line.startswith(".Bd -literal") or line.startswith(".Ed"):
	            lit = line.startswith(".Bd")
	            continue
	        if pending:
	            line, pending = pending + line.strip(), ""
	        m = re.match(r"^\.Dl [$#] (.*)$", line) or (lit and re.match(r"^\S*\$ +(.*)$", line))
	        if m:
	            cmd = unescape(m.group(1))
	            if cmd.endswith("\\"):
	                pending = "$ " + cmd[:-1].replace("\\", "\\e")
	                continue
	            out.append(cmd)
	seen = set()
	for c in out:
	    if c not in seen:
	        seen.add(c)
	        print(c)
	PY
}

# ns: a namespace $N with lo up, and $(tmp)/work as the examples' directory.
ns() {
	require_root
	netns_new ex
	N=$NETNS
	mkdir -p "$(tmp)/work"
}

# sh_in NS COMMAND: COMMAND through bash in NS, with `sockt` on PATH, names from the test's
# hosts file, in $(tmp)/work.
sh_in() {
	local ns=$1
	shift
	with_hosts "$BATS_FILE_TMPDIR/hosts" ip netns exec "$ns" \
	    env PATH="$BATS_FILE_TMPDIR/bin:$PATH" bash -c "cd \"\$0\" && $1" "$(tmp)/work"
}

# peer NAME NS MODE ARGS...: peer.py in NS in the background; servers are waited for.
peer() {
	local name=$1 ns=$2
	shift 2
	spawn "$name" in_ns "$ns" python3 "$BATS_FILE_TMPDIR/peer.py" "$@"
	case $1 in serve | answer-line | hold | udp-serve | udp-recv) wait_for_line "$(tmp)/$name.out" '^ready$' ;; esac
}

# client NS ARGS...: peer.py client in the foreground.
client() {
	local ns=$1
	shift
	in_ns "$ns" python3 "$BATS_FILE_TMPDIR/peer.py" client "$@"
}

# wait_in NS PORT [tcp|udp]: until something listens on PORT inside NS.
wait_in() {
	wait_listening "$2" "${3:-tcp}" 5 "$1"
}

@test "examples: every command of the README and the EXAMPLES sections is run here or listed with its reason" {
	run -0 documented
	missing=
	while IFS= read -r cmd; do
		if ! cut -f2 <<<"$EXAMPLES" | grep -qxF -- "$cmd" && ! cut -f1 <<<"$NOT_RUN" | grep -qxF -- "$cmd"; then
			missing="$missing"$'\n'"  $cmd"
		fi
	done <<<"$output"
	echo "documented but neither run nor listed:$missing"
	[ -z "$missing" ]
	# and every ID is used by a test below, every listed command still documented
	for id in $(cut -f1 <<<"$EXAMPLES"); do
		grep -Eq "(doc|ex_bg) $id\b" "$BATS_TEST_FILENAME" || {
			echo "no test runs $id"
			false
		}
		grep -qxF -- "$(doc "$id")" <<<"$output" || {
			echo "$id is no longer documented"
			false
		}
	done
	while IFS=$'\t' read -r cmd reason; do
		[ -n "$reason" ]
		grep -qxF -- "$cmd" <<<"$output"
	done <<<"$NOT_RUN"
}

# --------------------------------------------------------------- listen and TIME_WAIT

@test "examples: a port left in TIME_WAIT by a server without SO_REUSEADDR: EADDRINUSE, the hint, sockt state" {
	ns
	# A python server without SO_REUSEADDR that closes 3 connections first.
	peer srv "$N" serve 8080 3 "$(tmp)/rec" 'bye\n' close-first noreuse
	for i in 1 2 3; do
		[ "$(client "$N" ::1 8080)" = bye ]
	done
	wait_exit "$(cat "$(tmp)/srv.pid")"
	run -4 --separate-stderr sh_in "$N" "$(doc tw)"
	[ "${stderr_lines[0]}" = "sockt listen: bind to :: port 8080 (tcp): Address already in use [EADDRINUSE, errno 98]" ]
	[[ "${stderr_lines[1]}" =~ ^"sockt listen: hint: 3 connections on port 8080 are in TIME_WAIT, the last leaves it in "[0-9]+" s; the program that made them did not set SO_REUSEADDR, so only waiting helps"$ ]]
	run -0 sh_in "$N" "$(doc state)"
	[ "$(grep -c '^TIME_WAIT .*:8080 .*timewait:' <<<"$output")" -eq 3 ]
}

@test "examples: sockt listen restarts at once, and --no-reuseaddr meets its TIME_WAIT" {
	ns
	printf 'q' >"$(tmp)/work/q"
	spawn l sh_in "$N" "$(doc tw) < q"
	wait_in "$N" 8080
	# The client closes only after listen's FIN, so that listen is the active closer.
	[ "$(in_ns "$N" python3 "$BATS_FILE_TMPDIR/peer.py" line 127.0.0.1 8080 hi)" = q ]
	wait_exit "$(cat "$(tmp)/l.pid")"
	[ "$EXIT_STATUS" -eq 0 ]
	[ -n "$(in_ns "$N" ss -Htan state time-wait '( sport = :8080 )')" ]
	run -4 --separate-stderr sh_in "$N" "$(doc noreuse)"
	[ "${stderr_lines[0]}" = "sockt listen: bind to :: port 8080 (tcp): Address already in use [EADDRINUSE, errno 98]" ]
	[[ "${stderr_lines[1]}" =~ ^"sockt listen: hint: 1 connection on port 8080 is in TIME_WAIT and leaves it in "[0-9]+" s; wait, or leave out --no-reuseaddr (SO_REUSEADDR binds over it)"$ ]]
	# while the plain command binds over it at once and serves the next client
	spawn l2 sh_in "$N" "$(doc tw) < q"
	wait_in "$N" 8080
	[ "$(in_ns "$N" python3 "$BATS_FILE_TMPDIR/peer.py" line ::1 8080 hi)" = q ]
	wait_exit "$(cat "$(tmp)/l2.pid")"
	[ "$EXIT_STATUS" -eq 0 ]
}

@test "examples: listen 9000 | tar x receives what tar c . | connect receiver.test 9000 sends" {
	ns
	mkdir -p "$(tmp)/src/d" "$(tmp)/work"
	head -c 100000 /dev/urandom >"$(tmp)/src/d/blob"
	echo text >"$(tmp)/src/note"
	spawn recv sh_in "$N" "$(doc recvtar)"
	wait_in "$N" 9000
	run -0 with_hosts "$BATS_FILE_TMPDIR/hosts" ip netns exec "$N" \
	    env PATH="$BATS_FILE_TMPDIR/bin:$PATH" bash -c "cd \"\$0\" && $(doc sendtar)" "$(tmp)/src"
	wait_exit "$(cat "$(tmp)/recv.pid")"
	[ "$EXIT_STATUS" -eq 0 ]
	diff -r "$(tmp)/src" "$(tmp)/work"
}

@test "examples: listen 0 -v tells the port and the file receives the bytes" {
	ns
	head -c 300000 /dev/urandom >"$(tmp)/data"
	spawn l sh_in "$N" "$(doc l0) </dev/null"
	wait_for_line "$(tmp)/l.err" 'listening on'
	port=$(sed -n '1s/^sockt listen: listening on :: port \([0-9]*\)$/\1/p' "$(tmp)/l.err")
	[ -n "$port" ]
	in_ns "$N" nc.openbsd -N 127.0.0.1 "$port" <"$(tmp)/data" >/dev/null
	wait_exit "$(cat "$(tmp)/l.pid")"
	[ "$EXIT_STATUS" -eq 0 ]
	cmp "$(tmp)/data" "$(tmp)/work/received.tar"
}

@test "examples: the listen loop serves the banner to each client, one after another" {
	ns
	printf 'welcome\n' >"$(tmp)/work/banner.txt"
	spawn loop sh_in "$N" "$(doc lloop)"
	for i in 1 2 3; do
		wait_in "$N" 8080
		[ "$(client "$N" 127.0.0.1 8080 "client $i")" = welcome ]
	done
}

@test "examples: listen -k sends what is typed to every client connected, and prints what they send" {
	ns
	mkfifo "$(tmp)/typed"
	STDIN_FILE="$(tmp)/typed" spawn k sh_in "$N" "$(doc lk)"
	exec 7>"$(tmp)/typed"
	wait_in "$N" 8080
	# One after the other: each was accepted once what it sent has come out here.
	spawn c1 in_ns "$N" python3 "$BATS_FILE_TMPDIR/peer.py" line 127.0.0.1 8080 from-c1
	wait_for_line "$(tmp)/k.out" from-c1
	spawn c2 in_ns "$N" python3 "$BATS_FILE_TMPDIR/peer.py" line ::1 8080 from-c2
	wait_for_line "$(tmp)/k.out" from-c2
	echo "hello all" >&7
	wait_exit "$(cat "$(tmp)/c1.pid")"
	wait_exit "$(cat "$(tmp)/c2.pid")"
	[ "$(cat "$(tmp)/c1.out")" = "hello all" ]
	[ "$(cat "$(tmp)/c2.out")" = "hello all" ]
}

@test "examples: connect -C --dump: typed lines go out with CR LF, and the dump has both ways" {
	ns
	peer srv "$N" serve 25 1 "$(tmp)/rec" '250 ok\r\n'
	run -0 sh_in "$N" "$(doc cdump)" <<<"HELO x"
	[ "$output" = $'250 ok\r' ]
	grep -qF "b'HELO x\\r\\n'" "$(tmp)/rec"
	grep -q '^# .* conn 1 .* port 25 > sent, offset 0, 8 bytes$' "$(tmp)/work/smtp.dump"
	grep -q '^# .* conn 1 .* port 25 < received, offset 0, 8 bytes$' "$(tmp)/work/smtp.dump"
	peer srv2 "$N" serve 8080 1 "$(tmp)/rec2" 'HTTP/1.0 200 OK\r\n\r\n'
	run -0 --separate-stderr sh_in "$N" "$(doc cdumperr)"
	grep -qF "b'GET / HTTP/1.0\\r\\n\\r\\n'" "$(tmp)/rec2"
	[[ "$stderr" == *"> sent, offset 0, 18 bytes"*"< received, offset 0, 19 bytes"* ]]
}

@test "examples: listen -k -C --dump - sends typed lines with CR LF and dumps each connection" {
	ns
	mkfifo "$(tmp)/typed"
	STDIN_FILE="$(tmp)/typed" spawn k sh_in "$N" "$(doc lkcrlf)"
	exec 7>"$(tmp)/typed"
	wait_in "$N" 8025
	spawn c1 in_ns "$N" python3 "$BATS_FILE_TMPDIR/peer.py" line 127.0.0.1 8025 from-c1
	wait_for_line "$(tmp)/k.err" '< received, offset 0, 7 bytes'
	echo "220 hi" >&7
	wait_exit "$(cat "$(tmp)/c1.pid")"
	[ "$(cat "$(tmp)/c1.out")" = $'220 hi\r' ]
	wait_for_line "$(tmp)/k.err" '^# .* conn 1 127.0.0.1 port [0-9]+ > sent, offset 0, 8 bytes$'
}

@test "examples: the echo server on ::1 7007 and the health check that needs its answer" {
	ns
	spawn e sh_in "$N" "$(doc lecho)"
	wait_in "$N" 7007
	[ "$(client "$N" ::1 7007 one)" = one ]
	[ "$(client "$N" ::1 7007 two)" = two ]
	run -0 --separate-stderr sh_in "$N" "$(doc shealth)"
	[ "$output" = ping ]
	# A server that reads the request and closes without answering fails the check.
	netns_new ex2
	peer srv "$NETNS" serve 7007 1 "$(tmp)/rec" ''
	run -1 --separate-stderr sh_in "$NETNS" "$(doc shealth)"
	[ "$stderr" = "sockt send: no reply: the peer closed without sending anything (--expect 'ping')" ]
}

@test "examples: connect and send through a SOCKS5 proxy (danted) that looks web.test up" {
	ns
	cat >"$(tmp)/danted.conf" <<-EOF
		logoutput: stderr
		internal: 127.0.0.1 port = 1080
		external: lo
		clientmethod: none
		socksmethod: none
		user.privileged: root
		user.unprivileged: nobody
		client pass {
			from: 0/0 to: 0/0
		}
		socks pass {
			from: 0/0 to: 0/0
			command: connect
		}
	EOF
	spawn danted with_hosts "$BATS_FILE_TMPDIR/hosts" ip netns exec "$N" \
	    danted -f "$(tmp)/danted.conf" -N 1 -p "$(tmp)/danted.pid"
	wait_in "$N" 1080
	peer srv "$N" serve 80 1 "$(tmp)/rec" 'hello from web.test\n'
	run -0 --separate-stderr sh_in "$N" "$(doc cproxy) </dev/null"
	[ "$output" = "hello from web.test" ]
	spawn e sh_in "$N" "$(doc lecho)"
	wait_in "$N" 7007
	run -0 --separate-stderr sh_in "$N" "$(doc sproxy)"
	[ "$output" = ping ]
}

@test "examples: listen --recv-only --linger 0 shows what a client sends and ends with RST" {
	ns
	spawn l sh_in "$N" "$(doc lrst)"
	wait_in "$N" 9000
	client "$N" 127.0.0.1 9000 "what the client says" >/dev/null || true
	wait_exit "$(cat "$(tmp)/l.pid")"
	[ "$EXIT_STATUS" -eq 0 ]
	[ "$(cat "$(tmp)/l.out")" = "what the client says" ]
	grep -q 'the peer closed first; this side closed with RST (--linger 0)$' "$(tmp)/l.err"
	[ -z "$(in_ns "$N" ss -Htan state time-wait '( sport = :9000 )')" ]
}

# --------------------------------------------------------------- connect and send

@test "examples: HEAD / by connect and by send -e reach the server as CR LF, and the answer is printed" {
	ns
	peer srv "$N" serve 80 2 "$(tmp)/rec" 'HTTP/1.0 200 OK\r\n\r\n'
	run -0 sh_in "$N" "$(doc chead)"
	[ "$output" = $'HTTP/1.0 200 OK\r\n\r' ]
	run -0 sh_in "$N" "$(doc http)"
	[ "$output" = $'HTTP/1.0 200 OK\r\n\r' ]
	[ "$(grep -cF "b'HEAD / HTTP/1.0\\r\\n\\r\\n'" "$(tmp)/rec")" -eq 2 ]
}

@test "examples: send --crlf -f request.txt turns line feeds into CR LF" {
	ns
	printf 'HEAD / HTTP/1.0\nHost: example.test\n\n' >"$(tmp)/work/request.txt"
	peer srv "$N" serve 80 1 "$(tmp)/rec" 'HTTP/1.0 200 OK\r\n\r\n'
	run -0 sh_in "$N" "$(doc scrlf)"
	grep -qF "b'HEAD / HTTP/1.0\\r\\nHost: example.test\\r\\n\\r\\n'" "$(tmp)/rec"
}

@test "examples: echo deploy done | send --no-recv drops the message and does not wait" {
	ns
	peer srv "$N" serve 5140 1 "$(tmp)/rec" 'an answer nobody reads\n'
	run -0 --separate-stderr sh_in "$N" "$(doc snorecv)"
	[ -z "$output" ]
	wait_for_line "$(tmp)/rec" "deploy done"
}

@test "examples: connect -v example.test 443 shows the addresses tried and the one that won" {
	ns
	peer srv "$N" serve 443 1 "$(tmp)/rec" 'hello\n'
	run -0 --separate-stderr sh_in "$N" "$(doc cv)"
	[ "$output" = hello ]
	[[ "${stderr_lines[0]}" =~ ^"sockt connect: resolved example.test in "[0-9.]+" ms: IPv6 " ]]
	[ "${stderr_lines[1]}" = "sockt connect: trying ::1 port 443 (tcp)" ]
	[[ "${stderr_lines[2]}" =~ ^"sockt connect: connected to ::1 port 443 (tcp) in " ]]
}

@test "examples: connect -z -v localhost 22 ends with a line for each family, and --json times a connection" {
	ns
	peer hold "$N" hold 127.0.0.1 22
	run -1 --separate-stderr sh_in "$N" "$(doc cfam)"
	[[ "${stderr_lines[-2]}" == "sockt connect: IPv6: 1 address (::1), 0 open, 1 closed, 0 filtered, best rtt "*" ms, local dev lo src ::1" ]]
	[[ "${stderr_lines[-1]}" == "sockt connect: IPv4: 1 address (127.0.0.1), 1 open, 0 closed, 0 filtered, best rtt "*" ms, local dev lo src 127.0.0.1" ]]
	peer srv "$N" serve 80 1 "$(tmp)/rec" 'hello\n'
	run -0 sh_in "$N" "$(doc ctiming)"
	[ "${#lines[@]}" -eq 2 ]
	jq -e 'select(.type == "close") | .address == "::1" and .bytes_received == 6' <<<"${lines[0]}"
	jq -e 'select(.type == "timing") | .host == "example.test" and .first_byte_ms >= 0' <<<"${lines[1]}"
}

@test "examples: the port scans: a range on 127.0.0.1, -6 by name, -w 1 on 192.0.2.7, all ports as JSON" {
	ns
	ip -n "$N" addr add 192.0.2.7/32 dev lo
	peer srv "$N" hold :: 22 80 443
	run -1 sh_in "$N" "$(doc scan)"
	[[ "${lines[0]}" == "127.0.0.1 port 20 (tcp) closed [ECONNREFUSED]" ]]
	[[ "${lines[2]}" =~ ^"127.0.0.1 port 22 (tcp) open "[0-9.]+" ms"$ ]]
	[[ "${lines[3]}" == "127.0.0.1 port 23 (tcp) closed [ECONNREFUSED]" ]]
	[[ "${lines[6]}" =~ ^"127.0.0.1 port 80 (tcp) open " ]]
	[ "${#lines[@]}" -eq 8 ]
	run -1 sh_in "$N" "$(doc cscanw)"
	[[ "${lines[2]}" =~ ^"192.0.2.7 port 22 (tcp) open " ]]
	[ "$(grep -c ' closed \[ECONNREFUSED\]$' <<<"$output")" -eq 5 ]
	run -0 --separate-stderr sh_in "$N" "$(doc scan6)"
	[[ "$output" =~ ^"::1 port 443 (tcp) open " ]]
	run -0 sh_in "$N" "$(doc cjson)"
	[ "$(jq -r .port <<<"$output" | sort -n | tr '\n' ' ')" = "22 80 443 " ]
}

@test "examples: connect -s 192.0.2.1 -p 5000 --linger 0 sends a request from there and leaves no TIME_WAIT" {
	ns
	ip -n "$N" addr add 192.0.2.1/32 dev lo
	ip -n "$N" addr add 192.0.2.7/32 dev lo
	echo "GET /status" >"$(tmp)/work/request"
	peer srv "$N" answer-line 9000 "$(tmp)/rec" 'ok'
	run -0 sh_in "$N" "$(doc csrc)"
	[ "$output" = ok ]
	wait_exit "$(cat "$(tmp)/srv.pid")"
	python3 -c 'import sys; l = open(sys.argv[1], "rb").read().split(b" ", 2); assert l[0] == b"::ffff:192.0.2.1" and l[1] == b"5000", l[:2]; assert eval(l[2]) == b"GET /status\n"' \
	    "$(tmp)/rec"
	[ -z "$(in_ns "$N" ss -Htan state time-wait '( sport = :5000 )')" ]
}

# --------------------------------------------------------------- resolve

@test "examples: resolve -6, -6 -r and -l --service https answer from the hosts file" {
	ns
	run -0 sh_in "$N" "$(doc res6)"
	[ "$output" = ::1 ]
	run -0 sh_in "$N" "$(doc rr)"
	[[ "$output" == *"::1"* && "$output" == *"example.test"* ]]
	run -0 sh_in "$N" "$(doc rl)"
	[[ "$output" == *"::1"*"443"* ]]
	[[ "$output" == *"127.0.0.1"*"443"* ]]
	[[ "$output" == *"tcp"* ]]
}

# --------------------------------------------------------------- raw-ping

@test "examples: raw-ping -6 by name, several hosts at once, -c 3 -i 0.1, and rtt_ms for jq" {
	ns
	ip -n "$N" addr add 192.0.2.7/32 dev lo
	run -0 sh_in "$N" "$(doc ping6)"
	[ "${lines[0]}" = "PING example.test(::1) 56 data bytes" ]
	[[ "$output" == *"3 packets transmitted, 3 received, 0% packet loss"* ]]
	run -0 sh_in "$N" "$(doc p3)"
	[[ "$output" == *"3 packets transmitted, 3 received, 0% packet loss"* ]]
	run -0 sh_in "$N" "$(doc pingmany)"
	[ "$(grep -c '5 packets transmitted, 5 received' <<<"$output")" -eq 3 ]
	[[ "$output" == *"host2.test: "* ]]
	run -0 sh_in "$N" "$(doc pjq)"
	[ "${#lines[@]}" -eq 10 ]
	for l in "${lines[@]}"; do [[ "$l" =~ ^[0-9]+(\.[0-9]+)?$ ]]; done
}

@test "examples: raw-ping -q -w 5 prints only the summaries of the hosts that answered" {
	ns
	ip -n "$N" addr add 2001:db8::7/128 dev lo nodad
	run -0 sh_in "$N" "$(doc pq)"
	[ "$(grep -c 'packets transmitted' <<<"$output")" -eq 3 ]
	[ "$(grep -c ' 0% packet loss' <<<"$output")" -eq 3 ]
	! grep -q 'icmp_seq=' <<<"$output"
}

@test "examples: raw-ping -c 1 -t 1 192.0.2.7 gets the first router's time-exceeded" {
	ns
	A=$N
	netns_new rt
	R=$NETNS
	netns_new far
	B=$NETNS
	veth_link "$A" va 198.51.100.2/ "$R" ra 198.51.100.1/
	veth_link "$B" vb 192.0.2.7/ "$R" rb 192.0.2.1/
	ip -n "$A" route add default via 198.51.100.1
	ip -n "$B" route add default via 192.0.2.1
	in_ns "$R" sysctl -qw net.ipv4.ip_forward=1 net.ipv4.icmp_ratelimit=0
	# The path works (a TTL of 64 reaches 192.0.2.7), so the TTL is what stops the probe.
	for _ in $(seq 50); do in_ns "$A" ping -c 1 -W 1 192.0.2.7 >/dev/null && break; done
	run -1 sh_in "$A" "$(doc pttl)"
	[[ "$output" == *"From 198.51.100.1 icmp_seq=1 Time to live exceeded"* ]]
}

@test "examples: after sysctl ping_group_range, an ordinary user pings through ping sockets" {
	ns
	in_ns "$N" sysctl -qw net.ipv4.ping_group_range="1 0"
	run -4 in_ns "$N" setpriv --reuid=65534 --regid=65534 --clear-groups "$SOCKT" raw-ping -c 1 127.0.0.1
	run -0 sh_in "$N" "$(doc pgroup)"
	run -0 in_ns "$N" setpriv --reuid=65534 --regid=65534 --clear-groups "$SOCKT" raw-ping -c 1 127.0.0.1
	[[ "$output" == *"1 packets transmitted, 1 received"* ]]
}

# --------------------------------------------------------------- state

@test "examples: state -v 8080 names the owner, through netlink and through /proc" {
	ns
	peer srv "$N" hold :: 8080
	pid=$(cat "$(tmp)/srv.pid")
	run -0 sh_in "$N" "$(doc sv)"
	[[ "$output" == *"LISTEN"*"python3 (pid $pid)"* ]] || [[ "$output" == *"LISTEN"*"python3"* ]]
	run -0 sh_in "$N" "$(doc sproc)"
	[[ "$output" == *"LISTEN"*"python3"* ]]
}

@test "examples: state counts the TIME_WAIT connections and the longest time left" {
	ns
	peer srv "$N" serve 8080 4 "$(tmp)/rec" 'bye\n' close-first
	for i in 1 2 3 4; do client "$N" 127.0.0.1 8080 >/dev/null; done
	run -0 sh_in "$N" "$(doc stw)"
	[ "$output" -eq 4 ]
	run -0 sh_in "$N" "$(doc stjq)"
	[ "$output" -gt 0 ] && [ "$output" -le 60000 ]
}

@test "examples: state --summary counts the connections a client left in TIME_WAIT to one server" {
	ns
	spawn srv in_ns "$N" python3 "$TESTLIB/tw_peer.py" serve 127.0.0.1 8080 4
	wait_for_line "$(tmp)/srv.out" '^ready$'
	run -0 in_ns "$N" timeout 10 python3 "$TESTLIB/tw_peer.py" connect 127.0.0.1 8080 4
	run -0 sh_in "$N" "$(doc ssum)"
	[[ "$output" == *"127.0.0.1:8080"*" 4  4 TIME_WAIT"* ]]
	run -0 sh_in "$N" "$(doc ssumjq)"
	[ "$output" = "$(printf '127.0.0.1\t8080\t4')" ]
}

@test "examples: state -u 53 lists the UDP socket on port 53" {
	ns
	spawn dns in_ns "$N" python3 "$TESTLIB/hold.py" udp 127.0.0.1 53
	wait_for_line "$(tmp)/dns.out" ready
	run -0 sh_in "$N" "$(doc su)"
	[[ "$output" == *"127.0.0.1:53"* ]]
}

# --------------------------------------------------------------- UDP

@test "examples: udp-recv --echo 127.0.0.1 5353 & and udp-send --reply 1s get hello back" {
	ns
	spawn echo sh_in "$N" "$(doc uecho) wait"
	wait_in "$N" 5353 udp
	run -0 --separate-stderr sh_in "$N" "$(doc usend)"
	[ "$output" = hello ]
}

@test "examples: udp-recv -v 5000 prints the datagram and who sent it" {
	ns
	spawn r sh_in "$N" "$(doc uv)"
	wait_in "$N" 5000 udp
	in_ns "$N" python3 "$BATS_FILE_TMPDIR/peer.py" udp-say ::1 5000 "over six"
	wait_for_line "$(tmp)/r.err" '^sockt udp-recv: 8 bytes from ::1 port [0-9]+$'
	[ "$(cat "$(tmp)/r.out")" = "over six" ]
}

@test "examples: udp-recv -v --echo 127.0.0.1 0 announces its port and echoes" {
	ns
	spawn r sh_in "$N" "$(doc uecho0)"
	wait_for_line "$(tmp)/r.err" 'listening on 127.0.0.1 port [0-9]+$'
	port=$(sed -n '1s/.* port \([0-9]*\)$/\1/p' "$(tmp)/r.err")
	run -0 in_ns "$N" "$SOCKT" udp-send --reply 1s 127.0.0.1 "$port" ping-pong
	[ "$output" = ping-pong ]
}

@test "examples: udp-recv --hex -c 1 -w 5 9999 dumps one datagram and exits 0" {
	ns
	spawn r sh_in "$N" "$(doc uhex)"
	wait_in "$N" 9999 udp
	in_ns "$N" python3 "$BATS_FILE_TMPDIR/peer.py" udp-say 127.0.0.1 9999 "AB"
	wait_exit "$(cat "$(tmp)/r.pid")"
	[ "$EXIT_STATUS" -eq 0 ]
	[[ "$(cat "$(tmp)/r.out")" =~ ^"00000000  41 42 "\ +"|AB|" ]]
}

@test "examples: udp-recv --json -c 100 5000 | jq -r .data prints 100 lines" {
	ns
	spawn r sh_in "$N" "$(doc ujson)"
	wait_in "$N" 5000 udp
	in_ns "$N" python3 "$BATS_FILE_TMPDIR/peer.py" udp-say 127.0.0.1 5000 $(seq -f 'line-%g' 100)
	wait_exit "$(cat "$(tmp)/r.pid")"
	[ "$EXIT_STATUS" -eq 0 ]
	[ "$(cat "$(tmp)/r.out")" = "$(seq -f 'line-%g' 100)" ]
}

@test "examples: udp-recv --multicast 239.1.2.3%eth0 5000 gets the group's datagrams from the next namespace" {
	ns
	B=$N
	netns_new mcs
	A=$NETNS
	veth_link "$B" eth0 10.79.0.2/ "$A" vs 10.79.0.1/
	ip -n "$A" route add 224.0.0.0/4 dev vs
	spawn m sh_in "$B" "$(doc umc)"
	wait_in "$B" 5000 udp
	for _ in $(seq 100); do
		ip -n "$B" maddr show dev eth0 | grep -q 239.1.2.3 && break
		sleep 0.05
	done
	run -0 in_ns "$A" "$SOCKT" udp-send 239.1.2.3 5000 to-the-group
	wait_for_line "$(tmp)/m.out" to-the-group
}

@test "examples: the whole DNS query goes out byte for byte and the answer comes back in hex" {
	ns
	ip -n "$N" addr add 192.0.2.53/32 dev lo
	question=$(printf '\7example\4test\0\0\1\0\1' | od -An -tx1 | tr -d ' \n')
	query=123401000001000000000000$question
	answer=123481800001000100000000${question}c00c000100010000003c00047f000001
	peer dns "$N" udp-serve 192.0.2.53 53 "$(tmp)/q" "$answer"
	run -0 sh_in "$N" "$(doc dns)"
	[ "$(cat "$(tmp)/q")" = "$query" ]
	[[ "${lines[0]}" =~ ^"00000000  12 34 81 80 00 01 00 01  00 00 00 00 07 65 78 61" ]]
}

@test "examples: udp-send --reply 1 to a closed port is refused at once, not timed out" {
	ns
	run -1 --separate-stderr sh_in "$N" "$(doc uprobe)"
	[[ "$stderr" == *"[ECONNREFUSED, errno 111]"* ]]
	[[ "$stderr" != *"no reply"* ]]
}

@test "examples: udp-recv --session 5000 answers the first sender from stdin and names it" {
	ns
	echo answer >"$(tmp)/lines"
	STDIN_FILE="$(tmp)/lines" spawn r sh_in "$N" "$(doc usess)"
	wait_in "$N" 5000 udp
	run -0 in_ns "$N" python3 "$TESTLIB/udp_session_peer.py" ::1 5000 send:question recv
	[[ "${lines[1]}" == "got 6 ::1 5000 answer" ]]
	wait_exit "$(cat "$(tmp)/r.pid")"
	[ "$EXIT_STATUS" -eq 0 ]
	[ "$(cat "$(tmp)/r.out")" = question ]
	grep -Eq '^sockt udp-recv: session locked onto ::1 port [0-9]+ \(the first sender\)$' "$(tmp)/r.err"
}

@test "examples: udp-recv --peer 127.0.0.1:6000 -w 1 -c 1 asks from port 5000 and gets one answer" {
	ns
	peer svc "$N" udp-serve 127.0.0.1 6000 "$(tmp)/q" 6f6b
	run -0 --separate-stderr sh_in "$N" "$(doc upeer)"
	[ "$output" = ok ]
	[ "$(cat "$(tmp)/q")" = "$(printf status | od -An -tx1 | tr -d ' \n')" ]
}

@test "examples: udp-send --session 127.0.0.1 5000 writes the answer while stdin is open" {
	ns
	spawn echo in_ns "$N" "$SOCKT" udp-recv --echo 127.0.0.1 5000
	wait_in "$N" 5000 udp
	mkfifo "$(tmp)/in"
	STDIN_FILE="$(tmp)/in" spawn s sh_in "$N" "$(doc usendsess)"
	exec 5>"$(tmp)/in"
	echo typed >&5
	wait_for_line "$(tmp)/s.out" '^typed$'
	exec 5>&-
	wait_exit "$(cat "$(tmp)/s.pid")"
	[ "$EXIT_STATUS" -eq 0 ]
}

@test "examples: udp-send --interval 1ms < app.log sends one datagram a line" {
	ns
	printf 'first line\nsecond line\nthird line\n' >"$(tmp)/work/app.log"
	peer r "$N" udp-recv 127.0.0.1 514 3
	run -0 sh_in "$N" "$(doc ulog)"
	wait_exit "$(cat "$(tmp)/r.pid")"
	[ "$(cat "$(tmp)/r.out")" = "$(printf 'ready\nfirst line\nsecond line\nthird line')" ]
}

@test "examples: udp-send --broadcast 10.0.0.255 reaches a receiver on the next host" {
	ns
	A=$N
	netns_new bc
	B=$NETNS
	veth_link "$A" va 10.0.0.1/ "$B" vb 10.0.0.2/
	peer r "$B" udp-recv 0.0.0.0 9999 1
	run -0 sh_in "$A" "$(doc ubcast)"
	wait_exit "$(cat "$(tmp)/r.pid")"
	[ "$(sed -n 2p "$(tmp)/r.out")" = hello ]
}

# --------------------------------------------------------------- trace

# trace_chain: client - r1 - r2 - server, the server also answering as 192.0.2.7 and
# 2001:db8::7 (inside the namespaces only), a listener on its port 443, and host.test
# naming both addresses.
trace_chain() {
	require_root
	chain_build "sktX$$" 2 "$(tmp)/.netns"
	TC=${CHAIN_NS[0]}
	TS=${CHAIN_NS[3]}
	ip -n "$TS" addr add 192.0.2.7/32 dev lo
	ip -n "$TS" addr add 2001:db8::7/128 dev lo nodad
	mkdir -p "$(tmp)/work"
	peer hold443 "$TS" hold :: 443
	printf '2001:db8::7 host.test\n192.0.2.7 host.test\n' >"$(tmp)/trace.hosts"
}

# trace_hops: "N ADDRESS " for each hop line on stdin, the address out of "name (address)".
trace_hops() {
	awk '/^ *[0-9]+  / { a = $2; if ($3 ~ /^\(/) { a = $3; gsub(/[()]/, "", a) } printf "%s %s ", $1, a }'
}

# trace_sh COMMAND: COMMAND through bash in the chain's client, names from trace.hosts.
trace_sh() {
	with_hosts "$(tmp)/trace.hosts" ip netns exec "$TC" \
	    env PATH="$BATS_FILE_TMPDIR/bin:$PATH" bash -c "cd \"\$0\" && $1" "$(tmp)/work"
}

@test "examples: trace -T names both routers and says the port is open at hop 3, in text and JSON" {
	trace_chain
	run -0 --separate-stderr trace_sh "$(doc trT)"
	[ "$(trace_hops <<<"$output")" = "1 10.77.1.2 2 10.77.2.2 3 192.0.2.7 " ]
	[[ "${lines[-1]}" =~ ^"port 443 (tcp) open at hop 3, "[0-9.]+" ms"$ ]]
	run -0 --separate-stderr trace_sh "$(doc trjq)"
	[ "$output" = 3 ]
}

@test "examples: trace -v traces every address of a name to its port" {
	trace_chain
	run -0 --separate-stderr trace_sh "$(doc trv)"
	[[ "$output" == *"reached 2001:db8::7, port closed (ICMP port unreachable) at hop 3, "* ]]
	[[ "$output" == *"reached 192.0.2.7, port closed (ICMP port unreachable) at hop 3, "* ]]
}

@test "examples: trace --mtu finds the hop where the path MTU drops" {
	trace_chain
	ip -n "${CHAIN_NS[2]}" link set v3l mtu 1400
	ip -n "$TS" link set v3r mtu 1400
	run -0 --separate-stderr trace_sh "$(doc trmtu)"
	[[ "$output" == *1400* ]]
	[[ "${lines[-1]}" == "reached 2001:db8::7 at hop 3"* ]]
}

@test "examples: trace -I as an ordinary user, through ping sockets" {
	trace_chain
	run -0 --separate-stderr trace_sh "setpriv --reuid 65534 --regid 65534 --clear-groups $(doc trI)"
	[ "$(trace_hops <<<"$output")" = "1 10.77.1.2 2 10.77.2.2 3 192.0.2.7 " ]
}

@test "examples: a scan of localhost reports each of its addresses, open or not" {
	ns
	peer hold "$N" hold 127.0.0.1 22 80
	run -1 --separate-stderr sh_in "$N" "$(doc cscanall)"
	[ "${lines[0]}" = "::1 port 22 (tcp) closed [ECONNREFUSED]" ]
	[ "${lines[1]}" = "::1 port 80 (tcp) closed [ECONNREFUSED]" ]
	[[ "${lines[2]}" =~ ^"127.0.0.1 port 22 (tcp) open " ]]
	[[ "${lines[3]}" =~ ^"127.0.0.1 port 80 (tcp) open " ]]
	[ "${#lines[@]}" -eq 4 ]
}

@test "examples: connect -z -c 5 -i 0.2 localhost 80 probes both addresses five times, with statistics" {
	ns
	peer srv "$N" hold :: 80
	run -0 --separate-stderr sh_in "$N" "$(doc tcping)"
	[ "$(grep -Ec '^seq=[1-5] (::1|127\.0\.0\.1) port 80 \(tcp\) open ' <<<"$output")" -eq 10 ]
	grep -qx -- '--- localhost (::1) port 80 (tcp) probe statistics ---' <<<"$output"
	grep -qx -- '--- localhost (127.0.0.1) port 80 (tcp) probe statistics ---' <<<"$output"
	[ "$(grep -Ec '^5 probes sent, 5 open, 0% loss, time (7[5-9][0-9]|[89][0-9][0-9]|1[0-9]{3})ms$' <<<"$output")" -eq 2 ]
}

@test "examples: the README's IPv6 trace to a port reaches it" {
	ns
	peer hold "$N" hold :: 443
	run -0 --separate-stderr sh_in "$N" "$(doc tr6)"
	[[ "${lines[-1]}" =~ ^"port 443 (tcp) open at hop 1, " ]]
}

@test "examples: listen -k --sh-exec serves the load average to each client from a program of its own" {
	ns
	spawn l sh_in "$N" "$(doc lexec)"
	wait_in "$N" 8080
	for _ in 1 2; do
		run -0 client "$N" 127.0.0.1 8080
		[[ "$output" =~ ^[0-9.]+\ [0-9.]+\ [0-9.]+\ [0-9]+/[0-9]+\ [0-9]+$ ]]
	done
}

@test "examples: listen -k --allow 127.0.0.1 --exec 'tr a-z A-Z' upper-cases for 127.0.0.1 and resets ::1" {
	ns
	spawn l sh_in "$N" "$(doc lallow)"
	wait_in "$N" 7000
	[ "$(client "$N" 127.0.0.1 7000 shout)" = SHOUT ]
	# Reset at once: the client's send or its read meets the RST, and no answer comes.
	run client "$N" ::1 7000 ignored
	[[ "$output" != *IGNORED* ]]
	wait_for_line "$(tmp)/l.err" '^sockt listen: refused ::1 port [0-9]+: no --allow rule matches$'
	grep -Eq '^sockt listen: 127\.0\.0\.1 port [0-9]+: tr exited with status 0 after ' "$(tmp)/l.err"
}

@test "examples: connect --sh-exec lets a shell script talk to an echo server" {
	ns
	spawn e in_ns "$N" "$SOCKT" listen -k --echo ::1 7007
	wait_in "$N" 7007
	run -0 --separate-stderr sh_in "$N" "$(doc cexec)"
	[ "$stderr" = "got ping" ]
}

@test "examples: udp-recv --allow 127.0.0.1 --allow ::1 takes local senders and counts the others" {
	ns
	in_ns "$N" ip addr add 10.9.0.1/24 dev lo
	spawn r sh_in "$N" "$(doc uallow)"
	wait_in "$N" 5140 udp
	in_ns "$N" python3 "$TESTLIB/from_peer.py" udp 10.9.0.1 10.9.0.1 5140 "from afar"
	in_ns "$N" python3 "$TESTLIB/from_peer.py" udp 127.0.0.1 127.0.0.1 5140 "from here"
	in_ns "$N" python3 "$TESTLIB/from_peer.py" udp ::1 ::1 5140 "from six"
	wait_exit "$(cat "$(tmp)/r.pid")"
	[ "$EXIT_STATUS" -eq 0 ]
	[ "$(cat "$(tmp)/r.out")" = "from herefrom six" ]
	grep -q '^sockt udp-recv: 1 datagram refused (--allow, --deny)$' "$(tmp)/r.err"
}

# --------------------------------------------------------------- TLS

# tls_files: the suite's CA and a server certificate for localhost, as the examples name them.
tls_files() {
	tlsca_make "$(tmp)"
	cp "$(tmp)/ca.crt" "$(tmp)/work/ca.pem"
	cp "$(tmp)/good.crt" "$(tmp)/work/server.pem"
	cp "$(tmp)/good.key" "$(tmp)/work/server.key"
}

# tls_echo NAME PORT: socat serving TLS with server.pem on PORT of both families, echoing.
tls_echo() {
	spawn "$1" in_ns "$N" socat "OPENSSL-LISTEN:$2,pf=ip6,ipv6only=0,reuseaddr,fork,cert=$(tmp)/work/server.pem,key=$(tmp)/work/server.key,verify=0" EXEC:cat
	wait_in "$N" "$2"
}

@test "examples: listen --tls serves the report, connect -v --tls shows the chain and gets it" {
	ns
	tls_files
	printf 'quarterly figures\n' >"$(tmp)/work/report.txt"
	spawn l sh_in "$N" "$(doc ltls)"
	wait_in "$N" 4433
	run -0 --separate-stderr sh_in "$N" "$(doc ctls)"
	[ "$output" = "quarterly figures" ]
	[[ "$stderr" == *"sockt connect: certificate 0: CN = localhost"* ]]
	[[ "$stderr" == *"sockt connect: certificate verified for localhost"* ]]
	wait_exit "$(cat "$(tmp)/l.pid")"
	[ "$EXIT_STATUS" -eq 0 ]
}

@test "examples: send --tls gets the echo; -z --tls --warn-days 30 flags certificates of 30 days" {
	ns
	tls_files
	tls_echo e4433 4433
	run -0 --separate-stderr sh_in "$N" "$(doc stls)"
	[ "$output" = "ping" ]
	tls_echo e443 443
	tls_echo e8443 8443
	run -1 --separate-stderr sh_in "$N" "$(doc cztls)"
	[ "${#lines[@]}" -eq 4 ]
	[[ "${lines[0]}" =~ ^"::1 port 443 (tcp) open "[0-9.]+" ms, tls TLSv1.3, certificate expires "[0-9-]+" "[0-9:]+" UTC ("(29|30)" days left)"$ ]]
	[[ "${lines[3]}" =~ ^"127.0.0.1 port 8443 (tcp) open "[0-9.]+" ms, tls TLSv1.3, certificate expires " ]]
}

# --------------------------------------------------------------- Unix sockets

@test "examples: listen -U, state -x, connect -U, send -U and udp-recv -U on sockets in the work directory" {
	ns
	echo served >"$(tmp)/banner"
	STDIN_FILE="$(tmp)/banner" spawn l sh_in "$N" "$(doc ulisten)"
	wait_for_line "$(tmp)/l.err" '^sockt listen: listening on app.sock \(unix stream\)$'
	run -0 --separate-stderr sh_in "$N" "$(doc ustate)"
	[[ "${lines[1]}" =~ ^stream\ +LISTEN\ .*\ [0-9]+/sockt\ +app.sock$ ]]
	run -0 --separate-stderr sh_in "$N" "$(doc uconn) </dev/null"
	[ "$output" = served ]
	[[ "${stderr_lines[1]}" =~ ^"sockt connect: peer on app.sock: pid "[0-9]+" (sockt), uid " ]]
	spawn srv socat "UNIX-LISTEN:$(tmp)/work/app.sock" "SYSTEM:head -n 1"
	wait_for_line /proc/net/unix "app.sock\$"
	run -0 sh_in "$N" "$(doc usendU)"
	[ "$output" = $'GET /status HTTP/1.0\r' ]
	spawn r sh_in "$N" "$(doc urecvU)"
	wait_for_line "$(tmp)/r.err" 'listening on log.sock'
	socat -u - "UNIX-SENDTO:$(tmp)/work/log.sock" <<<"logged"
	wait_for_line "$(tmp)/r.err" '^sockt udp-recv: 7 bytes from unnamed$'
	[ "$(cat "$(tmp)/r.out")" = logged ]
}
