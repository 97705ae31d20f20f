#!/bin/bash
# bench/dump.sh: what --dump costs the relay. SIZE_MIB go from sockt connect to sockt listen
# (to /dev/null) over 127.0.0.1: without --dump (splice), with --dump /dev/null (the copy
# path and the formatting, nothing kept), with --dump to a file (text, then --json), and
# with -C. Each ROUNDS times, interleaved; medians and the ratios to the plain relay. Not
# part of make check.
#
#   bench/dump.sh [SOCKT] [SIZE_MIB] [ROUNDS]
#
# SOCKT defaults to ./src/sockt, SIZE_MIB to 128 (the text dump is about 4.9 times the
# bytes moved: keep room in TMPDIR), ROUNDS to 3.
set -eu

SOCKT=${1:-./src/sockt}
SIZE_MIB=${2:-128}
ROUNDS=${3:-3}

. "$(dirname "$0")/lib.sh"
bench_need dump.sh python3 ss bc
bench_workdir "$SIZE_MIB"

MODES="plain null file json crlf"

# run MODE: one transfer; prints the seconds it took.
run() {
	local port rpid start end
	local -a extra=() global=()
	case $1 in
	null) extra=(--dump /dev/null) ;;
	file) extra=(--dump "$dir/dump") ;;
	json) global=(--json) extra=(--dump "$dir/dump") ;;
	crlf) extra=(-C) ;;
	esac
	port=$(free_port)
	"$SOCKT" listen 127.0.0.1 "$port" </dev/null >/dev/null &
	rpid=$!
	pids+=("$rpid")
	wait_listening "$port"
	start=$(now)
	"$SOCKT" "${global[@]}" connect "${extra[@]}" 127.0.0.1 "$port" <"$file" >/dev/null
	wait "$rpid"
	end=$(now)
	rm -f "$dir/dump"
	echo "$end - $start" | bc -l
}

echo "dump: $SIZE_MIB MiB over 127.0.0.1 (sockt connect -> sockt listen >/dev/null), $ROUNDS rounds, interleaved; $(nproc) CPUs"
for m in $MODES; do : >"$dir/$m.times"; done
for round in $(seq "$ROUNDS"); do
	line="  round $round:"
	for m in $MODES; do
		run "$m" >>"$dir/$m.times"
		line="$line $m $(tail -n1 "$dir/$m.times") s"
	done
	echo "$line"
done

base=$(median <"$dir/plain.times")
for m in $MODES; do
	secs=$(median <"$dir/$m.times")
	printf '  %-44s median %7.3f s  %8.0f MiB/s  %5.2fx the time of no --dump\n' \
	    "$(case $m in
		plain) echo "no --dump (splice)" ;;
		null) echo "--dump /dev/null (text, copy path)" ;;
		file) echo "--dump FILE (text, ~$((SIZE_MIB * 49 / 10)) MiB written)" ;;
		json) echo "--json --dump FILE (base64)" ;;
		crlf) echo "-C (copy path, no dump)" ;;
		esac)" "$secs" "$(echo "$SIZE_MIB / $secs" | bc -l)" "$(echo "$secs / $base" | bc -l)"
done
