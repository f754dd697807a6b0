package shell

import (
	"errors"
	"strings"
	"testing"

	"mvdan.cc/sh/v3/syntax"
)

func TestParse(t *testing.T) {
	f, err := Parse(syntax.NewParser(), []byte("apt-get update && (cd /x; make)\n"), "ok.sh")
	if err != nil || len(f.Stmts) != 1 {
		t.Fatalf("Parse = %v, %v; want one statement", f, err)
	}
	if _, err := Parse(syntax.NewParser(), []byte("echo &&"), "bad.sh"); err == nil || errors.Is(err, ErrTooDeep) {
		t.Errorf("Parse of a syntax error = %v, want the parser's error", err)
	}
}

// TestParseDeep would crash the test binary with a stack overflow were the
// guard missing: 300,000 nested subshells.
func TestParseDeep(t *testing.T) {
	const n = 300_000
	src := strings.Repeat("( ", n) + "true" + strings.Repeat(" )", n)
	if _, err := Parse(syntax.NewParser(), []byte(src), "deep.sh"); !errors.Is(err, ErrTooDeep) {
		t.Fatalf("Parse of %d nested subshells = %v, want ErrTooDeep", n, err)
	}
}
