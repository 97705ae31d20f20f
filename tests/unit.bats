#!/usr/bin/env bats
# unit.bats: the library's pure parsers and formatters called directly through tests/sockt-unit:
# durations, sizes, ports, escapes, endpoints, JSON, hex dumps, ICMP packets and wording, /proc/net
# lines, ping statistics and scan result lines.

load lib/common

u() { "$SOCKT_UNIT" "$@"; }

@test "unit: durations take plain seconds, fractions and ms/s/m suffixes" {
	[ "$(u duration 1.5)" = 1500000 ]
	[ "$(u duration 250ms)" = 250000 ]
	[ "$(u duration 2s)" = 2000000 ]
	[ "$(u duration 3m)" = 180000000 ]
	[ "$(u duration 0.001)" = 1000 ]
	[ "$(u duration 0)" = 0 ]
	[ "$(u duration .5)" = 500000 ]
}

@test "unit: bad durations are rejected, huge ones as out of range" {
	for d in "" -1 abc 1x 1.2.3 "1 s" s ms . +1 1h 5us; do
		run u duration "$d"
		[ "$status" -eq 1 ]
		[ "$output" = "error invalid" ]
	done
	run u duration 99999999999999999999
	[ "$output" = "error range" ]
	run u duration 1000000000
	[ "$output" = "error range" ]
}

@test "unit: sizes take k, M, G as powers of 1024" {
	[ "$(u size 512)" = 512 ]
	[ "$(u size 64k)" = 65536 ]
	[ "$(u size 1M)" = 1048576 ]
	[ "$(u size 1G)" = 1073741824 ]
	[ "$(u size 1.5k)" = 1536 ]
	run u size 1.5
	[ "$output" = "error invalid" ]
	run u size 2000G
	[ "$output" = "error range" ]
	run u size -1k
	[ "$output" = "error invalid" ]
}

@test "unit: ports and ranges are numbers 0-65535 or service names" {
	[ "$(u range 80)" = "80 80" ]
	[ "$(u range 20-25)" = "20 25" ]
	[ "$(u range 0)" = "0 0" ]
	[ "$(u range 65535)" = "65535 65535" ]
	[ "$(u range http)" = "80 80" ]
	[ "$(u range 1-http)" = "1 80" ]
	for p in 70000 -1 abc "" 25-20 1- 65536 " 80" +80 99999999999999999999; do
		run u range "$p"
		[ "$status" -eq 1 ]
	done
}

@test "unit: escapes decode \\r \\n \\t \\\\ \\xHH and reject the rest" {
	[ "$(u escapes 'GET /\r\n')" = 474554202f0d0a ]
	[ "$(u escapes 'a\tb\\c')" = 6109625c63 ]
	[ "$(u escapes '\x00\xff\x41')" = 00ff41 ]
	run u escapes 'ab\q'
	[ "$output" = "error at 2" ]
	run u escapes '\x4'
	[ "$status" -eq 1 ]
	run u escapes 'end\'
	[ "$output" = "error at 3" ]
}

@test "unit: remote endpoints come as HOST PORT, HOST:PORT or [V6]:PORT" {
	[ "$(u remote example.test 80)" = "host=example.test port=80 used=2" ]
	[ "$(u remote example.test:80)" = "host=example.test port=80 used=1" ]
	[ "$(u remote '[::1]:443')" = "host=::1 port=443 used=1" ]
	[ "$(u remote ::1 443)" = "host=::1 port=443 used=2" ]
	[ "$(u remote '[::1]' 443)" = "host=::1 port=443 used=2" ]
	[ "$(u remote 'fe80::1%eth0' 22)" = "host=fe80::1%eth0 port=22 used=2" ]
	[ "$(u remote '[fe80::1%eth0]:22')" = "host=fe80::1%eth0 port=22 used=1" ]
	[ "$(u remote host:80 extra)" = "host=host port=80 used=1" ]
}

