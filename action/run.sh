#!/usr/bin/env bash
# action/run.sh: the step of the GitHub Action (action.yml). It builds diet
# from the action's checkout (or uses $DIET_BIN), checks $DIET_IMAGE with
# diet analyze --ci, writing the markdown summary to the log and to
# $GITHUB_STEP_SUMMARY, and lints $DIET_DOCKERFILE to SARIF. Outputs (in
# $GITHUB_OUTPUT): passed=true|false, sarif=PATH. A failed rule does not
# fail this step: the action's last step does, after the SARIF upload. An
# error (a missing image, a bad flag) fails it with diet's exit status.
# The diet it builds is put on the job's PATH ($GITHUB_PATH).
set -uo pipefail
: "${DIET_IMAGE:?DIET_IMAGE names the image to check}"
tmp=${RUNNER_TEMP:-$(mktemp -d)}
summary=${GITHUB_STEP_SUMMARY:-/dev/null}
outputs=${GITHUB_OUTPUT:-/dev/null}

diet=${DIET_BIN:-}
if [ -z "$diet" ]; then
	here=$(cd "$(dirname "$0")/.." && pwd)
	(cd "$here" && GOBIN="$tmp/diet-bin" go install ./cmd/diet) || exit 1
	diet=$tmp/diet-bin/diet
	echo "$tmp/diet-bin" >>"${GITHUB_PATH:-/dev/null}" # later steps can run diet
fi

args=(analyze --ci --format markdown)
if [ -n "${DIET_RULES:-}" ]; then
	args+=(--ci-config "$DIET_RULES")
fi
read -ra extra <<<"${DIET_ARGS:-}"
"$diet" "${args[@]}" "${extra[@]}" "$DIET_IMAGE" >"$tmp/diet-summary.md"
status=$?
cat "$tmp/diet-summary.md"
cat "$tmp/diet-summary.md" >>"$summary"
case $status in
0) echo "passed=true" >>"$outputs" ;;
3) echo "passed=false" >>"$outputs" ;;
*) exit "$status" ;;
esac

if [ -n "${DIET_DOCKERFILE:-}" ]; then
	if [ ! -f "$DIET_DOCKERFILE" ]; then
		echo "diet: $DIET_DOCKERFILE: no such Dockerfile to lint (set dockerfile: '' to skip)" >&2
		exit 1
	fi
	sarif=$tmp/diet-lint.sarif
	"$diet" lint --format sarif "$DIET_DOCKERFILE" >"$sarif"
	lint=$?
	if [ "$lint" -ne 0 ] && [ "$lint" -ne 3 ]; then # 3: findings, which the upload shows
		exit "$lint"
	fi
	echo "sarif=$sarif" >>"$outputs"
fi
exit 0
