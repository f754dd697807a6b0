#!/usr/bin/env bash
# bench/run.sh: measure `diet analyze` against the cost of reading its input.
# What each figure means: bench/README.md. Usage, from anywhere:
#
#   bench/run.sh            # BENCH_RUNS=3 timed runs per command, best kept
#
# Builds diet and the bench tools into $OUT, makes the images if missing
# (bench/mkbench; a few minutes the first time), prints one table. Exits 0
# even when a target is missed, and says which; exits 1 only if something
# could not be built or run.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${BENCH_OUT:-bench/out}
RUNS=${BENCH_RUNS:-3}
JOBS=$(nproc)
mkdir -p "$OUT"

echo "bench: building diet and the bench tools into $OUT" >&2
go build -o "$OUT/diet" ./cmd/diet
for tool in mkbench rawread rawgzip timeit; do go build -o "$OUT/$tool" "./bench/$tool"; done
"$OUT/mkbench" -o "$OUT"

STATS=$(mktemp)
trap 'rm -f "$STATS"' EXIT

# best CMD...: run CMD once to warm the page cache, then $RUNS times; set
# T to the fastest wall time (s) and RSS to the largest peak RSS (bytes).
best() {
	if ! "$OUT/timeit" -o /dev/null -- "$@" >/dev/null; then
		echo "bench: failed: $*" >&2
		exit 1
	fi
	: >"$STATS"
	for _ in $(seq "$RUNS"); do
		if ! "$OUT/timeit" -o "$STATS" -- "$@" >/dev/null; then
			echo "bench: failed: $*" >&2
			exit 1
		fi
	done
	T=$(awk 'NR==1||$1<t{t=$1} END{print t}' "$STATS")
	RSS=$(awk '$2>r{r=$2} END{print r}' "$STATS")
}

# once CMD...: run CMD once (it is CPU-bound and long: the page cache is
# warm from the runs above); set T and RSS as best does.
once() {
	: >"$STATS"
	if ! "$OUT/timeit" -o "$STATS" -- "$@" >/dev/null; then
		echo "bench: failed: $*" >&2
		exit 1
	fi
	T=$(awk '{print $1}' "$STATS")
	RSS=$(awk '{print $2}' "$STATS")
}

# calc EXPR: floating-point arithmetic.
calc() { awk "BEGIN{print $1}"; }

MISSED=0 TARGETS=0
# check NAME VALUE OP TARGET UNIT: a table row for a figure with a target.
check() {
	local verdict=ok
	TARGETS=$((TARGETS + 1))
	if ! awk "BEGIN{exit !($2 $3 $4)}"; then
		verdict=MISSED
		MISSED=$((MISSED + 1))
	fi
	printf '  %-44s %12s  %-12s %s\n' "$1" "$(printf '%.3f %s' "$2" "$5")" "$3 $4" "$verdict"
}
row() { printf '  %-44s %12s\n' "$1" "$2"; }

diet="$OUT/diet"
best cat "$OUT/big.tar"
CAT=$T
best "$diet" analyze --format json "docker-archive:$OUT/big.tar"
DA=$T
best "$OUT/rawread" -jobs "$JOBS" "$OUT/big.oci"
RAW=$T
best "$diet" analyze --format json "oci:$OUT/big.oci"
OCI=$T
best "$diet" analyze --format json "docker-archive:$OUT/many.tar"
MANY_T=$T MANY_RSS=$RSS
best "$diet" analyze --format json "docker-archive:$OUT/small.tar"
SMALL_RSS=$RSS
# diff: many.tar against its next version, many2.tar, and the two analyses.
best "$diet" analyze --format json "docker-archive:$OUT/many2.tar"
MANY2_T=$T
best "$diet" diff --format json "docker-archive:$OUT/many.tar" "docker-archive:$OUT/many2.tar"
DIFF_T=$T DIFF_RSS=$RSS
PATHS=$(cat "$OUT/many.paths")
# slim writes an uncompressed docker-archive: no compression to count apart.
best "$diet" slim --level squash "docker-archive:$OUT/big.tar" -o "docker-archive:$OUT/squashed.tar"
SQUASH_T=$T SQUASH_RSS=$RSS
best "$diet" slim --level prune "docker-archive:$OUT/big.tar" -o "docker-archive:$OUT/pruned.tar"
PRUNE_T=$T
# The floor under any slim: write the squashed image's bytes once, durably.
best dd if="$OUT/squashed.tar" of="$OUT/copy.tar" bs=1M conv=fsync status=none
COPY_T=$T
# Compression, counted apart: the same squash into a gzip OCI layout.
best "$diet" slim --level squash "docker-archive:$OUT/big.tar" -o "oci:$OUT/squashed.oci"
SQUASH_OCI_T=$T
rm -rf "$OUT/squashed.tar" "$OUT/pruned.tar" "$OUT/copy.tar" "$OUT/squashed.oci"

