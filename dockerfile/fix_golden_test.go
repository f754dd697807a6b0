package dockerfile

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/rogpeppe/go-internal/txtar"
)

// TestFixGolden fixes the story's Dockerfiles and those in testdata/fix,
// and compares the result with testdata/fix/NAME.golden: a txtar archive
// of the fixed file, the changes and the suggestions left, as diet fix
// prints them. testdata/fix/NAME.context, when there is one, is the
// build context. Run with -update to rewrite them.
func TestFixGolden(t *testing.T) {
	t.Parallel()
	inputs, _ := filepath.Glob(filepath.Join("testdata", "story", "*.Dockerfile"))
	fixes, _ := filepath.Glob(filepath.Join("testdata", "fix", "*.Dockerfile"))
	for _, p := range append(inputs, fixes...) {
		name := strings.TrimSuffix(filepath.Base(p), ".Dockerfile")
		if strings.Contains(p, "story") {
			name = "story-" + name
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			src, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			// NAME.context, when there is one, is the build context.
			var opts []Option
			if ctx := strings.TrimSuffix(p, ".Dockerfile") + ".context"; isDir(ctx) {
				opts = append(opts, WithContextDir(ctx))
			}
			res := checkFix(t, "Dockerfile", src, opts...)
			var changes, suggestions bytes.Buffer
			for _, c := range res.Changes {
				fmt.Fprintf(&changes, "%s:%d: %s fixed: %s\n", c.File, c.Line, c.ID, c.Message)
			}
			for _, fd := range res.Suggestions {
				fmt.Fprintf(&suggestions, "%s:%d: %s suggestion: %s\n", fd.File, fd.Line, fd.ID, fd.Message)
			}
			got := txtar.Format(&txtar.Archive{
				Comment: []byte("diet fix " + p + "\n"),
				Files: []txtar.File{
					{Name: "Dockerfile", Data: res.Source},
					{Name: "changes", Data: changes.Bytes()},
					{Name: "suggestions", Data: suggestions.Bytes()},
				},
			})
			golden := filepath.Join("testdata", "fix", name+".golden")
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update)", err)
			}
			if diff := cmp.Diff(string(want), string(got)); diff != "" {
				t.Errorf("Fix(%s) (-want +got):\n%s", p, diff)
			}
		})
	}
}

func isDir(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}
