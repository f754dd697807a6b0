// Package citest tests the scripts under .ci that CI runs on a fresh
// machine, on fixture directories rather than the machine's own files.
package citest
