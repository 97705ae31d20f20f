#!/usr/bin/env bats
# soak.bats: 500 connections through listen -k --echo with resets, half-closes, stalls
# and slow readers (tests/lib/soak.py); every byte is checked by sha256, and every byte
# sockt read and did not echo is said in an error line. About 5-30 s.

load lib/common
bats_require_minimum_version 1.5.0

teardown() {
	common_teardown
}

@test "soak: 500 connections through listen -k --echo lose nothing silently" {
	spawn l "$SOCKT" -v listen -k --echo 127.0.0.1 0
	wait_for_line "$(tmp)/l.err" 'listening on'
	PORT=$(sed -n '1s/^sockt listen: listening on .* port \([0-9][0-9]*\)$/\1/p' "$(tmp)/l.err")
	run timeout 150 python3 "$BATS_TEST_DIRNAME/lib/soak.py" "$PORT" "$(tmp)/l.err" 500
	echo "# ${lines[0]}" >&3
	printf '%s\n' "${lines[@]}"
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" =~ ^soak:\ 500\ connections ]]
	# The server is still serving: no connection's end was its end.
	kill -0 "$SPAWNED_PID"
}

@test "soak: the same 500 with --linger 0, every connection ends with RST and loses nothing" {
	spawn l "$SOCKT" -v listen -k --echo --linger 0 127.0.0.1 0
	wait_for_line "$(tmp)/l.err" 'listening on'
	PORT=$(sed -n '1s/^sockt listen: listening on .* port \([0-9][0-9]*\)$/\1/p' "$(tmp)/l.err")
	run timeout 150 python3 "$BATS_TEST_DIRNAME/lib/soak.py" "$PORT" "$(tmp)/l.err" 500 "" linger0
	echo "# ${lines[0]}" >&3
	printf '%s\n' "${lines[@]}"
	[ "$status" -eq 0 ]
	kill -0 "$SPAWNED_PID"
}