@test "unit: malformed endpoints are refused with the reason" {
	run u remote '[::1'
	[[ "$output" == "error missing ']'"* ]]
	run u remote '[::1]'
	[[ "$output" == *"needs ':PORT'"* ]]
	run u remote ::1
	[[ "$output" == *"[ADDRESS]:PORT"* ]]
	run u remote ""
	[ "$output" = "error empty host" ]
	run u remote host
	[[ "$output" == "error expected HOST PORT"* ]]
	run u remote '[]:80'
	[ "$output" = "error empty address between brackets" ]
	run u remote host: 
	[ "$status" -eq 1 ]
}

@test "unit: local endpoints are [HOST] PORT" {
	[ "$(u local 8080)" = "host=(any) port=8080 used=1" ]
	[ "$(u local ::1 8080)" = "host=::1 port=8080 used=2" ]
	[ "$(u local 127.0.0.1:0)" = "host=127.0.0.1 port=0 used=1" ]
	[ "$(u local '[::]:53')" = "host=:: port=53 used=1" ]
}

@test "unit: a 5000-character host is kept whole" {
	h=$(printf 'a%.0s' $(seq 5000))
	out=$(u remote "$h" 80)
	[ "$out" = "host=$h port=80 used=2" ]
}

@test "unit: JSON strings are escaped and parse back; UTF-8 is checked" {
	s=$'quote" back\\ nl\n tab\t bell\a é'
	out=$(u json "$s")
	python3 -c 'import json,sys; o=json.loads(sys.argv[1]); assert o["s"]==sys.argv[2], o; assert o["utf8"] is True; import base64; assert base64.b64decode(o["b64"])==sys.argv[2].encode()' "$out" "$s"
	out=$(u json $'\xff\xfe')
	[[ "$out" == *'"utf8":false'* ]]
	out=$(u json $'\xed\xa0\x80')
	[[ "$out" == *'"utf8":false'* ]]
	out=$(u json $'\xc0\xaf')
	[[ "$out" == *'"utf8":false'* ]]
}

@test "unit: bytes that are not UTF-8 become U+FFFD, so the line still parses" {
	out=$(u json $'ok\xff\xc3\xa9\xed\xa0\x80end')
	python3 -c 'import json,sys; o=json.loads(sys.argv[1]); assert o["s"]=="ok\ufffd\u00e9\ufffd\ufffd\ufffdend", ascii(o["s"])' "$out"
}

