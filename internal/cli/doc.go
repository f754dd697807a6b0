// Package cli is the diet command line: one file per command, each turning
// flags into library options, calling the library and rendering its data
// with package report. It is the only package that prints.
//
// [New] builds a fresh command tree on every call and keeps no package
// state. The environment (NO_COLOR, FORCE_COLOR, TERM, COLUMNS, GOGC) is
// read in root.go, once per run, into a globals value the commands share.
// stdout carries only the result; progress goes to stderr, and only when
// stderr is a terminal. Errors are printed by [Main] as one line,
// "diet: " then the error and, for known causes, the next step to take
// (errors.go), and map to the exit codes listed in docs/cli.md.
package cli
