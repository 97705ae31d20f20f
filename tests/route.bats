#!/usr/bin/env bats
# route.bats: the route and the sender of the refusal in the hints of sockt(1), DIAGNOSTICS
# (connect, udp-send), the ephemeral-port census after EADDRNOTAVAIL and state --summary.
# A chain client - router - server (10.77.0.0/16, fd77::/16) is built once; the router
# rejects per test with nft (undone in teardown). Other tests make namespaces of their own.

load lib/common
load lib/netchain
bats_require_minimum_version 1.5.0

setup_file() {
	[ "$(id -u)" = 0 ] || return 0
	chain_build "sktRo$$" 1 "$BATS_FILE_TMPDIR/chain"
	export C=${CHAIN_NS[0]} R=${CHAIN_NS[1]} S=${CHAIN_NS[2]} D4=$CHAIN_DEST4 D6=$CHAIN_DEST6
}

teardown_file() {
	chain_destroy "$BATS_FILE_TMPDIR/chain"
}

teardown() {
	[ -n "${R:-}" ] && ip netns exec "$R" nft delete table inet skt 2>/dev/null
	[ -n "${S:-}" ] && ip netns exec "$S" nft delete table inet skt 2>/dev/null
	common_teardown
}

# router_rules RULE...: rules in the router's forward chain (rejects, drops).
router_rules() {
	printf 'table inet skt {\nchain f {\ntype filter hook forward priority 0;\n%s\n}\n}\n' \
	    "$(printf '%s\n' "$@")" | ip netns exec "$R" nft -f -
}

# sockt_in NS ARGS...: sockt inside a namespace, bounded in time.
sockt_in() {
	local ns=$1
	shift
	ip netns exec "$ns" timeout 10 "$SOCKT" "$@"
}

# exhausted NAME: two namespaces joined by a veth (10.79.0.1 - 10.79.0.2) whose first has
# ten local ports (40000-40009) and tcp_tw_reuse off; ten connections to 10.79.0.2 port
# 8080 leave all ten in TIME_WAIT there. The namespaces are in $A and $B.
exhausted() {
	veth_pair A B 10.79.0 fd79:0:0:1
	in_ns "$A" sysctl -qw net.ipv4.ip_local_port_range="40000 40009" net.ipv4.tcp_tw_reuse=0
	spawn "$1" ip netns exec "$B" python3 "$TESTLIB/tw_peer.py" serve 10.79.0.2 8080 10
	wait_for_line "$(tmp)/$1.out" '^ready$'
	run -0 in_ns "$A" timeout 20 python3 "$TESTLIB/tw_peer.py" connect 10.79.0.2 8080 10
	[ "$(in_ns "$A" ss -Htan state time-wait dst 10.79.0.2 | wc -l)" = 10 ]
}

@test "connect: with no route to the address, the hint says the kernel has none" {
	require_root
	netns_new lone
	run -1 sockt_in "$NETNS" connect 10.79.9.9 80
	[[ "$output" == *"connect to 10.79.9.9 port 80 (tcp): Network is unreachable [ENETUNREACH, errno 101]"* ]]
	[[ "$output" == *"hint: no route to 10.79.9.9 ('ip route' shows the routes)"* ]]
}

@test "connect: an unreachable route of the host's own table is named as such" {
	require_root
	netns_new dead
	ip -n "$NETNS" route add unreachable 10.79.8.0/24
	run -1 sockt_in "$NETNS" connect 10.79.8.1 80
	[[ "$output" == *"No route to host [EHOSTUNREACH, errno 113]"* ]]
	[[ "$output" == *"hint: 10.79.8.1 leads to an unreachable route ('ip route get 10.79.8.1' shows it)"* ]]
	[[ "$output" != *"did not answer on its link"* ]]
}

@test "connect: a router that rejects with host-unreachable is named as the sender" {
	require_root
	router_rules "meta nfproto ipv4 tcp dport 7001 reject with icmp type host-unreachable"
	run -1 sockt_in "$C" connect "$D4" 7001
	[[ "$output" == *"connect to $D4 port 7001 (tcp): No route to host [EHOSTUNREACH, errno 113]"* ]]
	[[ "$output" == *"hint: host unreachable, reported by router 10.77.1.2"* ]]
	[[ "$output" == *"hint: the route to $D4: via 10.77.1.2 dev v1l src 10.77.1.1"* ]]
}