# Pull cost: gzip every layer of big.tar as docker push does, and the same
# compression alone, in parallel (bench/rawgzip).
once "$OUT/rawgzip" -jobs "$JOBS" "$OUT/big.tar"
RAWGZ_T=$T
once "$diet" analyze --format json --compressed gzip "docker-archive:$OUT/big.tar"
PULL_T=$T

# The HTML report of the 500k-path image: its size, and a browser's load.
once "$diet" analyze --format html -o "$OUT/many.html" "docker-archive:$OUT/many.tar"
HTML_T=$T
RENDER_T=
if command -v chromium >/dev/null; then
	once chromium --headless --no-sandbox --disable-gpu --user-data-dir="$OUT/chromium" --dump-dom "file://$(realpath "$OUT/many.html")"
	RENDER_T=$T
	echo '<!doctype html><title>empty</title>' >"$OUT/empty.html"
	once chromium --headless --no-sandbox --disable-gpu --user-data-dir="$OUT/chromium" --dump-dom "file://$(realpath "$OUT/empty.html")"
	EMPTY_T=$T
fi
# The growth page of many.tar → many2.tar.
"$diet" diff --format html -o "$OUT/growth.html" "docker-archive:$OUT/many.tar" "docker-archive:$OUT/many2.tar"

# explore: from start to its first screen on many.tar, in tmux (polled
# every 20 ms), best of $RUNS.
EXPLORE_T=
if command -v tmux >/dev/null; then
	sock="$OUT/tmux.sock"
	for _ in $(seq "$RUNS"); do
		tmux -S "$sock" kill-server 2>/dev/null || true
		start=$(date +%s.%N)
		tmux -S "$sock" new-session -d -s bench -x 100 -y 30 "$diet explore docker-archive:$OUT/many.tar"
		until tmux -S "$sock" capture-pane -p -t bench 2>/dev/null | grep -q "diet explore"; do sleep 0.02; done
		t=$(calc "$(date +%s.%N) - $start")
		tmux -S "$sock" kill-server
		if [ -z "$EXPLORE_T" ] || awk "BEGIN{exit !($t < $EXPLORE_T)}"; then EXPLORE_T=$t; fi
	done
fi

# One pass: big.tar gzipped (made once, kept) and big.tar through a pipe.
if [ ! -f "$OUT/big.tar.gz" ]; then
	echo "bench: gzip -1 of big.tar (once)" >&2
	gzip -1 -c "$OUT/big.tar" >"$OUT/big.tar.gz.part" && mv "$OUT/big.tar.gz.part" "$OUT/big.tar.gz"
fi
best gzip -dc "$OUT/big.tar.gz"
GUNZIP_T=$T
best "$diet" analyze --format json "docker-archive:$OUT/big.tar.gz"
GZ_T=$T GZ_RSS=$RSS
best sh -c "cat '$OUT/big.tar' | cat >/dev/null"
PIPECAT_T=$T
best sh -c "cat '$OUT/big.tar' | '$diet' analyze --format json -"
PIPE_T=$T PIPE_RSS=$RSS
best "$diet" analyze --format json "docker-archive:$OUT/big.tar"
DA_RSS=$RSS

