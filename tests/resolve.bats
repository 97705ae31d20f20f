#!/usr/bin/env bats
# resolve.bats: sockt-resolve(1), checked against getent ahosts with a hosts file the test owns.

load lib/common

setup() {
	HOSTS="$(tmp)/hosts"
	cat >"$HOSTS" <<-'H'
	127.0.0.1 localhost
	::1 localhost ip6-localhost
	127.0.0.7 web.test web
	::7 web.test
	127.0.0.8 v4only.test
	::8 v6only.test
	H
	for i in $(seq 1 40); do
		echo "127.0.1.$i many.test" >>"$HOSTS"
	done
}

r() { with_hosts "$HOSTS" "$SOCKT" "$@"; }

@test "resolve: each address once, in getaddrinfo's order, as getent ahosts (deduplicated)" {
	for name in localhost web.test many.test v6only.test; do
		want=$(with_hosts "$HOSTS" getent ahosts "$name" | awk '!seen[$1]++ {print $1}')
		got=$(r resolve "$name")
		[ -n "$want" ]
		[ "$got" = "$want" ]
	done
}

@test "resolve: forty addresses of one name all come back once" {
	run r resolve many.test
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 40 ]
	[ "$(printf '%s\n' "${lines[@]}" | sort -u | wc -l)" -eq 40 ]
}

@test "resolve: several names give NAME ADDRESS lines" {
	run --separate-stderr r resolve v4only.test v6only.test
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "v4only.test 127.0.0.8" ]
	[ "${lines[1]}" = "v6only.test ::8" ]
}

@test "resolve: -4 and -6 keep one family" {
	run r -4 resolve web.test
	[ "$output" = 127.0.0.7 ]
	run r resolve -6 web.test
	[ "$output" = ::7 ]
}

@test "resolve: an address literal is looked up in reverse" {
	run r resolve 127.0.0.7
	[ "$status" -eq 0 ]
	[ "$output" = web.test ]
	run r resolve ::1
	[ "$output" = localhost ]
}

@test "resolve: a literal with no name is status 3 with EAI_NONAME" {
	run --separate-stderr r resolve 127.0.0.99
	[ "$status" -eq 3 ]
	[ "$stderr" = "sockt resolve: 127.0.0.99: Name or service not known [EAI_NONAME]" ]
}

@test "resolve: -r prints the name of every forward result" {
	run r resolve -r web.test
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "127.0.0.7 web.test" ] || [ "${lines[0]}" = "::7 web.test" ]
	run r resolve -r many.test
	[[ "${lines[0]}" == "127.0.1."*" many.test" ]]
}

@test "resolve: -n prints a literal as it is and refuses names, a usage error" {
	run r -n resolve 127.0.0.7
	[ "$output" = 127.0.0.7 ]
	run --separate-stderr r -n resolve 127.0.0.7 web.test
	[ "$status" -eq 2 ]
	[ -z "$output" ]
	[ "${stderr_lines[0]}" = "sockt resolve: -n takes address literals only, and 'web.test' is a name: leave -n out to look it up" ]
}

@test "resolve: --service resolves a port too, by name or number" {
	run r -4 resolve --service http web.test
	[ "$output" = "127.0.0.7 port 80" ]
	run r -4 resolve --service=8080 web.test
	[ "$output" = "127.0.0.7 port 8080" ]
}

@test "resolve: a bad --service is a usage error with the documented wording" {
	run --separate-stderr r resolve --service 70000 web.test
	[ "$status" -eq 2 ]
	[[ "$stderr" == "sockt resolve: invalid port '70000' for --service: must be 0-65535 or a service name"* ]]
	run --separate-stderr r resolve --service 'no such' web.test
	[ "$status" -eq 2 ]
	# A well-formed name the services database lacks is a resolution failure.
	run --separate-stderr r resolve --service no-such-service web.test
	[ "$status" -eq 3 ]
	[ "$stderr" = "sockt resolve: no-such-service: the services database (/etc/services) has no such tcp service [EAI_SERVICE]" ]
}

@test "resolve: --canonical prints the canonical name first" {
	run r -4 resolve --canonical web
	[ "${lines[0]}" = web.test ]
	[ "${lines[1]}" = 127.0.0.7 ]
}

@test "resolve: -l shows every result with family, socket type and protocol" {
	want=$(with_hosts "$HOSTS" getent ahosts v4only.test | wc -l)
	run r resolve -l v4only.test
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq "$want" ]
	[[ "$output" == *"127.0.0.8 inet stream tcp"* ]]
	[[ "$output" == *"127.0.0.8 inet dgram udp"* ]]
}

@test "resolve: -v says how long each lookup took" {
	run --separate-stderr r -v resolve web.test 127.0.0.7
	[ "$status" -eq 0 ]
	[[ "$stderr" =~ "sockt resolve: web.test: 2 addresses in "[0-9.]+" ms" ]]
	[[ "$stderr" =~ "sockt resolve: 127.0.0.7: name found in "[0-9.]+" ms" ]]
}

@test "resolve: --json gives one object per name that python parses" {
	run --separate-stderr r --json resolve -r web.test no-such.test 127.0.0.7
	[ "$status" -eq 3 ]
	[ "${#lines[@]}" -eq 3 ]
	printf '%s\n' "$output" | python3 -c '
import json, sys
objs = [json.loads(l) for l in sys.stdin]
a, b, c = objs
assert a["name"] == "web.test", a
assert sorted(x["address"] for x in a["addresses"]) == ["127.0.0.7", "::7"], a
assert {x["family"] for x in a["addresses"]} == {"inet", "inet6"}
assert all(x["reverse"] == "web.test" for x in a["addresses"])
assert a["ms"] >= 0
assert b == {"name": "no-such.test", "error": "EAI_NONAME", "message": "Name or service not known"}, b
assert c["addresses"][0]["reverse"] == "web.test", c
'
}

@test "resolve: one name failing is status 3, the others still printed" {
	run --separate-stderr r resolve v4only.test no-such.test v6only.test
	[ "$status" -eq 3 ]
	[ "$output" = $'v4only.test 127.0.0.8\nv6only.test ::8' ]
	[ "$stderr" = "sockt resolve: no-such.test: Name or service not known [EAI_NONAME]" ]
}

@test "resolve: hostile names get one line and status 3, never a crash" {
	long=$(printf 'x%.0s' $(seq 1000))
	for name in "$long" "" "[::1" "::1]" "%n%n%s" "a..b" "-"; do
		run --separate-stderr r resolve -- "$name"
		[ "$status" -eq 3 ]
		[ "$(printf '%s\n' "$stderr" | wc -l)" -eq 1 ]
		[[ "$stderr" == *"[EAI_"* ]]
	done
}

@test "resolve: no NAME is a usage error" {
	run --separate-stderr "$SOCKT" resolve
	[ "$status" -eq 2 ]
	[[ "$stderr" == "sockt resolve: missing NAME"* ]]
}

@test "resolve: --json to a full or closed stdout is status 4 with the errno name" {
	run --separate-stderr bash -c '"$SOCKT" --json resolve 127.0.0.1 >/dev/full'
	[ "$status" -eq 4 ]
	[ "$stderr" = "sockt resolve: write to stdout: No space left on device [ENOSPC, errno 28]" ]
	run --separate-stderr bash -c '"$SOCKT" --json resolve -n 127.0.0.1 >&-'
	[ "$status" -eq 4 ]
	[ "$stderr" = "sockt resolve: write to stdout: Bad file descriptor [EBADF, errno 9]" ]
}
