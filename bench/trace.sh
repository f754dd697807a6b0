#!/usr/bin/env bash
# bench/trace.sh: what tracing costs the run `diet slim --level minimal`
# traces, on the four service images of internal/fixture/services (Python,
# Node, Java, shell; built offline from Debian packages on the Docker
# engine the first time, a few minutes). Each is run in the sandbox until
# ready, sent every route's probe and stopped, untraced and under strace;
# the ratio of the two is the figure (target ≤ 3). Needs root, a Docker
# engine, bwrap, prlimit and strace. Usage, from anywhere:
#
#   bench/trace.sh          # BENCH_RUNS=7 runs of each, interleaved, median kept
#
# Exits 0 when a target is missed and says which; 1 only if the benchmark
# could not run.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${BENCH_RUNS:-7}

OUT=$(mktemp)
trap 'rm -f "$OUT"' EXIT
if ! DIET_REQUIRE_ENGINE=1 go test -run '^$' -bench '^BenchmarkTracing$' -benchtime 1x -count "$RUNS" \
	./internal/fixture/services >"$OUT" 2>&1; then
	cat "$OUT" >&2
	echo "bench: the tracing benchmark failed" >&2
	exit 1
fi

echo "diet tracing bench: $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPUs, median of $RUNS runs each"
printf '  %-8s %12s %12s %8s  %-8s %s\n' app untraced traced ratio target verdict
awk '
	/^BenchmarkTracing\// {
		split($1, p, "/"); app = p[2]; kind = p[3]; sub(/-[0-9]+$/, "", kind)
		k = ++runs[app, kind]; ns[app, kind, k] = $3
		if (!(app in seen)) { seen[app] = 1; order[++n] = app }
	}
	# median of the runs of app and kind
	function median(app, kind,    m, i, j, x, v) {
		m = runs[app, kind]
		for (i = 1; i <= m; i++) v[i] = ns[app, kind, i]
		for (i = 2; i <= m; i++) { x = v[i]; for (j = i - 1; j > 0 && v[j] > x; j--) v[j + 1] = v[j]; v[j + 1] = x }
		return m % 2 ? v[(m + 1) / 2] : (v[m / 2] + v[m / 2 + 1]) / 2
	}
	END {
		missed = 0
		for (i = 1; i <= n; i++) {
			a = order[i]; u = median(a, "untraced") / 1e9; t = median(a, "traced") / 1e9
			r = t / u; v = r <= 3 ? "ok" : "MISSED"
			if (v != "ok") missed++
			printf "  %-8s %10.3f s %10.3f s %8.2f  %-8s %s\n", a, u, t, r, "<= 3", v
		}
		print ""
		if (missed) printf "bench: %d of %d targets missed\n", missed, n
		else printf "bench: all %d targets met\n", n
	}' "$OUT"
