// Package depcheck holds no code: its test keeps the import graph of
// ../shared/style.md §1 true, so data keeps flowing one way.
package depcheck
