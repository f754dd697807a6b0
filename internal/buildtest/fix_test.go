package buildtest_test

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/dietimage/diet/dockerfile"
	"github.com/dietimage/diet/internal/buildtest"
)

// TestFixEndToEnd is issue 4's acceptance on the engine: for each realistic
// Dockerfile, lint finds its size mistakes, diet fix rewrites it, and
// docker build (offline) makes the fixed image smaller while it runs the
// same command with the same output as the original.
func TestFixEndToEnd(t *testing.T) {
	env := buildtest.Prepare(t)
	var table strings.Builder
	table.WriteString("| case | original | fixed | saved | fixes applied |\n|---|---|---|---|---|\n")
	for _, c := range buildtest.Cases() {
		t.Run(c.Name, func(t *testing.T) {
			f, err := dockerfile.Parse(c.Name+"/Dockerfile", c.Dockerfile)
			if err != nil {
				t.Fatal(err)
			}
			before := dockerfile.Lint(f, dockerfile.WithContextDir(c.Dir))
			if len(before) == 0 {
				t.Fatalf("lint finds nothing in %s/Dockerfile", c.Name)
			}
			res, err := dockerfile.Fix(f, dockerfile.WithContextDir(c.Dir))
			if err != nil {
				t.Fatalf("Fix: %v", err)
			}
			if len(res.Changes) == 0 {
				t.Fatalf("Fix changed nothing; lint found %v", ids(before))
			}
			t.Logf("fixed %s/Dockerfile:\n%s", c.Name, res.Source)

			tag := fmt.Sprintf("diet-buildtest/%s:%d", c.Name, os.Getpid())
			if c.Base != nil {
				env.Build(t, c.Dir, c.Base, baseTag(t, f))
			}
			original := env.Build(t, c.Dir, c.Dockerfile, tag+"-original")
			if got := env.Run(t, tag+"-original", c.Command...); got != c.Output {
				t.Fatalf("the original prints %q, want %q", got, c.Output)
			}
			fixed := env.Build(t, c.Dir, res.Source, tag+"-fixed")
			if diff := cmp.Diff(c.Output, env.Run(t, tag+"-fixed", c.Command...)); diff != "" {
				t.Errorf("the fixed image's %s output differs (-original +fixed):\n%s", strings.Join(c.Command, " "), diff)
			}
			if fixed >= original {
				t.Errorf("fixed image %d bytes, original %d: not smaller", fixed, original)
			}
			var applied []string
			for _, ch := range res.Changes {
				applied = append(applied, ch.ID)
			}
			fmt.Fprintf(&table, "| %s | %.1f MB | %.1f MB | %.1f MB | %s |\n", c.Name, float64(original)/1e6,
				float64(fixed)/1e6, float64(original-fixed)/1e6, strings.Join(applied, ", "))
		})
	}
	t.Logf("diet fix, end to end:\n%s", table.String())
}

func ids(fs []dockerfile.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.ID)
	}
	return out
}

// baseTag returns the image the first FROM of f names: the tag a case's
// base.Dockerfile builds.
func baseTag(t *testing.T, f *dockerfile.File) string {
	t.Helper()
	if len(f.Stages) == 0 || f.Stages[0].Base == "" {
		t.Fatalf("%s has no FROM", f.Name)
	}
	return f.Stages[0].Base
}
