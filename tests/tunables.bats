#!/usr/bin/env bats
# tunables.bats: the options every socket takes, set by one function: --tos (connect,
# udp-send, raw-ping) as the receiving side reads it, and -I/--interface (SO_BINDTODEVICE)
# on every command that opens a socket, shown by which of two hosts behind two veth links
# with the same address gets the packets.

load lib/common
bats_require_minimum_version 1.5.0

PEER="$BATS_TEST_DIRNAME/lib/tos_peer.py"

# sniffer NAME FAMILY PROTO PORT: tos_peer.py's raw capture in $NETNS, once it is open.
sniffer() {
	spawn "$1" in_ns "$NETNS" python3 "$PEER" sniff "$2" "$3" "$4"
	wait_for_line "$(tmp)/$1.out" '^ready$'
}

@test "tunables: connect --tos: the SYN carries the TOS (IPv4) and the traffic class (IPv6)" {
	require_root
	netns_new tos
	for host in 127.0.0.1 ::1; do
		port=$(in_ns "$NETNS" python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
		family=4
		[[ $host == *:* ]] && family=6
		spawn nc$family in_ns "$NETNS" nc.openbsd -l "$host" "$port"
		wait_listening "$port" tcp 5 "$NETNS"
		sniffer sniff$family "$family" tcp "$port"
		run -0 in_ns "$NETNS" "$SOCKT" connect --tos 0x28 "$host" "$port" </dev/null
		wait_for_line "$(tmp)/sniff$family.out" '^tos '
		[ "$(tail -1 "$(tmp)/sniff$family.out")" = "tos 0x28" ]
	done
}

@test "tunables: udp-send --tos: the receiver reads it (IP_RECVTOS, IPV6_RECVTCLASS); 0 is 0" {
	for host in 127.0.0.1 ::1; do
		for tos in 0xb8 0; do
			spawn peer python3 "$PEER" udp "$host"
			wait_for_line "$(tmp)/peer.out" '^port [0-9]+$'
			port=$(awk '$1 == "port" {print $2}' "$(tmp)/peer.out")
			run -0 "$SOCKT" udp-send --tos "$tos" "$host" "$port" x
			wait_for_line "$(tmp)/peer.out" '^tos '
			[ "$(tail -1 "$(tmp)/peer.out")" = "tos $(printf '0x%02x' "$tos")" ]
		done
	done
}

@test "tunables: raw-ping --tos: the echo requests carry it, IPv4 and IPv6, as ping -Q" {
	require_root
	netns_new tos
	for host in 127.0.0.1 ::1; do
		family=4
		[[ $host == *:* ]] && family=6
		sniffer sniff$family "$family" icmp 0
		run -0 in_ns "$NETNS" "$SOCKT" raw-ping -c 1 --tos 16 "$host"
		wait_for_line "$(tmp)/sniff$family.out" '^tos '
		[ "$(tail -1 "$(tmp)/sniff$family.out")" = "tos 0x10" ]
		# iputils ping, for comparison, sets the same byte.
		sniffer ping$family "$family" icmp 0
		in_ns "$NETNS" ping -c 1 -Q 16 "$host" >/dev/null
		wait_for_line "$(tmp)/ping$family.out" '^tos '
		[ "$(tail -1 "$(tmp)/ping$family.out")" = "tos 0x10" ]
	done
}

@test "tunables: bad --tos and --ttl values are usage errors naming the value" {
	run -2 "$SOCKT" connect --tos 256 127.0.0.1 9
	[ "${lines[0]}" = "sockt connect: invalid TOS '256' for --tos: must be 0-255, as 16 or 0x10" ]
	run -2 "$SOCKT" udp-send --tos 0x1g0 127.0.0.1 9 x
	[ "${lines[0]}" = "sockt udp-send: invalid TOS '0x1g0' for --tos: must be 0-255, as 16 or 0x10" ]
	run -2 "$SOCKT" raw-ping --tos -1 127.0.0.1
	[ "${lines[0]}" = "sockt raw-ping: invalid TOS '-1' for --tos: must be 0-255, as 16 or 0x10" ]
	run -2 "$SOCKT" udp-send --ttl 0 127.0.0.1 9 x
	[ "${lines[0]}" = "sockt udp-send: invalid TTL '0' for --ttl: must be 1-255" ]
	run -2 "$SOCKT" listen -I "" 0
	[ "${lines[0]}" = "sockt listen: invalid interface '' for -I: must be a name of 1-15 characters" ]
}

@test "tunables: -I with no such interface: the ENODEV line names it, a hint, status 4, everywhere" {
	for cmd in "connect" "connect -z" "send" "udp-send"; do
		run -4 "$SOCKT" $cmd -I nosuch0 127.0.0.1 9 </dev/null
		[ "${lines[0]}" = "sockt ${cmd% *}: bind to interface nosuch0 (SO_BINDTODEVICE): No such device [ENODEV, errno 19]" ]
		[ "${lines[1]}" = "sockt ${cmd% *}: hint: this machine has no interface named nosuch0 ('ip link' lists them)" ]
	done
	for cmd in listen udp-recv; do
		run -4 "$SOCKT" $cmd --interface nosuch0 127.0.0.1 0 </dev/null
		[ "${lines[0]}" = "sockt $cmd: bind to interface nosuch0 (SO_BINDTODEVICE): No such device [ENODEV, errno 19]" ]
		[[ "${lines[1]}" == "sockt $cmd: hint: this machine has no interface named nosuch0"* ]]
	done
}

# twins: $A has va (10.204.0.1) to $B and wa (10.204.0.3) to $C, one /24; $B and $C both
# are 10.204.0.2. The routing table sends to 10.204.0.2 through va: only -I wa reaches $C.
twins() {
	local ns
	netns_new ta
	A=$NETNS
	netns_new tb
	B=$NETNS
	netns_new tc
	C=$NETNS
	ip link add va netns "$A" type veth peer name vb netns "$B"
	ip link add wa netns "$A" type veth peer name wc netns "$C"
	ip -n "$A" addr add 10.204.0.1/24 dev va
	ip -n "$A" link set va up
	ip -n "$A" addr add 10.204.0.3/24 dev wa
	ip -n "$A" link set wa up
	ip -n "$B" addr add 10.204.0.2/24 dev vb
	ip -n "$C" addr add 10.204.0.2/24 dev wc
	ip -n "$B" link set vb up
	ip -n "$C" link set wc up
	for ns in "$A" "$B" "$C"; do
		in_ns "$ns" sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
	done
	[ "$(ip -n "$A" route get 10.204.0.2 | grep -o 'dev [a-z]*')" = "dev va" ]
}

@test "tunables: -I makes connect, send and udp-send leave by that interface" {
	require_root
	twins
	for ns in "$B" "$C"; do
		echo "from $ns" >"$(tmp)/hello$ns"
		# -N: nc.openbsd closes its side once it has sent the file.
		STDIN_FILE="$(tmp)/hello$ns" spawn tcp$ns in_ns "$ns" nc.openbsd -N -l 10.204.0.2 7001
		spawn udp$ns in_ns "$ns" "$SOCKT" udp-recv -c 1 10.204.0.2 7002
		wait_listening 7001 tcp 5 "$ns"
		wait_listening 7002 udp 5 "$ns"
	done
	run -0 --separate-stderr in_ns "$A" "$SOCKT" connect -I wa 10.204.0.2 7001 </dev/null
	[ "$output" = "from $C" ]
	run -0 --separate-stderr in_ns "$A" "$SOCKT" send -w 5 -I va 10.204.0.2 7001 </dev/null
	[ "$output" = "from $B" ]
	run -0 in_ns "$A" "$SOCKT" udp-send --interface wa 10.204.0.2 7002 to-C
	wait_exit "$(cat "$(tmp)/udp$C.pid")"
	[ "$(cat "$(tmp)/udp$C.out")" = to-C ]
	[ -z "$(cat "$(tmp)/udp$B.out")" ]
}

@test "tunables: raw-ping -I takes an interface name as iputils ping does, or an address" {
	require_root
	twins
	in_ns "$B" sysctl -qw net.ipv4.icmp_echo_ignore_all=1
	# The route leads to $B, which is silent; through wa, $C answers.
	run -1 in_ns "$A" "$SOCKT" raw-ping -c 1 -W 0.5 10.204.0.2
	run -0 in_ns "$A" "$SOCKT" raw-ping -c 1 -I wa 10.204.0.2
	# The header names the address the interface gives, as iputils ping's does.
	[ "${lines[0]}" = "PING 10.204.0.2 (10.204.0.2) from 10.204.0.3 wa: 56(84) bytes of data." ]
	[[ "${lines[1]}" == "64 bytes from 10.204.0.2: icmp_seq=1 ttl=64 time="* ]]
	header=${lines[0]}
	run -0 in_ns "$A" ping -c 1 -I wa 10.204.0.2
	[ "${lines[0]}" = "$header" ]
	run -0 in_ns "$A" "$SOCKT" raw-ping -c 1 -I 10.204.0.1 127.0.0.1
	[ "${lines[0]}" = "PING 127.0.0.1 (127.0.0.1) from 10.204.0.1 : 56(84) bytes of data." ]
}

@test "tunables: listen -I and udp-recv -I take only what arrives on that interface" {
	require_root
	twins
	spawn lis in_ns "$A" "$SOCKT" listen -I wa 0.0.0.0 7003
	spawn ur in_ns "$A" "$SOCKT" udp-recv -c 1 --interface wa 0.0.0.0 7004
	wait_listening 7003 tcp 5 "$A"
	wait_listening 7004 udp 5 "$A"
	# From $B, through va: the listening socket is not there for it.
	run -1 --separate-stderr in_ns "$B" "$SOCKT" connect -w 2 10.204.0.1 7003 </dev/null
	[[ "$stderr" == *"[ECONNREFUSED, errno 111]"* ]]
	in_ns "$B" "$SOCKT" udp-send 10.204.0.1 7004 from-B || true
	run -0 bash -c 'echo from-C | ip netns exec "$1" "$SOCKT" connect 10.204.0.3 7003' _ "$C"
	wait_exit "$(cat "$(tmp)/lis.pid")"
	[ "$EXIT_STATUS" -eq 0 ]
	[ "$(cat "$(tmp)/lis.out")" = from-C ]
	run -0 in_ns "$C" "$SOCKT" udp-send 10.204.0.3 7004 from-C
	wait_exit "$(cat "$(tmp)/ur.pid")"
	[ "$(cat "$(tmp)/ur.out")" = from-C ]
}
