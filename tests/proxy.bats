#!/usr/bin/env bats
# proxy.bats: connect and send through proxies (--proxy, --proxy-type, --proxy-auth): real
# microsocks (SOCKS5), tinyproxy (HTTP CONNECT) and danted (SOCKS4) on 127.0.0.1 or in a
# namespace, and tests/lib/proxy_script.py, a proxy that gives each refusal, a reply cut
# short, garbage and bytes after its reply.

load lib/common

bats_require_minimum_version 1.5.0

# scripted PROTO ANSWER...: tests/lib/proxy_script.py for one connection per ANSWER; its
# port in $PROXY, what it read last in $(tmp)/record.
scripted() {
	local name="script-$1-$2-$#"
	spawn "$name" python3 "$TESTLIB/proxy_script.py" "$1" "$(tmp)/record" "${@:2}"
	wait_for_line "$(tmp)/$name.out" '^[0-9]+$' || return 1
	PROXY=$(head -n 1 "$(tmp)/$name.out")
}

# dest SIZE FILE: the destination: reads SIZE bytes, answers their sha256, then FILE; port in
# $DEST.
dest() {
	spawn dest python3 "$TESTLIB/proxy_script.py" dest "$1" "$2"
	wait_for_line "$(tmp)/dest.out" '^[0-9]+$' || return 1
	DEST=$(head -n 1 "$(tmp)/dest.out")
}

# real NAME PORT CMD...: a real proxy in the background, once it listens on PORT.
real() {
	local name=$1 port=$2
	shift 2
	spawn "$name" "$@"
	wait_listening "$port" tcp 5
}

# both_ways ARGS...: 1 MiB each way through sockt connect ARGS (the proxy options) to dest;
# --no-shutdown as microsocks and tinyproxy end both ways at a half-close. sha256 checked.
both_ways() {
	big_file "$(tmp)/up" 1M
	big_file "$(tmp)/down" 1M
	dest 1048576 "$(tmp)/down"
	timeout 20 "$SOCKT" connect --no-shutdown -w 5 "$@" 127.0.0.1 "$DEST" \
	    <"$(tmp)/up" >"$(tmp)/out" 2>"$(tmp)/err" || { cat "$(tmp)/err"; return 1; }
	[ "$(head -n 1 "$(tmp)/out")" = "$(cat "$(tmp)/up.sha")" ]
	[ "$(tail -c +66 "$(tmp)/out" | sha256sum | cut -d' ' -f1)" = "$(cat "$(tmp)/down.sha")" ]
	[ ! -s "$(tmp)/err" ]
}

# A hosts file of this test's own: web.test, a name that only the proxy can look up.
web_hosts() {
	printf '127.0.0.1\tlocalhost\n127.0.0.1\tweb.test\n' >"$(tmp)/hosts"
}

tinyproxy_conf() {
	cat >"$(tmp)/tinyproxy.conf" <<-EOF
		Port $1
		Listen 127.0.0.1
		Timeout 10
		Allow 127.0.0.1
		ConnectPort $2
		MaxClients 10
		LogLevel Info
		${3:+BasicAuth $3}
	EOF
}

danted_conf() {
	cat >"$(tmp)/danted.conf" <<-EOF
		logoutput: stderr
		internal: 127.0.0.1 port = $1
		external: 127.0.0.1
		clientmethod: none
		socksmethod: none
		user.privileged: root
		user.unprivileged: nobody
		client pass {
			from: 127.0.0.0/8 to: 0.0.0.0/0
		}
		socks pass {
			from: 127.0.0.0/8 to: 127.0.0.0/8
			command: connect
		}
	EOF
}

@test "proxy: microsocks (SOCKS5) carries 1 MiB each way intact" {
	local port
	port=$(free_port)
	real microsocks "$port" microsocks -i 127.0.0.1 -p "$port"
	both_ways --proxy "127.0.0.1:$port" --proxy-type socks5
}

