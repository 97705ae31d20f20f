# tests/lib/netchain.bash: a line of network namespaces, client - routers - server,
# with IPv4 and IPv6 inside them only (10.77.0.0/16 and fd77::/16, never routed out).
# Needs netns.bash (common.bash loads it) for the veth links.
#
#   chain_build TAG N RECORD: namespaces ${TAG}c, ${TAG}r1..${TAG}rN, ${TAG}s (names in
#   CHAIN_NS[0..N+1]), each name appended to the file RECORD for the caller's teardown.
#   Link i joins node i-1 and node i: the left side is 10.77.i.1 / fd77:0:0:i::1, the
#   right side 10.77.i.2 / fd77:0:0:i::2. Router k answers from 10.77.k.2 (hop k); the
#   server is 10.77.(N+1).2 (CHAIN_DEST4) and fd77:0:0:(N+1)::2 (CHAIN_DEST6).
#   chain_destroy RECORD: removes every namespace RECORD names.

chain_v4() { printf '10.77.%s.%s' "$1" "$2"; }
chain_v6() { printf 'fd77:0:0:%s::%s' "$1" "$2"; }

chain_node_setup() {
	local ns=$1
	ip -n "$ns" link set lo up
	ip netns exec "$ns" sh -c '
		sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 \
		    net.ipv4.icmp_ratelimit=0 net.ipv6.icmp.ratelimit=0 \
		    net.ipv6.conf.default.accept_dad=0 net.ipv6.conf.all.accept_dad=0 \
		    "net.ipv4.ping_group_range=0 2147483647"'
}

chain_link() {
	local i=$1
	veth_link "$2" "v${i}l" "$(chain_v4 "$i" 1)/$(chain_v6 "$i" 1)" \
	    "$3" "v${i}r" "$(chain_v4 "$i" 2)/$(chain_v6 "$i" 2)"
}

chain_routes() {
	local n=$1 k last=$(($1 + 1))
	for ((k = 0; k <= n; k++)); do
		# Onward: everything goes right, to the next node's left-facing address.
		ip -n "${CHAIN_NS[k]}" route add default via "$(chain_v4 $((k + 1)) 2)"
		ip -n "${CHAIN_NS[k]}" -6 route add default via "$(chain_v6 $((k + 1)) 2)"
	done
	for ((k = 2; k <= last; k++)); do
		# Back: only the client's link is far away; the server's default covers it.
		[ "$k" = "$last" ] && continue
		ip -n "${CHAIN_NS[k]}" route add "$(chain_v4 1 0)/24" via "$(chain_v4 "$k" 1)"
		ip -n "${CHAIN_NS[k]}" -6 route add "$(chain_v6 1 '')/64" via "$(chain_v6 "$k" 1)"
	done
	ip -n "${CHAIN_NS[last]}" route add default via "$(chain_v4 "$last" 1)"
	ip -n "${CHAIN_NS[last]}" -6 route add default via "$(chain_v6 "$last" 1)"
}

chain_build() {
	local tag=$1 n=$2 record=$3 k
	CHAIN_NS=("${tag}c")
	for ((k = 1; k <= n; k++)); do
		CHAIN_NS+=("${tag}r$k")
	done
	CHAIN_NS+=("${tag}s")
	for ((k = 0; k <= n + 1; k++)); do
		ip netns add "${CHAIN_NS[k]}"
		echo "${CHAIN_NS[k]}" >>"$record"
		chain_node_setup "${CHAIN_NS[k]}"
	done
	for ((k = 1; k <= n + 1; k++)); do
		chain_link "$k" "${CHAIN_NS[k - 1]}" "${CHAIN_NS[k]}"
	done
	chain_routes "$n"
	CHAIN_DEST4=$(chain_v4 $((n + 1)) 2)
	CHAIN_DEST6=$(chain_v6 $((n + 1)) 2)
	chain_ready
}

# chain_ready: one ping each way through (the links are up already, see veth_link), so that
# no test pays for neighbour discovery, which waits a second to ask again after a miss.
chain_ready() {
	local dest i
	for dest in "$CHAIN_DEST4" "$CHAIN_DEST6"; do
		for ((i = 0; i < 5; i++)); do
			ip netns exec "${CHAIN_NS[0]}" ping -c 1 -W 1 "$dest" >/dev/null && break
		done
	done
}

chain_destroy() {
	local record=$1 ns
	[ -f "$record" ] || return 0
	while read -r ns; do
		ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null
		ip netns del "$ns" 2>/dev/null
	done <"$record"
	rm -f "$record"
}
