#!/usr/bin/env bats
# cli.bats: sockt(1): invocation, global options, help, version, usage errors.

load lib/common

@test "cli: sockt alone prints the command list on stderr and exits 2" {
	run --separate-stderr "$SOCKT"
	[ "$status" -eq 2 ]
	[ -z "$output" ]
	[[ "$stderr" == *"Commands:"* ]]
	for c in listen connect send udp-send udp-recv resolve raw-ping state; do
		[[ "$stderr" == *"  $c "* ]]
	done
}

@test "cli: --version prints 'sockt X.Y.Z' on stdout and exits 0" {
	run --separate-stderr "$SOCKT" --version
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^sockt\ [0-9]+\.[0-9]+\.[0-9]+$ ]]
	run "$SOCKT" -V
	[[ "$output" =~ ^sockt\ [0-9]+\.[0-9]+\.[0-9]+$ ]]
}

@test "cli: --version is accepted after the command too" {
	run "$SOCKT" resolve --version
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^sockt\ [0-9] ]]
}

@test "cli: --help and 'sockt help' list the commands on stdout with status 0" {
	run --separate-stderr "$SOCKT" --help
	[ "$status" -eq 0 ]
	[[ "$output" == *"resolve"*"getaddrinfo"* ]]
	[ -z "$stderr" ]
	run --separate-stderr "$SOCKT" help
	[ "$status" -eq 0 ]
	[[ "$output" == *"raw-ping"* ]]
}

@test "cli: 'sockt help CMD' is the same as 'sockt CMD --help'" {
	for c in listen connect send udp-send udp-recv resolve raw-ping state; do
		a=$("$SOCKT" help "$c")
		b=$("$SOCKT" "$c" --help)
		[ "$a" = "$b" ]
		[[ "$a" == "usage: sockt $c "* ]]
		[[ "$a" == *"Global options:"* ]]
	done
}

@test "cli: an unknown command is a usage error naming it" {
	run --separate-stderr "$SOCKT" frobnicate
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"unknown command 'frobnicate'"* ]]
	run --separate-stderr "$SOCKT" help frobnicate
	[ "$status" -eq 2 ]
}

@test "cli: a unique prefix of a command is not accepted" {
	run --separate-stderr "$SOCKT" res localhost
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"unknown command 'res'"* ]]
	run "$SOCKT" resolv localhost
	[ "$status" -eq 2 ]
}

@test "cli: an unknown option is one line naming it, then status 2" {
	run --separate-stderr "$SOCKT" resolve --bogus localhost
	[ "$status" -eq 2 ]
	[[ "$stderr" == "sockt resolve: unknown option '--bogus'"* ]]
	run --separate-stderr "$SOCKT" resolve -Z localhost
	[ "$status" -eq 2 ]
	[[ "$stderr" == "sockt resolve: unknown option '-Z'"* ]]
	run --separate-stderr "$SOCKT" --bogus
	[ "$status" -eq 2 ]
}

@test "cli: an option without its value is a usage error" {
	run --separate-stderr "$SOCKT" resolve localhost --service
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"option '--service' needs a value"* ]]
}

@test "cli: global options work before and after the command" {
	run --separate-stderr "$SOCKT" -4 --json resolve 127.0.0.1
	[ "$status" -eq 0 ]
	[[ "$output" == '{"name":"127.0.0.1"'* ]]
	run --separate-stderr "$SOCKT" resolve 127.0.0.1 --json -4
	[ "$status" -eq 0 ]
	[[ "$output" == '{"name":"127.0.0.1"'* ]]
}

@test "cli: long options take --opt=value and --opt value" {
	run "$SOCKT" resolve -n --service=80 127.0.0.1
	[ "$status" -eq 0 ]
	[ "$output" = "127.0.0.1 port 80" ]
	run "$SOCKT" resolve -n --service 80 127.0.0.1
	[ "$output" = "127.0.0.1 port 80" ]
}

