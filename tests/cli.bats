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
