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

free_port() { # a TCP port on 127.0.0.1 the kernel has just handed out and freed
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

wait_listening() { # PORT: until something listens on it (bounded, 5 s)
	_wl=0
	while [ $_wl -lt 500 ]; do
		ss -Hltn "sport = :$1" | grep -q . && return 0
		sleep 0.01
		_wl=$((_wl + 1))
	done
	echo "bench: nothing listens on port $1" >&2
	return 1
}

now() { date +%s.%N; }

median() { # the median of the numbers on stdin, one a line
	sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

bench_need() { # NAME TOOL...: status 2 naming the first tool missing, or $SOCKT if it is not there
	local name=$1 tool
	shift
	for tool; do
		command -v "$tool" >/dev/null || { echo "$name: $tool is needed" >&2; exit 2; }
	done
	[ -x "$SOCKT" ] || { echo "$name: no sockt binary at $SOCKT" >&2; exit 2; }
}

bench_workdir() { # SIZE_MIB: $dir (removed at exit, after the PIDs in $pids), $file of random data
	dir=$(mktemp -d "${TMPDIR:-/tmp}/sockt-bench.XXXXXX")
	pids=()
	trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$dir"' EXIT
	file=$dir/data
	head -c "$(($1 * 1024 * 1024))" /dev/urandom >"$file"
	# Read once so that every tool starts from the page cache.
	cat "$file" >/dev/null
}
