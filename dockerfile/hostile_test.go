package dockerfile

import (
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