@test "proxy: microsocks looks up a name that sockt does not know, with -n too" {
	local port
	port=$(free_port)
	web_hosts
	# with_hosts's way, without its function: spawn records microsocks's own PID.
	real microsocks "$port" unshare -m sh -c \
	    'mount --bind "$0" /etc/hosts && exec "$@"' "$(tmp)/hosts" \
	    microsocks -i 127.0.0.1 -p "$port"
	dest 0 /dev/null
	run -3 "$SOCKT" send web.test "$DEST" x
	run -0 --separate-stderr "$SOCKT" -n -v connect --no-shutdown -w 5 --proxy "127.0.0.1:$port" \
	    --proxy-type socks5 web.test "$DEST" </dev/null
	[ "$output" = "$(printf '' | sha256sum | cut -d' ' -f1)" ]
	[[ "$stderr" == *"proxy 127.0.0.1 port $port (socks5): asking for web.test port $DEST, a name the proxy looks up"* ]]
	[[ "$stderr" == *"SOCKS5 reply 0: succeeded"* ]]
}

@test "proxy: microsocks with -u/-P takes --proxy-auth, and says what is wrong without it" {
	local port
	port=$(free_port)
	real microsocks "$port" microsocks -i 127.0.0.1 -p "$port" -u alice -P s3cret
	both_ways --proxy "127.0.0.1:$port" --proxy-type socks5 --proxy-auth alice:s3cret
	run -1 "$SOCKT" send --proxy "127.0.0.1:$port" --proxy-type socks5 127.0.0.1 9 x
	[ "${lines[0]}" = "sockt send: connect to 127.0.0.1 port 9 through proxy 127.0.0.1 port $port (socks5): SOCKS5 method 255: the proxy accepts none of the methods offered (none)" ]
	[ "${lines[1]}" = "sockt send: hint: the proxy wants credentials: give --proxy-auth USER:PASS" ]
	run -1 "$SOCKT" send --proxy "127.0.0.1:$port" --proxy-type socks5 --proxy-auth alice:wrong \
	    127.0.0.1 9 x
	[[ "${lines[0]}" =~ ^"sockt send: connect to 127.0.0.1 port 9 through proxy 127.0.0.1 port $port (socks5): SOCKS5 authentication status "[1-9][0-9]*": the proxy refused the user name or password"$ ]]
	[ "${lines[1]}" = "sockt send: hint: check the USER:PASS of --proxy-auth" ]
}

@test "proxy: microsocks's refusal is its SOCKS5 code, status 1" {
	local port closed
	port=$(free_port)
	closed=$(free_port)
	real microsocks "$port" microsocks -i 127.0.0.1 -p "$port"
	run -1 "$SOCKT" connect --proxy "127.0.0.1:$port" --proxy-type socks5 127.0.0.1 "$closed"
	[ "${lines[0]}" = "sockt connect: connect to 127.0.0.1 port $closed through proxy 127.0.0.1 port $port (socks5): SOCKS5 reply 5: connection refused by the destination (reported by the proxy)" ]
	[ "${lines[1]}" = "sockt connect: hint: nothing listens on port $closed of 127.0.0.1, as the proxy sees it" ]
}

@test "proxy: microsocks in a namespace reaches the namespace's own loopback" {
	require_root
	local A B
	veth_pair A B 10.79.0 fd00:79
	spawn dest ip netns exec "$B" python3 "$TESTLIB/proxy_script.py" dest 0 /dev/null
	wait_for_line "$(tmp)/dest.out" '^[0-9]+$'
	spawn microsocks ip netns exec "$B" microsocks -i 10.79.0.2 -p 1080
	wait_listening 1080 tcp 5 "$B"
	# 127.0.0.1 is the proxy's loopback, where the destination listens; A's has nothing.
	run -0 --separate-stderr in_ns "$A" "$SOCKT" connect --no-shutdown -w 5 \
	    --proxy 10.79.0.2:1080 --proxy-type socks5 127.0.0.1 "$(head -n 1 "$(tmp)/dest.out")" </dev/null
	[ "$output" = "$(printf '' | sha256sum | cut -d' ' -f1)" ]
}