@test "connect: an IPv6 router's address-unreachable names that router" {
	require_root
	router_rules "meta nfproto ipv6 tcp dport 7002 reject with icmpv6 type addr-unreachable"
	run -1 sockt_in "$C" connect "$D6" 7002
	[[ "$output" == *"connect to $D6 port 7002 (tcp): No route to host [EHOSTUNREACH, errno 113]"* ]]
	[[ "$output" == *"hint: address unreachable, reported by router fd77:0:0:1::2"* ]]
	[[ "$output" == *"hint: the route to $D6: via fd77:0:0:1::2 dev v1l src fd77:0:0:1::1"* ]]
}

@test "connect: a RST from the host itself is told apart from a router's refusal" {
	require_root
	run -1 sockt_in "$C" connect "$D4" 7003
	[[ "$output" == *"Connection refused [ECONNREFUSED, errno 111]"* ]]
	[[ "$output" == *"hint: refused by the host $D4 itself (a TCP RST, no ICMP error)"* ]]
	[[ "$output" != *"reported by router"* ]]
}

@test "connect: an ICMP error from the destination itself is told apart from a router's" {
	require_root
	printf 'table inet skt {\nchain i {\ntype filter hook input priority 0;\n%s\n}\n}\n' \
	    "tcp dport 7005 reject with icmp type port-unreachable" | ip netns exec "$S" nft -f -
	run -1 sockt_in "$C" connect "$D4" 7005
	[[ "$output" == *"Connection refused [ECONNREFUSED, errno 111]"* ]]
	[[ "$output" == *"hint: port unreachable, reported by the host $D4 itself"* ]]
	[[ "$output" != *"reported by router"* ]]
	[[ "$output" != *"a TCP RST"* ]]
}

@test "udp-send: a router that rejects the datagram is named as the sender" {
	require_root
	router_rules "meta nfproto ipv4 udp dport 7004 reject with icmp type admin-prohibited"
	run -1 sockt_in "$C" udp-send --reply 2s "$D4" 7004 hello
	[[ "$output" == *"send to $D4 port 7004 (udp): ICMP "*" from 10.77.1.2: "* ]]
	[[ "$output" == *"hint: administratively prohibited, reported by router 10.77.1.2"* ]]
	[[ "$output" != *"nothing listens on UDP port"* ]]
}

@test "connect -vv: the route of a successful attempt: interface, source and gateway" {
	require_root
	PEER_NETNS=$S tcp_server srv say "$D4" 0 hi
	run -0 sockt_in "$C" connect -vv "$D4" "$PORT"
	[[ "$output" == *"route to $D4: via 10.77.1.2 dev v1l src 10.77.1.1"* ]]
	[[ "$output" == *hi* ]]
}

@test "connect: IPv6 on a host with only link-local addresses says it has no default route" {
	require_root
	netns_new ll
	local ns=$NETNS
	netns_new ll2
	veth_link "$ns" vll 10.79.1.1/ "$NETNS" vll2 10.79.1.2/
	run -1 sockt_in "$ns" connect fd79:9::1 80
	[[ "$output" == *"Network is unreachable [ENETUNREACH, errno 101]"* ]]
	[[ "$output" == *"hint: no route to fd79:9::1 ('ip -6 route' shows the routes)"* ]]
	[[ "$output" == *"hint: no IPv6 default route: this host has only link-local IPv6; try -4"* ]]
}

@test "connect: out of local ports, the hint counts the TIME_WAIT to that destination" {
	require_root
	exhausted srv
	run -4 sockt_in "$A" connect 10.79.0.2 8080
	[[ "$output" == *"connect to 10.79.0.2 port 8080 (tcp): Cannot assign requested address [EADDRNOTAVAIL, errno 99]"* ]]
	[[ "$output" == *"hint: no local port was free to connect to 10.79.0.2 port 8080: net.ipv4.ip_local_port_range is 40000 40009 (10 ports), and 10 connections to it hold ports (10 TIME_WAIT)"* ]]
	[[ "$output" =~ "hint: the first TIME_WAIT frees in "[0-9.]+" s; net.ipv4.tcp_tw_reuse is 0 (off)" ]]
	[[ "$output" == *"ways out: wait; sysctl -w net.ipv4.tcp_tw_reuse=1"*"--linger 0 on the client"* ]]
}

