#!/usr/bin/env bats
# unit.bats: the core parsers (durations, sizes, ports, escapes, endpoints, JSON) called directly.

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

@test "unit: the compat errno-name table agrees with the C library" {
	run "$ERRNAMES_CHECK"
	[ "$status" -eq 0 ]
	[[ "$output" == *" 0 differ" ]]
}

@test "unit: ICMP errors have ping's words and short ones, from one table each" {
	[ "$(u icmp 4 3 1 0)" = "Destination Host Unreachable|host unreachable" ]
	[ "$(u icmp 4 3 3 0)" = "Destination Port Unreachable|port unreachable" ]
	[ "$(u icmp 4 3 4 1400)" = "Frag needed and DF set (mtu = 1400)|fragmentation needed" ]
	[ "$(u icmp 4 11 0 0)" = "Time to live exceeded|time exceeded" ]
	[ "$(u icmp 4 12 0 0x14000000)" = "Parameter problem: pointer = 20|parameter problem" ]
	[ "$(u icmp 4 3 99 0)" = "Dest Unreachable, Bad Code: 99|destination unreachable" ]
	[ "$(u icmp 6 1 4 0)" = "Destination unreachable: Port unreachable|port unreachable" ]
	[ "$(u icmp 6 2 0 1280)" = "Packet too big: mtu=1280|packet too big" ]
	[ "$(u icmp 6 3 0 0)" = "Time exceeded: Hop limit|time exceeded" ]
	[ "$(u icmp 6 200 0 0)" = "unknown icmp type: 200|error" ]
}

@test "unit: round trips print as ping's time= and sum up with iputils' integer steps" {
	[ "$(u rtt 46)" = "0.046 46/46/46/0" ]
	[ "$(u rtt 100 200 300)" = "0.100 0.200 0.300 100/200/300/81" ]
	[ "$(u rtt 1234 12345 123456)" = "1.23 12.3 123 1234/45678/123456/55183" ]
}
