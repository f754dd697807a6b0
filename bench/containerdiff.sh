#!/usr/bin/env bash
# bench/containerdiff.sh A.tar B.tar: compare `diet diff` with container-diff
# (github.com/GoogleContainerTools/container-diff, archived; its module is
# no longer on the Go proxy: build it from a checkout with `go build`) on
# one pair of docker-archives. Prints each tool's counts and time, the
# paths one reports and the other does not, and the sizes both give.
set -euo pipefail
A=$1 B=$2
OUT=${BENCH_OUT:-bench/out}
mkdir -p "$OUT"
command -v container-diff >/dev/null || { echo "containerdiff: container-diff is not on PATH" >&2; exit 1; }
command -v jq >/dev/null || { echo "containerdiff: jq is not on PATH" >&2; exit 1; }
go build -o "$OUT/diet" ./cmd/diet

t0=$(date +%s.%N)
container-diff diff "$A" "$B" --type=file --type=size -j >"$OUT/cd.json" 2>"$OUT/cd.err"
t1=$(date +%s.%N)
"$OUT/diet" diff --format json "$A" "$B" >"$OUT/dd.json"
t2=$(date +%s.%N)

jq -r '.[] | select(.DiffType=="File") | .Diff | ((.Adds // []) | map("added "+.Name)), ((.Dels // []) | map("removed "+.Name)), ((.Mods // []) | map("changed "+.Name)) | .[]' \
	"$OUT/cd.json" | sort >"$OUT/cd.paths"
jq -r '(.added | map("added "+.path)), (.removed | map("removed "+.path)), (.changed | map("changed "+.path)) | .[]' \
	"$OUT/dd.json" | sort >"$OUT/dd.paths"
count() { awk '{print $1}' "$1" | sort | uniq -c | awk '{printf "%s %s, ", $1, $2}'; }
printf 'container-diff  %5.2f s  %s\n' "$(echo "$t1 - $t0" | bc)" "$(count "$OUT/cd.paths")"
printf 'diet diff       %5.2f s  %s\n' "$(echo "$t2 - $t1" | bc)" "$(count "$OUT/dd.paths")"
echo "only container-diff reports:"
comm -23 "$OUT/cd.paths" "$OUT/dd.paths" | head -20
echo "only diet reports (with what changed):"
comm -13 "$OUT/cd.paths" "$OUT/dd.paths" | head -20 | while read -r kind path; do
	if [ "$kind" = changed ]; then
		echo "changed $path: $(jq -r --arg p "$path" '.changed[] | select(.path==$p) | (.what | join(",")) + " " + .a.mode + "→" + .b.mode' "$OUT/dd.json")"
	else
		echo "$kind $path"
	fi
done
echo "final size, container-diff: $(jq -r '.[] | select(.DiffType=="Size") | .Diff[0] | "\(.Size1) → \(.Size2)"' "$OUT/cd.json")"
echo "final size, diet:           $(jq -r '.size.final | "\(.a) → \(.b)"' "$OUT/dd.json")"
echo "docker size, diet:          $(jq -r '.size.docker | "\(.a) → \(.b)"' "$OUT/dd.json") (container-diff has none)"