@test "cli: -q silences notices but not errors" {
	run --separate-stderr "$SOCKT" -q -v resolve 127.0.0.1 no-such-host.invalid
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"[EAI_NONAME]"* ]]
	[[ "$stderr" != *"name found"* ]]
}

@test "cli: every command is implemented: none answers 'not implemented'" {
	for c in listen connect send udp-send udp-recv raw-ping state resolve; do
		run --separate-stderr timeout 2 "$SOCKT" "$c" --bogus-option
		[ "$status" -eq 2 ]
		[[ "$stderr" != *"not implemented"* ]]
		[[ "$stderr" == *"unknown option '--bogus-option'"* ]]
	done
	! grep -l "not implemented yet" "$SOCKT_SRCDIR"/src/cmd_*.c
}

@test "cli: a closed stdout ends sockt quietly with status 0" {
	run bash -c '"$SOCKT" help | head -c 10 >/dev/null; echo "${PIPESTATUS[0]}"'
	[ "$output" = 0 ]
}

@test "cli: a full stdout is a local error, status 4, with ENOSPC" {
	run --separate-stderr bash -c '"$SOCKT" help >/dev/full'
	[ "$status" -eq 4 ]
	[[ "$stderr" == *"write to stdout: No space left on device [ENOSPC, errno 28]"* ]]
}

# without_services CMD...: runs CMD with an empty file mounted over /etc/services, in a
# private mount namespace (as with_hosts does for /etc/hosts), so no service name is known.
without_services() {
	local userns=
	[ "$(id -u)" = 0 ] || userns=-r
	: >"$(tmp)/services"
	unshare $userns -m sh -c 'mount --bind "$0" /etc/services && exec "$@"' "$(tmp)/services" "$@"
}

@test "cli: a missing value names the option as typed, long or short" {
	run --separate-stderr "$SOCKT" connect --timeout
	[ "$status" -eq 2 ]
	[ "${stderr_lines[0]}" = "sockt connect: option '--timeout' needs a value" ]
	run --separate-stderr "$SOCKT" connect 127.0.0.1 80 -w
	[ "$status" -eq 2 ]
	[ "${stderr_lines[0]}" = "sockt connect: option '-w' needs a value" ]
	run --separate-stderr "$SOCKT" connect -zw
	[ "$status" -eq 2 ]
	[ "${stderr_lines[0]}" = "sockt connect: option '-w' needs a value" ]
	run --separate-stderr "$SOCKT" --json connect -Zz
	[ "$status" -eq 2 ]
	[ "${stderr_lines[0]}" = "sockt connect: unknown option '-Z'" ]
	run --separate-stderr "$SOCKT" connect --scan=yes 127.0.0.1 80
	[ "$status" -eq 2 ]
	[ "${stderr_lines[0]}" = "sockt connect: option '--scan' takes no value" ]
}