@test "proxy: tinyproxy (HTTP CONNECT, the default type) carries 1 MiB each way intact" {
	local port
	port=$(free_port)
	big_file "$(tmp)/up" 1M
	big_file "$(tmp)/down" 1M
	dest 1048576 "$(tmp)/down"
	tinyproxy_conf "$port" "$DEST"
	real tinyproxy "$port" tinyproxy -d -c "$(tmp)/tinyproxy.conf"
	timeout 20 "$SOCKT" connect --no-shutdown -w 5 --proxy "127.0.0.1:$port" 127.0.0.1 "$DEST" \
	    <"$(tmp)/up" >"$(tmp)/out"
	[ "$(head -n 1 "$(tmp)/out")" = "$(cat "$(tmp)/up.sha")" ]
	[ "$(tail -c +66 "$(tmp)/out" | sha256sum | cut -d' ' -f1)" = "$(cat "$(tmp)/down.sha")" ]
}

@test "proxy: tinyproxy's 403 and 407 are named, with hints" {
	local port allowed
	port=$(free_port)
	allowed=$(free_port)
	tinyproxy_conf "$port" "$allowed" "bob pw"
	real tinyproxy "$port" tinyproxy -d -c "$(tmp)/tinyproxy.conf"
	run -1 "$SOCKT" send --proxy "127.0.0.1:$port" --proxy-auth bob:pw 127.0.0.1 9 x
	[ "${lines[0]}" = "sockt send: connect to 127.0.0.1 port 9 through proxy 127.0.0.1 port $port (http): HTTP 403: the proxy forbids this destination" ]
	[ "${lines[1]}" = "sockt send: hint: the proxy's rules forbid CONNECT to 127.0.0.1 port 9 (tinyproxy: ConnectPort)" ]
	run -1 "$SOCKT" send --proxy "127.0.0.1:$port" 127.0.0.1 "$allowed" x
	[ "${lines[0]}" = "sockt send: connect to 127.0.0.1 port $allowed through proxy 127.0.0.1 port $port (http): HTTP 407: the proxy wants credentials (--proxy-auth)" ]
	[ "${lines[1]}" = "sockt send: hint: give --proxy-auth USER:PASS (sent as Basic credentials)" ]
	run -1 "$SOCKT" send --proxy "127.0.0.1:$port" --proxy-auth bob:nope 127.0.0.1 "$allowed" x
	[ "${lines[0]}" = "sockt send: connect to 127.0.0.1 port $allowed through proxy 127.0.0.1 port $port (http): HTTP 401: the proxy refused the credentials (--proxy-auth)" ]
	[ "${lines[1]}" = "sockt send: hint: check the USER:PASS of --proxy-auth" ]
}

@test "proxy: danted (SOCKS4) carries 1 MiB each way intact, and its refusal is code 91" {
	local port closed
	port=$(free_port)
	closed=$(free_port)
	danted_conf "$port"
	real danted "$port" danted -f "$(tmp)/danted.conf" -N 1 -p "$(tmp)/danted.pid"
	both_ways --proxy "127.0.0.1:$port" --proxy-type socks4
	run -1 "$SOCKT" send --proxy "127.0.0.1:$port" --proxy-type socks4 127.0.0.1 "$closed" x
	[ "${lines[0]}" = "sockt send: connect to 127.0.0.1 port $closed through proxy 127.0.0.1 port $port (socks4): SOCKS4 reply 91: request rejected or failed" ]
}

@test "proxy: every SOCKS5 reply code 1-8 is named, status 1" {
	local -a text=("" "general failure of the proxy"
		"connection not allowed by the proxy's rules"
		"network unreachable (reported by the proxy)"
		"host unreachable (reported by the proxy)"
		"connection refused by the destination (reported by the proxy)"
		"TTL expired (reported by the proxy)"
		"command not supported by the proxy"
		"address type not supported by the proxy")
	scripted socks5 1 2 3 4 5 6 7 8
	for code in 1 2 3 4 5 6 7 8; do
		run -1 "$SOCKT" send -w 5 --proxy "127.0.0.1:$PROXY" --proxy-type socks5 web.test 80 x
		[ "${lines[0]}" = "sockt send: connect to web.test port 80 through proxy 127.0.0.1 port $PROXY (socks5): SOCKS5 reply $code: ${text[code]}" ]
	done
	# 8 for a name: the proxy wants an address.
	[ "${lines[1]}" = "sockt send: hint: the proxy does not take names: give the destination as an address" ]
}

