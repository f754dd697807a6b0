package cli

import (
	"slices"
	"strings"
	"testing"

	"github.com/dietimage/diet/slim"
)

// TestCompletionValues checks that every value a flag completes to is one
// its parser accepts, and that every level slim knows is offered: a value
// added on one side only fails here.
func TestCompletionValues(t *testing.T) {
	word := func(c string) string { w, _, _ := strings.Cut(c, "\t"); return w }
	for _, c := range flagValues["slim"]["level"] {
		if _, err := slim.ParseLevel(word(c)); err != nil {
			t.Errorf("--level completes %q: %v", word(c), err)
		}
	}
	for l := slim.Squash; l <= slim.Minimal; l++ {
		found := false
		for _, c := range flagValues["slim"]["level"] {
			found = found || word(c) == l.String()
		}
		if !found {
			t.Errorf("--level does not complete %q", l)
		}
	}
	for _, c := range flagValues["slim"]["verify-with"] {
		f := &slimFlags{level: "squash", output: "x.tar", verifyWith: word(c), timeout: 1}
		if _, _, _, err := f.options(); err != nil {
			t.Errorf("--verify-with completes %q: %v", word(c), err)
		}
	}
	var lint []string
	for _, c := range flagValues["lint"]["format"] {
		lint = append(lint, word(c))
	}
	if !slices.Equal(lint, lintFormats) {
		t.Errorf("lint --format completes %q, want every format lint takes, %q", lint, lintFormats)
	}
	for _, c := range formatValues {
		var f format
		if err := f.Set(word(c)); err != nil {
			t.Errorf("--format completes %q: %v", word(c), err)
		}
	}
}