# The local engine: big.tar loaded once as diet-bench:big (kept for the next
# run), read from its save stream and from its layer store.
DAEMON=
if docker info >/dev/null 2>&1; then
	if ! docker image inspect diet-bench:big >/dev/null 2>&1; then
		echo "bench: docker load of big.tar as diet-bench:big (once)" >&2
		loaded=$(docker load -q -i "$OUT/big.tar" | awk '/^Loaded image/ {print $NF; exit}')
		docker tag "$loaded" diet-bench:big
	fi
	best sh -c 'docker save diet-bench:big >/dev/null'
	SAVE_T=$T
	best env DIET_LAYER_STORE=0 "$diet" analyze --format json docker-daemon:diet-bench:big
	STREAM_T=$T STREAM_RSS=$RSS
	best "$diet" analyze --format json docker-daemon:diet-bench:big
	STORE_T=$T STORE_RSS=$RSS
	DIVE_T=
	if command -v dive >/dev/null; then
		# Its CI rules off: it must read the image, not judge it.
		best dive --ci --source docker --lowestEfficiency 0 --highestWastedBytes disabled \
			--highestUserWastedPercent disabled diet-bench:big
		DIVE_T=$T DIVE_RSS=$RSS
	fi
	DAEMON=1
fi

size() { stat -c %s "$1"; }
echo
echo "diet bench: $(date -u +%Y-%m-%dT%H:%MZ), $JOBS CPUs, $(go env GOVERSION), best of $RUNS runs after a warm-up"
printf '  big.tar %s B (%s paths), big.oci %s B, many.tar %s B (%s paths), small.tar %s B\n\n' \
	"$(size "$OUT/big.tar")" "$(cat "$OUT/big.paths")" "$(du -sb "$OUT/big.oci" | cut -f1)" \
	"$(size "$OUT/many.tar")" "$PATHS" "$(size "$OUT/small.tar")"
printf '  %-44s %12s  %-12s %s\n' figure value target verdict
echo "(1) analysis vs reading the docker-archive"
row "cat big.tar >/dev/null (warm)" "$CAT s"
row "diet analyze docker-archive:big.tar" "$DA s"
check "ratio analyze / cat" "$(calc "$DA / $CAT")" "<=" 0.3 ""
echo "(2) analysis vs decompressing the OCI layout ($JOBS jobs)"
row "rawread big.oci" "$RAW s"
row "diet analyze oci:big.oci" "$OCI s"
check "ratio analyze / rawread" "$(calc "$OCI / $RAW")" "<=" 1.15 ""
echo "(3) memory per path and time on $PATHS paths"
row "peak RSS, analyze many.tar" "$MANY_RSS B"
row "peak RSS, analyze small.tar" "$SMALL_RSS B"
check "(RSS many - RSS small) / paths" "$(calc "($MANY_RSS - $SMALL_RSS) / $PATHS")" "<=" 300 "B/path"
check "wall time, analyze many.tar" "$MANY_T" "<=" 1.5 "s"
echo "(4) slim vs analyze of big.tar (output uncompressed, nothing to compress)"
row "diet slim --level squash" "$SQUASH_T s"
check "ratio squash / analyze" "$(calc "$SQUASH_T / $DA")" "<=" 2 ""
row "diet slim --level prune" "$PRUNE_T s"
check "ratio prune / analyze" "$(calc "$PRUNE_T / $DA")" "<=" 2 ""
row "peak RSS, slim squash" "$SQUASH_RSS B"
row "floor: write the squashed tar once (dd conv=fsync)" "$COPY_T s"
check "ratio squash / floor" "$(calc "$SQUASH_T / $COPY_T")" "<=" 2 ""
row "diet slim --level squash -o oci: (gzip, $JOBS jobs)" "$SQUASH_OCI_T s"
row "of which compression (oci - docker-archive)" "$(calc "$SQUASH_OCI_T - $SQUASH_T") s"
if [ -n "$DAEMON" ]; then
	echo "(5) docker-daemon:diet-bench:big (big.tar loaded into the engine)"
	row "docker save >/dev/null" "$SAVE_T s"
	row "diet analyze, save stream in one pass (DIET_LAYER_STORE=0)" "$STREAM_T s"
	check "ratio stream / docker save" "$(calc "$STREAM_T / $SAVE_T")" "<=" 1.1 ""
	row "diet analyze, layer store" "$STORE_T s"
	row "ratio layer store / stream" "$(calc "$STORE_T / $STREAM_T")"
	row "peak RSS, stream / layer store" "$STREAM_RSS / $STORE_RSS B"
	if [ -n "$DIVE_T" ]; then
		row "dive --ci --source docker (its own rules off)" "$DIVE_T s"
		row "peak RSS, dive" "$DIVE_RSS B"
		check "ratio layer store / dive" "$(calc "$STORE_T / $DIVE_T")" "<=" 0.1 ""
		check "peak RSS, layer store / dive" "$(calc "$STORE_RSS / $DIVE_RSS")" "<=" 1 ""
	fi