@test "proxy: SOCKS4 codes 91-93 are named, and an unknown code is a refusal" {
	local -a text=([91]="request rejected or failed"
		[92]="rejected: the proxy could not reach identd on this machine"
		[93]="rejected: identd's user id does not match the request's"
		[17]="not a SOCKS4 code (a refusal)")
	scripted socks4 91 92 93 17
	for code in 91 92 93 17; do
		run -1 "$SOCKT" connect -w 5 --proxy "127.0.0.1:$PROXY" --proxy-type socks4 127.0.0.1 80 </dev/null
		[ "${lines[0]}" = "sockt connect: connect to 127.0.0.1 port 80 through proxy 127.0.0.1 port $PROXY (socks4): SOCKS4 reply $code: ${text[code]}" ]
	done
}

@test "proxy: HTTP 403, 407, 502 and an unknown status are named, status 1" {
	local -A text=([403]="HTTP 403: the proxy forbids this destination"
		[407]="HTTP 407: the proxy wants credentials (--proxy-auth)"
		[502]="HTTP 502: the proxy could not connect to the destination"
		[418]="HTTP 418 \"I'm a teapot\": the proxy refused the tunnel")
	scripted http 403 407 502 418
	for code in 403 407 502 418; do
		run -1 "$SOCKT" send -w 5 --proxy "127.0.0.1:$PROXY" web.test 443 x
		[ "${lines[0]}" = "sockt send: connect to web.test port 443 through proxy 127.0.0.1 port $PROXY (http): ${text[$code]}" ]
	done
}

@test "proxy: the requests carry the name, the port and the credentials as the protocols say" {
	scripted socks5 auth-0
	run -0 "$SOCKT" send -w 5 --proxy "127.0.0.1:$PROXY" --proxy-type socks5 --proxy-auth u:pw web.test 8080 x
	[ "$(cat "$(tmp)/record")" = "$(printf '%s\n' "b'\\x05\\x02\\x00\\x02'" "b'\\x01\\x01u\\x02pw'" "b'\\x05\\x01\\x00\\x03\\x08web.test\\x1f\\x90'")" ]
	scripted socks4 90
	run -0 "$SOCKT" send -w 5 --proxy "127.0.0.1:$PROXY" --proxy-type socks4a --proxy-auth me web.test 80 x
	[ "$(cat "$(tmp)/record")" = "b'\\x04\\x01\\x00P\\x00\\x00\\x00\\x01me\\x00web.test\\x00'" ]
	scripted socks4 90
	run -0 "$SOCKT" send -w 5 --proxy "127.0.0.1:$PROXY" --proxy-type socks4 localhost 80 x
	[ "$(cat "$(tmp)/record")" = "b'\\x04\\x01\\x00P\\x7f\\x00\\x00\\x01\\x00'" ]
	scripted http 200
	run -0 "$SOCKT" send -w 5 --proxy "127.0.0.1:$PROXY" --proxy-auth 'Aladdin:open sesame' ::1 443 x
	[ "$(cat "$(tmp)/record")" = "b'CONNECT [::1]:443 HTTP/1.1\\r\\nHost: [::1]:443\\r\\nProxy-Authorization: Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==\\r\\n\\r\\n'" ]
}

@test "proxy: bytes right after the proxy's reply reach stdout, first" {
	for type in socks5 socks4 http; do
		local proto=$type answer=0
		[ "$type" = socks4 ] && answer=90
		[ "$type" = http ] && answer=200
		scripted "$proto" "$answer"
		run -0 --separate-stderr "$SOCKT" connect -w 5 --proxy "127.0.0.1:$PROXY" \
		    --proxy-type "$type" 127.0.0.1 80 <<<"echoed"
		[ "$output" = "$(printf 'early\nechoed')" ]
		[ -z "$stderr" ]
	done
}

