#!/usr/bin/env bats
# args.bats: random hostile command lines never crash sockt (doc/contract.md, What every command promises), with or without sanitizers.

load lib/common

@test "args: 1500 random command lines (commands x options x hostile values) never crash" {
	require_root
	netns_new args
	seed=${SOCKT_ARGFUZZ_SEED:-$RANDOM}
	# Options that name files (--dump, -U) create them where sockt runs: here, not the tree.
	cd "$(tmp)"
	run in_ns "$NETNS" python3 "$BATS_TEST_DIRNAME/lib/argfuzz.py" "$SOCKT" 1500 "$seed"
	echo "$output" | tail -n 40
	[ "$status" -eq 0 ]
	[[ "${lines[-1]}" == "1500 command lines (seed $seed), 0 crashed" ]]
}
