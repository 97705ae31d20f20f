#!/bin/sh
# bench/resolve.sh: `sockt resolve localhost` against `getent ahosts localhost`, same run:
# median wall time of many runs and peak RSS. Usage: bench/resolve.sh [SOCKT] [RUNS]
set -eu
sockt=${1:-src/sockt}
runs=${2:-300}

. "$(dirname "$0")/lib.sh"
rss_runs=20

s_t=$(median_us "$sockt" resolve localhost)
g_t=$(median_us getent ahosts localhost)
s_m=$(peak_rss_kib "$sockt" resolve localhost)
g_m=$(peak_rss_kib getent ahosts localhost)
printf '%-28s %12s %14s\n' "" "median wall" "peak RSS"
printf '%-28s %9s us %10s KiB\n' "sockt resolve localhost" "$s_t" "$s_m"
printf '%-28s %9s us %10s KiB\n' "getent ahosts localhost" "$g_t" "$g_m"
awk -v a="$s_t" -v b="$g_t" -v c="$s_m" -v d="$g_m" -v r="$runs" 'BEGIN {
	printf "ratio sockt/getent: time %.2f, RSS %.2f (%s runs)\n", a / b, c / d, r }'