@test "proxy: a SOCKS5 reply cut short is said with its byte count, or as its refusal" {
	scripted socks5 cut cut-5
	run -1 "$SOCKT" send -w 5 --proxy "127.0.0.1:$PROXY" --proxy-type socks5 127.0.0.1 80 x
	[ "$output" = "sockt send: connect to 127.0.0.1 port 80 through proxy 127.0.0.1 port $PROXY (socks5): the proxy closed the connection after 3 bytes of its SOCKS5 reply, before its end" ]
	run -1 "$SOCKT" send -w 5 --proxy "127.0.0.1:$PROXY" --proxy-type socks5 127.0.0.1 80 x
	[ "${lines[0]}" = "sockt send: connect to 127.0.0.1 port 80 through proxy 127.0.0.1 port $PROXY (socks5): SOCKS5 reply 5: connection refused by the destination (reported by the proxy)" ]
	scripted socks4 cut
	run -1 "$SOCKT" send -w 5 --proxy "127.0.0.1:$PROXY" --proxy-type socks4 127.0.0.1 80 x
	[ "$output" = "sockt send: connect to 127.0.0.1 port 80 through proxy 127.0.0.1 port $PROXY (socks4): the proxy closed the connection after 3 of 8 bytes of its SOCKS4 reply" ]
	scripted http cut
	run -1 "$SOCKT" send -w 5 --proxy "127.0.0.1:$PROXY" 127.0.0.1 80 x
	[ "$output" = "sockt send: connect to 127.0.0.1 port 80 through proxy 127.0.0.1 port $PROXY (http): the proxy closed the connection after 52 bytes of its HTTP reply header, before its end" ]
}

@test "proxy: garbage from the proxy is shown escaped, status 1" {
	scripted socks5 garbage
	run -1 "$SOCKT" send -w 5 --proxy "127.0.0.1:$PROXY" --proxy-type socks5 127.0.0.1 80 x
	[ "${lines[0]}" = "sockt send: connect to 127.0.0.1 port 80 through proxy 127.0.0.1 port $PROXY (socks5): the proxy's reply is not SOCKS5 (version byte not 5): \"SSH-2.0-OpenSSH_9.2\\r\\n\\0\\001\\377\"" ]
	[ "${lines[1]}" = "sockt send: hint: is 127.0.0.1 port $PROXY a SOCKS5 proxy? --proxy-type chooses the protocol" ]
	scripted http garbage long
	run -1 "$SOCKT" send -w 5 --proxy "127.0.0.1:$PROXY" 127.0.0.1 80 x
	[ "${lines[0]}" = "sockt send: connect to 127.0.0.1 port 80 through proxy 127.0.0.1 port $PROXY (http): the proxy's reply is not HTTP (no HTTP/ at the start): \"SSH-2.0-OpenSSH_9.2\\r\\n\\0\\001\\377\"" ]
	run -1 "$SOCKT" send -w 5 --proxy "127.0.0.1:$PROXY" 127.0.0.1 80 x
	[ "$output" = "sockt send: connect to 127.0.0.1 port 80 through proxy 127.0.0.1 port $PROXY (http): the proxy's HTTP reply header is longer than 16384 bytes" ]
}

@test "proxy: a proxy that never replies is a timeout under -w, status 1" {
	scripted socks5 silent
	run -1 "$SOCKT" connect -w 0.5 --proxy "127.0.0.1:$PROXY" --proxy-type socks5 127.0.0.1 80 </dev/null
	[ "$output" = "sockt connect: connect to 127.0.0.1 port 80 through proxy 127.0.0.1 port $PROXY (socks5): receive the SOCKS5 reply: Connection timed out [ETIMEDOUT, errno 110]" ]
}

