package dockerfile

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestFixableMeansFixed: for every case of the rule table, a finding is
// marked fixable exactly when diet fix, limited to its rule, changes the
// file. diet lint --format json reports the flag, so a user who sees
// fixable: true must get a rewrite from diet fix.
func TestFixableMeansFixed(t *testing.T) {
	t.Parallel()
	for _, tc := range ruleCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			opts := tc.opts
			if tc.ctx != "" {
				opts = append(slices.Clone(opts), WithContextDir(t.TempDir()))
			}
			checkFixable(t, tc.src, opts...)
		})
	}
}

// TestFixableMeansFixedFiles is TestFixableMeansFixed on the story's
// Dockerfiles and those of the fix goldens, with their build contexts.
func TestFixableMeansFixedFiles(t *testing.T) {
	t.Parallel()
	inputs, _ := filepath.Glob(filepath.Join("testdata", "story", "*.Dockerfile"))
	fixes, _ := filepath.Glob(filepath.Join("testdata", "fix", "*.Dockerfile"))
	for _, p := range append(inputs, fixes...) {
		t.Run(p, func(t *testing.T) {
			t.Parallel()
			src, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			var opts []Option
			if ctx := strings.TrimSuffix(p, ".Dockerfile") + ".context"; isDir(ctx) {
				opts = append(opts, WithContextDir(ctx))
			}
			checkFixable(t, string(src), opts...)
		})
	}
}

// TestFixableMeansFixedIssue9 holds the findings issue 9 found marked
// fixable that diet fix only suggested: apt lists of an update in an
// earlier RUN than the install (DIET201), and a chown -R of a directory
// named "." (DIET103).
func TestFixableMeansFixedIssue9(t *testing.T) {
	t.Parallel()
	for _, src := range []string{
		"FROM debian\nRUN apt-get update\nRUN apt-get install -y --no-install-recommends curl\n",
		"FROM debian\nWORKDIR /app\nCOPY . .\nRUN chown -R 1000:1000 .\n",
	} {
		checkFixable(t, src)
	}
}

// checkFixable checks that each finding of src is fixable exactly when
// Fix, limited to its rule, changes the file.
func checkFixable(t *testing.T, src string, opts ...Option) {
	t.Helper()
	f, err := Parse("Dockerfile", []byte(src))
	if err != nil {
		t.Fatalf("Parse(%q): %v", src, err)
	}
	changes := map[string]bool{}
	for _, fd := range Lint(f, opts...) {
		changed, ok := changes[fd.ID]
		if !ok {
			res, err := Fix(f, append(slices.Clone(opts), WithFixOnly(fd.ID))...)
			if err != nil {
				t.Fatalf("Fix(%q): %v", src, err)
			}
			changed = !bytes.Equal(res.Source, f.Source)
			changes[fd.ID] = changed
		}
		if fd.Fixable != changed {
			t.Errorf("Lint(%q): %s@%d fixable = %v, but Fix --only %s changes the file: %v", src, fd.ID, fd.Line, fd.Fixable, fd.ID, changed)
		}
	}
}