else
	echo "(5) docker-daemon: no engine answers, skipped"
fi
echo "(6) one pass over big.tar gzipped, and through a pipe"
row "gzip -dc big.tar.gz >/dev/null" "$GUNZIP_T s"
row "diet analyze docker-archive:big.tar.gz" "$GZ_T s"
check "ratio analyze .tar.gz / gzip -dc" "$(calc "$GZ_T / $GUNZIP_T")" "<=" 1.1 ""
row "cat big.tar | cat >/dev/null" "$PIPECAT_T s"
row "cat big.tar | diet analyze -" "$PIPE_T s"
row "peak RSS: .tar.gz / pipe / the file itself" "$GZ_RSS / $PIPE_RSS / $DA_RSS B"
echo "(7) diet diff many.tar many2.tar (the third layer rebuilt: its files compared by content)"
row "diet analyze many.tar + many2.tar" "$(calc "$MANY_T + $MANY2_T") s"
row "diet diff many.tar many2.tar" "$DIFF_T s"
check "ratio diff / two analyses" "$(calc "$DIFF_T / ($MANY_T + $MANY2_T)")" "<=" 1.3 ""
row "peak RSS, diff" "$DIFF_RSS B"
echo "(8) pull cost of big.tar: --compressed gzip (Go's gzip, default level, as docker push; one run each)"
row "rawgzip big.tar ($JOBS jobs)" "$RAWGZ_T s"
row "diet analyze --compressed gzip" "$PULL_T s"
check "ratio --compressed gzip / rawgzip" "$(calc "$PULL_T / $RAWGZ_T")" "<=" 1.1 ""
echo "(9) the HTML report of many.tar ($PATHS paths)"
row "diet analyze --format html" "$HTML_T s"
check "page size" "$(calc "$(size "$OUT/many.html") / 1e6")" "<=" 2 "MB"
if [ -n "$RENDER_T" ]; then
	check "chromium --headless --dump-dom (start to DOM)" "$RENDER_T" "<=" 2 "s"
	row "the same on an empty page (the browser's own start)" "$EMPTY_T s"
fi
row "diet diff --format html many.tar many2.tar: page size" "$(size "$OUT/growth.html") B"
if [ -n "$EXPLORE_T" ]; then
	echo "(10) diet explore many.tar: start to first screen (tmux)"
	row "diet explore" "$EXPLORE_T s"
	check "ratio explore / analyze" "$(calc "$EXPLORE_T / $MANY_T")" "<=" 1.2 ""
fi
echo
if [ "$MISSED" -gt 0 ]; then
	echo "bench: $MISSED of $TARGETS targets missed"
else
	echo "bench: all $TARGETS targets met"
fi