@test "state --summary: the connections per destination, by state, as text and JSON" {
	require_root
	exhausted srv
	run -0 in_ns "$A" "$SOCKT" state --summary
	[ "${lines[0]}" = "REMOTE          SOCKETS  STATES" ]
	[ "${lines[1]}" = "10.79.0.2:8080       10  10 TIME_WAIT" ]
	[ "${lines[2]}" = "10 TCP connections to 1 destination" ]
	run -0 in_ns "$A" "$SOCKT" --json state --summary
	[ "$(jq -sc '.[0] | [.type, .remote, .remote_port, .total, .states]' <<<"$output")" = \
	    '["destination","10.79.0.2",8080,10,[{"state":"TIME_WAIT","count":10}]]' ]
	[ "$(jq -sc '.[1] | [.type, .destinations, .total]' <<<"$output")" = '["census",1,10]' ]
	run -0 in_ns "$A" "$SOCKT" state --summary -H --state established
	[ -z "$output" ]
	run -2 "$SOCKT" state -x --summary
	[[ "$output" == *"-x takes no --summary: Unix sockets have no remote port"* ]]
}

@test "raw-ping: requests a router drops in silence are followed by the route they took" {
	require_root
	router_rules "icmp type echo-request drop"
	run -1 sockt_in "$C" raw-ping -c 1 -W 0.3s "$D4"
	[[ "$output" == *"1 packets transmitted, 0 received, 100% packet loss"* ]]
	[[ "$output" == *"hint: the route to $D4: via 10.77.1.2 dev v1l src 10.77.1.1"$'\n'*"hint: 'sockt trace -I $D4'"* ]]
}

@test "raw-ping: a router's ICMP error names it on its line, as ping does, with no route hint" {
	require_root
	router_rules "icmp type echo-request reject with icmp type host-unreachable"
	run -1 sockt_in "$C" raw-ping -c 1 "$D4"
	[[ "$output" == *"From 10.77.1.2 icmp_seq=1 Destination Host Unreachable"* ]]
	[[ "$output" != *"hint:"* ]]
}

@test "connect -z: filtered ports give the route once per address, not once per port" {
	require_root
	router_rules "meta nfproto ipv4 tcp dport 7010-7012 reject with icmp type host-unreachable"
	run -1 sockt_in "$C" connect -z "$D4" 7010-7012
	[ "$(grep -c "port 701[0-2] (tcp) filtered \[EHOSTUNREACH\]" <<<"$output")" = 3 ]
	[ "$(grep -c "hint: the route to $D4: via 10.77.1.2 dev v1l src 10.77.1.1" <<<"$output")" = 1 ]
}

@test "connect: a timeout through a router that drops says the route it took" {
	require_root
	router_rules "meta nfproto ipv4 tcp dport 7020 drop"
	run -1 sockt_in "$C" connect -w 0.3s "$D4" 7020
	[[ "$output" == *"Connection timed out [ETIMEDOUT, errno 110]"* ]]
	[[ "$output" == *"hint: the route to $D4: via 10.77.1.2 dev v1l src 10.77.1.1"* ]]
	[[ "$output" != *"reported by"* ]]
}

@test "route replies: a route, an error, a dead end and the IPv6 dumps are read as the kernel means them" {
	u() { "$SOCKT_UNIT" route-reply "$SOCKT_SRCDIR/fuzz/corpus/route/$1"; }
	[ "$(u get-v4)" = "rc=1 found=0 oif=2 via 10.77.1.2 src 10.77.1.1" ]
	[ "$(u get-v6)" = "rc=1 found=0 oif=3 via fd77:0:0:1::2 src fd77:0:0:1::1" ]
	[ "$(u get-enetunreach)" = "rc=1 found=0 oif=0 no route" ]
	[ "$(u get-unreachable)" = "rc=1 found=0 oif=1 an unreachable route" ]
	# A global address, then only ::1 and fe80::: the link-local hint's question.
	[ "$(u dump-addrs)" = "rc=1 found=1 oif=0 " ]
	[ "$(u dump-addrs-link-local)" = "rc=1 found=0 oif=0 " ]
	# A default route of the main table; none when only the local table or an
	# unreachable one has it (and an old answer is skipped).
	[ "$(u dump-defaults)" = "rc=1 found=1 oif=0 " ]
	[ "$(u dump-defaults-none)" = "rc=1 found=0 oif=0 " ]
	# A reply cut in the middle of its message is malformed, not read past its end.
	head -c 30 "$SOCKT_SRCDIR/fuzz/corpus/route/get-v4" >"$(tmp)/cut"
	[ "$("$SOCKT_UNIT" route-reply "$(tmp)/cut")" = "rc=EPROTO found=0 oif=0 " ]
}
