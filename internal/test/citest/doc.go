// Package citest tests the scripts that run in CI: those under .ci that
// our CI runs on a fresh machine (on fixture directories rather than the
// machine's own files), and what diet offers other pipelines: the GitHub
// Action (action.yml, action/run.sh) and the pre-commit hook.
package citest
