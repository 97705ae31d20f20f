# tests/lib/netns.bash: network namespaces and veth links for the tests that need two hosts,
# routes or firewall rules of their own. Loaded by common.bash; everything made here is
# removed by common_teardown, even when the test fails. Needs root (see require_root).

# netns_new NAME: a fresh namespace "sktNAME$$" with lo up, removed at teardown.
# Prints nothing; the full name is in $NETNS.
netns_new() {
	NETNS="skt$1$$"
	ip netns add "$NETNS"
	echo "$NETNS" >>"$(tmp)/.netns"
	ip -n "$NETNS" link set lo up
}

# in_ns NS CMD...: runs CMD inside a namespace.
in_ns() {
	local ns=$1
	shift
	ip netns exec "$ns" "$@"
}

# link_up NS DEV: waits until the link is up: a packet sent before that is dropped, and IPv6
# neighbour discovery then waits a second to ask again.
link_up() {
	local i
	for ((i = 0; i < 250; i++)); do
		ip -n "$1" -br link show "$2" | grep -q ' UP ' && return 0
		sleep 0.02
	done
	echo "$2 in $1 did not come up" >&2
	return 1
}

# veth_link NS1 DEV1 ADDRS1 NS2 DEV2 ADDRS2: a veth pair between two namespaces, both ends
# up. ADDRS is "IPV4/IPV6" (IPv4 gets /24, IPv6 /64 without duplicate address detection);
# either may be left empty.
veth_link() {
	ip link add "$2" netns "$1" type veth peer name "$5" netns "$4"
	veth_address "$1" "$2" "$3"
	veth_address "$4" "$5" "$6"
	ip -n "$1" link set "$2" up
	ip -n "$4" link set "$5" up
	link_up "$1" "$2" && link_up "$4" "$5"
}

veth_address() {
	[ -z "${3%/*}" ] || ip -n "$1" addr add "${3%/*}/24" dev "$2"
	[ -z "${3#*/}" ] || ip -n "$1" addr add "${3#*/}/64" dev "$2" nodad
}

# veth_pair VAR1 VAR2 NET4 NET6 [DEV1 DEV2]: two fresh namespaces, their names put in the
# variables VAR1 and VAR2, joined by veth DEV1-DEV2 (veth1-veth2 by default): NET4.1 and
# NET6::1 in the first, NET4.2 and NET6::2 in the second, e.g.
#   veth_pair A B 10.78.0 2001:db8:78
veth_pair() {
	netns_new "$1"
	printf -v "$1" %s "$NETNS"
	netns_new "$2"
	printf -v "$2" %s "$NETNS"
	veth_link "${!1}" "${5:-veth1}" "$3.1/$4::1" "${!2}" "${6:-veth2}" "$3.2/$4::2"
}