@test "cli: a bad option value is one wording per kind, naming the option as typed" {
	run --separate-stderr "$SOCKT" connect -w soon 127.0.0.1 80
	[ "$status" -eq 2 ]
	[ "${stderr_lines[0]}" = "sockt connect: invalid duration 'soon' for -w: must be above 0, such as 1.5, 250ms, 2s or 1m" ]
	for c in "listen --timeout=0 0" "send -w 0 127.0.0.1 80 x" "udp-recv -w 1x 0" "raw-ping -W 1x 127.0.0.1"; do
		run --separate-stderr "$SOCKT" $c
		[ "$status" -eq 2 ]
		[[ "${stderr_lines[0]}" == "sockt ${c%% *}: invalid duration '"*"' for -"*": must be above 0, such as 1.5, 250ms, 2s or 1m" ]]
	done
	run --separate-stderr "$SOCKT" udp-send --interval x 127.0.0.1 9 x
	[ "${stderr_lines[0]}" = "sockt udp-send: invalid duration 'x' for --interval: must be 0 or more, such as 1.5, 250ms, 2s or 1m" ]
	for c in "udp-send -c 0 127.0.0.1 9 x" "udp-recv --count=-1 0" "raw-ping -c 1.5 127.0.0.1"; do
		run --separate-stderr "$SOCKT" $c
		[ "$status" -eq 2 ]
		[[ "${stderr_lines[0]}" == "sockt ${c%% *}: invalid count '"*"' for -"*": must be a whole number, 1 or more" ]]
	done
	for c in "connect -p 70000 127.0.0.1 80" "udp-send --source-port -1 127.0.0.1 9 x" "resolve --service 1e3 x"; do
		run --separate-stderr "$SOCKT" $c
		[ "$status" -eq 2 ]
		[[ "${stderr_lines[0]}" == "sockt ${c%% *}: invalid port '"*"' for -"*": must be 0-65535 or a service name" ]]
	done
	run --separate-stderr "$SOCKT" connect -z --parallel 0 127.0.0.1 80
	[ "${stderr_lines[0]}" = "sockt connect: invalid number '0' for --parallel: must be 1-65536" ]
	# The readers are the only wordings: no command types its own.
	! grep -n "invalid port '%s': must\|parse_duration(\|parse_number(\|parse_size(" "$SOCKT_SRCDIR"/src/cmd_*.c
}

@test "cli: -n with a host name says that -n takes address literals only, status 2" {
	run --separate-stderr "$SOCKT" -n connect localhost 7100
	[ "$status" -eq 2 ]
	[ -z "$output" ]
	[ "${stderr_lines[0]}" = "sockt connect: -n takes address literals only, and 'localhost' is a name: leave -n out to look it up" ]
	for c in "send localhost 7100 x" "udp-send localhost:7100 x" "listen localhost 0" "udp-recv localhost 0" \
	    "raw-ping localhost" "resolve 127.0.0.1 localhost" "connect -s localhost 127.0.0.1 7100"; do
		run --separate-stderr "$SOCKT" -n $c
		[ "$status" -eq 2 ]
		[ "${stderr_lines[0]}" = "sockt ${c%% *}: -n takes address literals only, and 'localhost' is a name: leave -n out to look it up" ]
	done
	run "$SOCKT" -n resolve 127.0.0.1 ::1
	[ "$status" -eq 0 ]
}

@test "cli: -6 with an IPv4 literal, or -4 with an IPv6 one, names the clash, status 2" {
	run --separate-stderr "$SOCKT" -6 connect 127.0.0.1 7100
	[ "$status" -eq 2 ]
	[ "${stderr_lines[0]}" = "sockt connect: -6 asks for IPv6 only, and '127.0.0.1' is an IPv4 address" ]
	[[ "$stderr" != *"Address family for hostname not supported"* ]]
	run --separate-stderr "$SOCKT" connect '[::1]:7100' -4
	[ "$status" -eq 2 ]
	[ "${stderr_lines[0]}" = "sockt connect: -4 asks for IPv4 only, and '::1' is an IPv6 address" ]
	for c in "send 127.0.0.1 7100 x" "udp-send 127.0.0.1 9 x" "listen 127.0.0.1 0" "udp-recv 127.0.0.1 0" \
	    "raw-ping 127.0.0.1" "resolve 127.0.0.1" "connect -z 127.0.0.1 1-2" "connect -s 127.0.0.1 ::1 7100"; do
		run --separate-stderr "$SOCKT" -6 $c
		[ "$status" -eq 2 ]
		[ "${stderr_lines[0]}" = "sockt ${c%% *}: -6 asks for IPv6 only, and '127.0.0.1' is an IPv4 address" ]
	done
}

