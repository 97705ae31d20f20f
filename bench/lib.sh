# bench/lib.sh: the timing helpers the benches share (sourced, POSIX sh).
# Set $runs (timed runs) and optionally $rss_runs (default 5) before calling.

median_us() { # CMD...: median wall time in microseconds over $runs runs
	i=0
	while [ $i -lt "$runs" ]; do
		s=$(date +%s%N)
		"$@" >/dev/null
		e=$(date +%s%N)
		echo $(((e - s) / 1000))
		i=$((i + 1))
	done | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'
}

peak_rss_kib() { # CMD...: the largest peak RSS (KiB) of $rss_runs runs
	i=0
	while [ $i -lt "${rss_runs:-5}" ]; do
		/usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -n 1
		i=$((i + 1))
	done | sort -n | tail -n 1
}
