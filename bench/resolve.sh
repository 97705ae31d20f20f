#!/bin/sh
# bench/resolve.sh: `sockt resolve localhost` against `getent ahosts localhost`, same run:
# median wall time of many runs and peak RSS. Usage: bench/resolve.sh [SOCKT] [RUNS]
set -eu
sockt=${1:-src/sockt}
runs=${2:-300}

median_us() { # CMD...: median wall time in microseconds over $runs runs
	i=0
	while [ $i -lt "$runs" ]; do
		s=$(date +%s%N)
		"$@" >/dev/null
		e=$(date +%s%N)
		echo $(((e - s) / 1000))
		i=$((i + 1))
	done | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}

peak_rss_kib() { # CMD...: the largest peak RSS of 20 runs
	i=0
	while [ $i -lt 20 ]; do
		/usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -n 1
		i=$((i + 1))
	done | sort -n | tail -n 1
}

s_t=$(median_us "$sockt" resolve localhost)
g_t=$(median_us getent ahosts localhost)
s_m=$(peak_rss_kib "$sockt" resolve localhost)
g_m=$(peak_rss_kib getent ahosts localhost)
printf '%-28s %12s %14s\n' "" "median wall" "peak RSS"
printf '%-28s %9s us %10s KiB\n' "sockt resolve localhost" "$s_t" "$s_m"
printf '%-28s %9s us %10s KiB\n' "getent ahosts localhost" "$g_t" "$g_m"
awk -v a="$s_t" -v b="$g_t" -v c="$s_m" -v d="$g_m" -v r="$runs" 'BEGIN {
	printf "ratio sockt/getent: time %.2f, RSS %.2f (%s runs)\n", a / b, c / d, r }'