@test "proxy: a proxy that cannot be reached is the connect error, and the hint says it was the proxy" {
	local closed
	closed=$(free_port)
	run -1 "$SOCKT" send --proxy "127.0.0.1:$closed" --proxy-type socks5 web.test 80 x
	[ "${lines[0]}" = "sockt send: connect to 127.0.0.1 port $closed (tcp): Connection refused [ECONNREFUSED, errno 111]" ]
	[ "${lines[-1]}" = "sockt send: hint: that is the proxy (--proxy 127.0.0.1 port $closed, socks5): web.test port 80 was not asked for" ]
	run -3 "$SOCKT" connect --proxy "nowhere.invalid:1080" web.test 80 </dev/null
	[ "${lines[-1]}" = "sockt connect: hint: that is the proxy (--proxy nowhere.invalid port 1080, http): web.test port 80 was not asked for" ]
}

@test "proxy: -v says which proxy and each step of the handshake" {
	scripted socks5 auth-0
	run -0 --separate-stderr "$SOCKT" -v send -w 5 --proxy "127.0.0.1:$PROXY" --proxy-type socks5 \
	    --proxy-auth u:p 127.0.0.1 80 x
	[[ "$stderr" == *"proxy 127.0.0.1 port $PROXY (socks5): asking for 127.0.0.1 port 80"$'\n'* ]]
	[[ "$stderr" == *"SOCKS5: method 2, user name and password"$'\n'* ]]
	[[ "$stderr" == *"SOCKS5: user name and password accepted"$'\n'* ]]
	[[ "$stderr" == *"SOCKS5 reply 0: succeeded; the proxy connects from 127.0.0.1 port 12345"$'\n'* ]]
	[ "$output" = "$(printf 'early\nx')" ]
}

@test "proxy: bad proxy options are usage errors naming them" {
	run -2 "$SOCKT" connect --proxy-type socks5 127.0.0.1 80
	[ "${lines[0]}" = "sockt connect: --proxy-type applies with --proxy only" ]
	run -2 "$SOCKT" send --proxy 127.0.0.1:1080 --proxy-type socks6 127.0.0.1 80 x
	[ "${lines[0]}" = "sockt send: invalid proxy type 'socks6' for --proxy-type: must be http, socks5, socks4 or socks4a" ]
	run -2 "$SOCKT" send --proxy 127.0.0.1 127.0.0.1 80 x
	[ "${lines[0]}" = "sockt send: invalid proxy '127.0.0.1' for --proxy: must be HOST:PORT or [IPV6]:PORT" ]
	run -2 "$SOCKT" send --proxy 127.0.0.1:1080 --proxy-type socks4 --proxy-auth u:p 127.0.0.1 80 x
	[ "${lines[0]}" = "sockt send: invalid credentials for --proxy-auth: SOCKS4 sends a user id only, give USER without a password" ]
	run -2 "$SOCKT" send --proxy 127.0.0.1:1080 --proxy-auth nocolon 127.0.0.1 80 x
	[ "${lines[0]}" = "sockt send: invalid credentials for --proxy-auth: must be USER:PASS" ]
	run -2 "$SOCKT" send --proxy 127.0.0.1:1080 --proxy-type socks4a ::1 80 x
	[ "${lines[0]}" = "sockt send: socks4a carries IPv4 addresses only, and '::1' is IPv6: use socks5 or http" ]
	run -2 "$SOCKT" -n send --proxy 127.0.0.1:1080 --proxy-type socks4 web.test 80 x
	[ "${lines[0]}" = "sockt send: socks4 needs an IPv4 address looked up here, and -n forbids looking up 'web.test': use socks4a or socks5, which send the name" ]
	run -2 "$SOCKT" -n send --proxy proxy.test:1080 127.0.0.1 80 x
	[[ "${lines[0]}" == "sockt send: -n takes address literals only, and 'proxy.test' is a name"* ]]
	run -2 "$SOCKT" connect -z --proxy 127.0.0.1:1080 127.0.0.1 80
	[ "${lines[0]}" = "sockt connect: --proxy applies to a relay, not to -z" ]
	run -2 "$SOCKT" send -U --proxy-type socks5 "$(tmp)/app.sock" x
	[ "${lines[0]}" = "sockt send: -U takes no --proxy-type" ]
}
