package dockerfile

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

// TestDeepShell lints a RUN nesting 300,000 subshells over continuation
// lines: without a guard the shell parser's recursion overflows the stack,
// a crash no recover catches. It must be a finding instead.
func TestDeepShell(t *testing.T) {
	var b strings.Builder
	b.WriteString("FROM debian\nRUN true; \\\n")
	for range 30_000 {
		b.WriteString(strings.Repeat("( ", 10) + "\\\n")
	}
	b.WriteString("true \\\n")
	for range 30_000 {
		b.WriteString(strings.Repeat(")", 10) + " \\\n")
	}
	b.WriteString("\n")
	f, err := Parse("Dockerfile", []byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, fd := range Lint(f) {
		found = found || (fd.ID == "DIET001" && strings.Contains(fd.Message, "too deep"))
	}
	if !found {
		t.Errorf("no DIET001 finding saying the shell nests too deep")
	}
}

// longChain is a RUN of n "&& a" continuations: 1.5 MB for 300,000, the
// size of a hostile Dockerfile that once overflowed the stack. The shell
// parser reads && lists in a loop but nests the result n deep, so any
// recursive walk over it crashes where the parse did not.
func longChain(n int) []byte {
	var b strings.Builder
	b.WriteString("FROM debian\nRUN true \\\n")
	for range n {
		b.WriteString("&& a\\\n")
	}
	b.WriteString("&& true\n")
	return []byte(b.String())
}

// TestLongAndChain lints and fixes a RUN of 300,000 && continuations: it
// must see every command, in order, without crashing.
func TestLongAndChain(t *testing.T) {
	const n = 300_000
	src := longChain(n)
	f, err := Parse("Dockerfile", src)
	if err != nil {
		t.Fatal(err)
	}
	cmds := f.Instructions[1].Run.Commands
	if len(cmds) != n+2 {
		t.Fatalf("Parse: %d commands, want %d", len(cmds), n+2)
	}
	for i, c := range cmds {
		want, op := "a", "&&"
		switch i {
		case 0:
			want, op = "true", ""
		case n + 1:
			want = "true"
		}
		if c.String() != want || c.Op != op || c.Nested {
			t.Fatalf("command %d = %q op %q nested %v, want %q op %q", i, c.String(), c.Op, c.Nested, want, op)
		}
	}
	Lint(f)
	if _, err := Fix(f); err != nil {
		t.Fatalf("Fix: %v", err)
	}
}

// TestLongAndChainMerge fixes a cleanup in a later RUN after a RUN of
// 300,000 && continuations: the merge reads the long RUN's shell again.
func TestLongAndChainMerge(t *testing.T) {
	src := append(longChain(300_000), "RUN apt-get purge -y gcc\n"...)
	src = append([]byte("FROM debian\nRUN apt-get install -y gcc\n"), src[len("FROM debian\n"):]...)
	f, err := Parse("Dockerfile", src)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Fix(f)
	if err != nil {
		t.Fatalf("Fix: %v", err)
	}
	if !slices.ContainsFunc(res.Changes, func(c Change) bool { return c.ID == "DIET101" }) {
		t.Errorf("Fix: changes %v, want the DIET101 merge", res.Changes)
	}
}

// TestParseTooLarge refuses a Dockerfile one byte over MaxSize, naming it,
// and parses one at MaxSize.
func TestParseTooLarge(t *testing.T) {
	src := []byte("FROM debian\nRUN true\n")
	for len(src) < MaxSize {
		n := min(MaxSize-len(src), 64)
		src = append(src, strings.Repeat("#", n-1)+"\n"...)
	}
	if _, err := Parse("Dockerfile", src); err != nil {
		t.Fatalf("Parse(%d bytes) = %v, want no error", len(src), err)
	}
	_, err := Parse("big/Dockerfile", append(src, '\n'))
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("Parse(%d bytes) = %v, want ErrTooLarge", len(src)+1, err)
	}
	if pe, ok := errors.AsType[*ParseError](err); !ok || pe.Name != "big/Dockerfile" {
		t.Errorf("Parse(%d bytes) = %#v, want a *ParseError naming big/Dockerfile", len(src)+1, err)
	}
}