@test "cli: an unknown command suggests the one meant, never runs it, status 2" {
	port=$(free_port)
	# A real listener: the mistyped command must not reach it.
	spawn peer python3 -c '
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(); print("ready", flush=True)
s.settimeout(3)
try:
    s.accept(); print("accepted", flush=True)
except socket.timeout:
    print("none", flush=True)' "$port"
	wait_for_line "$(tmp)/peer.out" ready
	run --separate-stderr "$SOCKT" con 127.0.0.1 "$port"
	[ "$status" -eq 2 ]
	[ -z "$output" ]
	[ "$stderr" = "sockt: unknown command 'con'; did you mean 'connect'?" ]
	wait_for_line "$(tmp)/peer.out" '^(accepted|none)$' 5
	[ "$(tail -n 1 "$(tmp)/peer.out")" = none ]
	run --separate-stderr "$SOCKT" udp 127.0.0.1 9
	[ "$stderr" = "sockt: unknown command 'udp'; did you mean 'udp-send' or 'udp-recv'?" ]
	run --separate-stderr "$SOCKT" help conect
	[ "$status" -eq 2 ]
	[ "$stderr" = "sockt: unknown command 'conect'; did you mean 'connect'?" ]
	run --separate-stderr "$SOCKT" frobnicate
	[ "$stderr" = "sockt: unknown command 'frobnicate'; 'sockt help' lists them" ]
}

@test "cli: -v has one level, and --help and sockt(1) say so (raw-ping's -vv excepted)" {
	run "$SOCKT" resolve --help
	[[ "$output" == *"-v, --verbose"*"say what happens, on stderr; -vv adds routes and ignored packets"* ]]
	text=$(mandoc -Tascii "$SOCKT_MANDIR/sockt.1" | col -b)
	[[ "$text" == *"One level is all"* ]]
	[[ "$text" != *"repeat for more"* ]]
	a=$("$SOCKT" -v resolve 127.0.0.1 2>&1 | sed 's/in [0-9.]* ms/in T ms/')
	b=$("$SOCKT" -vv resolve 127.0.0.1 2>&1 | sed 's/in [0-9.]* ms/in T ms/')
	[ -n "$a" ]
	[ "$a" = "$b" ]
}

@test "cli: with no services database, a service name is a resolution failure, status 3" {
	run --separate-stderr without_services "$SOCKT" connect 127.0.0.1 http
	[ "$status" -eq 3 ]
	[ "$stderr" = "sockt connect: http: the services database (/etc/services) has no such tcp service [EAI_SERVICE]" ]
	for c in "send 127.0.0.1 http x" "listen 127.0.0.1 http" "connect -z 127.0.0.1 http" \
	    "connect -p http 127.0.0.1 80" "resolve --service http 127.0.0.1" "state http"; do
		run --separate-stderr without_services "$SOCKT" $c
		[ "$status" -eq 3 ]
		[ "$stderr" = "sockt ${c%% *}: http: the services database (/etc/services) has no such tcp service [EAI_SERVICE]" ]
	done
	for c in "udp-send 127.0.0.1 http x" "udp-recv http"; do
		run --separate-stderr without_services "$SOCKT" $c
		[ "$status" -eq 3 ]
		[ "$stderr" = "sockt ${c%% *}: http: the services database (/etc/services) has no such udp service [EAI_SERVICE]" ]
	done
	# The same names resolve where the database has them (getent agrees).
	getent services http
	run "$SOCKT" -n resolve --service http 127.0.0.1
	[ "$status" -eq 0 ]
	[ "$output" = "127.0.0.1 port 80" ]
}

@test "cli: connect, send and a scan give udp-send's [ADDRESS]:PORT advice for a glued port" {
	for c in "connect ::1:5000 hi" "send ::1:5000 hi" "connect -z ::1:5000 hi"; do
		run --separate-stderr "$SOCKT" $c
		[ "$status" -eq 2 ]
		[ "${stderr_lines[0]}" = "sockt ${c%% *}: invalid port 'hi': must be 0-65535 or a service name" ]
		[ "${stderr_lines[1]}" = "sockt ${c%% *}: hint: '::1:5000' was read as the host; an IPv6 address with a port is written [ADDRESS]:PORT or ADDRESS PORT, as in [::1]:5000" ]
	done
}