@test "unit: the hex dump is hexdump -C's, line for line" {
	for n in 1 5 15 16 17 31 33 100; do
		head -c "$n" /dev/urandom >"$(tmp)/in"
		u hexdump "$(od -An -tx1 -v "$(tmp)/in" | tr -d ' \n')" >"$(tmp)/out"
		# hexdump -C writes '*' for a line that repeats the one before: random bytes do not.
		hexdump -C "$(tmp)/in" | diff - "$(tmp)/out"
	done
	[ "$(u hexdump 68656c6c6f00ff)" = "00000000  68 65 6c 6c 6f 00 ff                              |hello..|
00000007" ]
}

@test "unit: an echo request has a valid checksum, and its reply parses back with the send time" {
	run u icmp-echo 4 1234 7 56
	[ "${lines[0]}" = "length=64 request-sum=0" ]
	[ "${lines[1]}" = "reply type=0 code=0 id=1234 seq=7 ttl=-1 datalen=56 sum=1 dst=-" ]
	[ "${lines[2]}" = "wrong=0 sent=1700000000.123456789" ]
	run u icmp-echo 6 65535 65535 16
	[ "${lines[1]}" = "reply type=129 code=0 id=65535 seq=65535 ttl=-1 datalen=16 sum=1 dst=-" ]
	[ "${lines[2]}" = "wrong=0 sent=1700000000.123456789" ]
	# Too short for a timestamp: the pattern alone.
	run u icmp-echo 4 1 1 8
	[ "${lines[2]}" = "wrong=0" ]
}

@test "unit: a damaged reply payload is found, with the first wrong byte" {
	run u icmp-echo 4 1 2 56 20
	[ "${lines[2]}" = "wrong=1 first=20 expected=14 got=eb sent=1700000000.123456789" ]
	run u icmp-echo 6 1 2 100 99
	[ "${lines[2]}" = "wrong=1 first=99 expected=63 got=9c sent=1700000000.123456789" ]
}

# packet KIND: an ICMP packet in hex, built by python3 (tests/lib/icmp_packet.py), not by sockt.
packet() {
	python3 "$TESTLIB/icmp_packet.py" "$1"
}

@test "unit: ICMP replies and errors taken apart from packets python3 built" {
	[ "$(u icmp-parse 4 1 "$(packet reply4)")" = "reply type=0 code=0 id=4321 seq=9 ttl=57 datalen=24 sum=1 dst=-" ]
	[ "$(u icmp-parse 4 0 "$(packet bad-sum4)")" = "reply type=0 code=0 id=4321 seq=9 ttl=-1 datalen=4 sum=0 dst=-" ]
	[ "$(u icmp-parse 4 0 "$(packet unreach4)")" = "unreachable type=3 code=1 id=4321 seq=9 ttl=-1 datalen=0 sum=1 dst=198.51.100.7" ]
	[ "$(u icmp-parse 6 0 "$(packet ttl6)")" = "time-exceeded type=3 code=0 id=4321 seq=9 ttl=-1 datalen=0 sum=1 dst=2001:db8:9::5" ]
}

@test "unit: truncated and foreign ICMP is 'other' with the reason" {
	run u icmp-parse 4 0 "$(packet short)"
	[[ "$output" == "other "*" why=shorter than an ICMP header" ]]
	run u icmp-parse 4 0 "$(packet quote-cut4)"
	[[ "$output" == "other "*" why="?* ]]
	run u icmp-parse 6 0 "$(packet reply4)"
	[[ "$output" == "other "* ]]
}

@test "unit: ICMP errors are worded as iputils ping words them" {
	[ "$(u icmp-text 4 3 0 0)" = "Destination Net Unreachable" ]
	[ "$(u icmp-text 4 3 1 0)" = "Destination Host Unreachable" ]
	[ "$(u icmp-text 4 3 3 0)" = "Destination Port Unreachable" ]
	[ "$(u icmp-text 4 3 4 1400)" = "Frag needed and DF set (mtu = 1400)" ]
	[ "$(u icmp-text 4 11 0 0)" = "Time to live exceeded" ]
	[ "$(u icmp-text 6 1 0 0)" = "Destination unreachable: No route" ]
	[ "$(u icmp-text 6 1 4 0)" = "Destination unreachable: Port unreachable" ]
	[ "$(u icmp-text 6 2 0 1280)" = "Packet too big: mtu=1280" ]
	[ "$(u icmp-text 6 3 0 0)" = "Time exceeded: Hop limit" ]
}

@test "unit: /proc/net lines become state's columns; headers and bad hex are refused" {
	[ "$(u proc-line 4 tcp '   1: 0100007F:1F90 0100007F:D431 06 00000000:00000000 03:00000F9F 00000000     0        0 0 3 0000000000000000')" = \
	    "TIME_WAIT 127.0.0.1:8080 127.0.0.1:54321 timewait:40.0s queues=0/0 uid=0 inode=0" ]
	[ "$(u proc-line 6 tcp '   0: 00000000000000000000000001000000:1F90 00000000000000000000000000000000:0000 0A 00000000:00000005 00:00000000 00000000  1000        0 777 1 0000000000000000 100 0 0 10 0')" = \
	    "LISTEN [::1]:8080 [::]:* - queues=0/5 uid=1000 inode=777" ]
	[ "$(u proc-line 4 tcp '   2: 0100007F:D431 0100007F:0009 02 00000001:00000000 01:00000014 00000002     0        0 99 1')" = \
	    "SYN_SENT 127.0.0.1:54321 127.0.0.1:9 retrans:0.200s/2 queues=1/0 uid=0 inode=99" ]
	[ "$(u proc-line 4 udp '  12: 0100007F:0035 00000000:0000 07 00000000:00000000 00:00000000 00000000   101        0 4242 2 0000000000000000 0')" = \
	    "UNCONNECTED 127.0.0.1:53 0.0.0.0:* - queues=0/0 uid=101 inode=4242" ]
	run u proc-line 4 tcp "$(head -n 1 /proc/net/tcp)"
	[ "$status" -eq 1 ]
	run u proc-line 4 tcp '   1: 0100007G:1F90 0100007F:D431 06 00000000:00000000 03:00000F9F 00000000 0 0 0'
	[ "$status" -eq 1 ]
}

# reply KIND: a sock_diag dump reply in hex, built by python3 (tests/lib/sockdiag_reply.py).
reply() {
	python3 "$TESTLIB/sockdiag_reply.py" "$1"
}

@test "unit: a netlink dump's sockets are read, other dumps and families skipped" {
	run u netlink "$(reply dump)"
	[ "${lines[0]}" = "TIME_WAIT 127.0.0.1:8080 127.0.0.1:54321 timewait:40.0s queues=0/0 uid=0 inode=0" ]
	[ "${lines[1]}" = "LISTEN [::1]:8080 [::]:* - queues=0/0 uid=0 inode=777" ]
	[ "${lines[2]}" = "ESTABLISHED 127.0.0.1:9 127.0.0.1:40000 - queues=0/0 uid=0 inode=0" ]
	[ "${lines[3]}" = "end skipped=2" ]
	# The port filter is applied again by the parser, for kernels without the bytecode.
	run u netlink "$(reply dump)" 8080
	[ "${#lines[@]}" -eq 3 ]
	[ "${lines[2]}" = "end skipped=2" ]
	[ "$(u netlink "$(reply partial)" | tail -n 1)" = "more skipped=0" ]
}

@test "unit: netlink errors come back as the kernel's errno, a cut message as EPROTO" {
	[ "$(u netlink "$(reply error)")" = "EPERM skipped=0" ]
	[ "$(u netlink "$(reply done-error)")" = "EINTR skipped=0" ]
	[ "$(u netlink "$(reply cut)")" = "EPROTO skipped=0" ]
}

@test "unit: literals are told from names without a lookup, printed with their zone" {
	[ "$(u addr 127.0.0.1)" = "literal=1 inet 127.0.0.1 127.0.0.1" ]
	[ "$(u addr example.test)" = "literal=0" ]
	[ "$(u addr 'fe80::1%lo')" = "literal=1 inet6 fe80::1%lo fe80::1%lo" ]
	[ "$(u addr 'fe80::1%no-such-if0')" = "literal=0" ]
	# A dual-stack socket's IPv4 peer is printed as IPv4.
	[ "$(u addr ::ffff:192.0.2.1)" = "literal=1 inet6 ::ffff:192.0.2.1 192.0.2.1" ]
}

@test "unit: two addresses are the same host when their zones do not disagree" {
	[[ "$(u addr 2001:db8::1 2001:db8::1)" == *" same=1" ]]
	[[ "$(u addr 2001:db8::1 2001:db8::2)" == *" same=0" ]]
	[[ "$(u addr 'fe80::1%lo' fe80::1)" == *" same=1" ]]
	[[ "$(u addr 'fe80::1%lo' 'fe80::1%1')" == *" same=1" ]]
	[[ "$(u addr ::1 127.0.0.1)" == *" same=0" ]]
	[[ "$(u addr 127.0.0.1 127.0.0.1)" == *" same=1" ]]
}

@test "unit: the fuzz targets and sockt-unit link libsockt.a and compile no module of their own" {
	sources=$(sed -n 's/^\(fuzz_fuzz_[a-z]*\|tests_sockt_unit\)_SOURCES = //p' "$SOCKT_SRCDIR/Makefile.am")
	[ "$(wc -l <<<"$sources")" -ge 6 ]
	[[ "$sources" != *src/* ]]
	[ "$(grep -c '^\(fuzz_fuzz_[a-z]*\|tests_sockt_unit\)_LDADD = src/libsockt.a' "$SOCKT_SRCDIR/Makefile.am")" -ge 6 ]
}

@test "unit: ping statistics take iputils' integer steps and its time= rounding" {
	# 41, 46, 52 us: avg 139/3 = 46; mdev = isqrt((6441 - 139*139/3) / 3) = isqrt(20) = 4.
	[ "$(u rtt-stats 41 46 52)" = "rtt min/avg/max/mdev = 0.041/0.046/0.052/0.004 ms" ]
	# Three digits below 1 ms, two below 10, one below 100, none above.
	[ "$(u rtt-stats 1234 12345 123456)" = "rtt min/avg/max/mdev = 1.23/45.7/123/55.2 ms" ]
	[ "$(u rtt-stats 500)" = "rtt min/avg/max/mdev = 0.500/0.500/0.500/0.000 ms" ]
	[ "$(u rtt-stats 9999 99999)" = "rtt min/avg/max/mdev = 10.0/55.0/100/45.0 ms" ]
}

@test "unit: scan result lines say open with the time, closed and filtered with the cause" {
	[ "$(u scan-line 22 0 310 2000000)" = "127.0.0.1 port 22 (tcp) open 0.31 ms" ]
	[ "$(u scan-line 23 111 -1 2000000)" = "127.0.0.1 port 23 (tcp) closed [ECONNREFUSED]" ]
	[ "$(u scan-line 80 110 -1 2000000)" = "127.0.0.1 port 80 (tcp) filtered [timeout after 2 s]" ]
	[ "$(u scan-line 80 110 -1 300000)" = "127.0.0.1 port 80 (tcp) filtered [timeout after 300 ms]" ]
	[ "$(u scan-line 81 113 -1 2000000)" = "127.0.0.1 port 81 (tcp) filtered [EHOSTUNREACH]" ]
}

@test "unit: a scan's addresses come IPv6 first, then numerically, each once" {
	[ "$(u scan-order 127.0.0.1 ::1)" = "::1 127.0.0.1" ]
	[ "$(u scan-order ::1 127.0.0.1)" = "::1 127.0.0.1" ]
	[ "$(u scan-order 127.0.0.2 10.0.0.1 127.0.0.2 ::1 2001:db8::1 ::1 127.0.0.10)" = \
		"::1 2001:db8::1 10.0.0.1 127.0.0.2 127.0.0.10" ]
	[ "$(u scan-order fe80::1%lo ::1 fe80::1 fe80::1%lo)" = "::1 fe80::1 fe80::1%lo" ]
}

@test "unit: the compat errno-name table agrees with the C library" {
	run "$ERRNAMES_CHECK"
	[ "$status" -eq 0 ]
	[[ "$output" == *" 0 differ" ]]
}

@test "unit: a service name the database lacks is told apart from a malformed port" {
	for p in no-such-service x y-z a.b; do
		run u range "$p"
		[ "$status" -eq 1 ]
		[ "$output" = "error unknown" ]
	done
	for p in -1 "no such" "%n" "-http" "_x" "$(printf 'x%.0s' {1..65})"; do
		run u range "$p"
		[ "$status" -eq 1 ]
		[ "$output" = "error invalid" ]
	done
	run u range 70000
	[ "$output" = "error range" ]
}

@test "unit: addr_literal_family tells IPv4 and IPv6 literals (with a zone) from names" {
	[ "$(u family 127.0.0.1)" = inet ]
	[ "$(u family ::1)" = inet6 ]
	[ "$(u family ::ffff:127.0.0.1)" = inet6 ]
	[ "$(u family fe80::1%lo)" = inet6 ]
	[ "$(u family localhost)" = name ]
	[ "$(u family 127.1)" = inet ]
	[ "$(u family 1.2.3.4.5)" = name ]
	[ "$(u family '[::1]')" = name ]
}

@test "unit: the short ICMP words of udp-send's error lines, from the same file as ping's" {
	[ "$(u icmp-brief 4 3 1)" = "host unreachable" ]
	[ "$(u icmp-brief 4 3 3)" = "port unreachable" ]
	[ "$(u icmp-brief 4 3 4)" = "fragmentation needed" ]
	[ "$(u icmp-brief 4 3 13)" = "administratively prohibited" ]
	[ "$(u icmp-brief 4 3 99)" = "destination unreachable" ]
	[ "$(u icmp-brief 4 11 0)" = "time exceeded" ]
	[ "$(u icmp-brief 6 1 4)" = "port unreachable" ]
	[ "$(u icmp-brief 6 2 0)" = "packet too big" ]
	[ "$(u icmp-brief 6 200 0)" = "error" ]
}
