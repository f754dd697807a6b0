package dockerfile

import (
	"bytes"
	"slices"
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
			f, err := Parse("Dockerfile", []byte(tc.src))
			if err != nil {
				t.Fatalf("Parse(%q): %v", tc.src, err)
			}
			changes := map[string]bool{}
			for _, fd := range Lint(f, opts...) {
				changed, ok := changes[fd.ID]
				if !ok {
					res, err := Fix(f, append(slices.Clone(opts), WithFixOnly(fd.ID))...)
					if err != nil {
						t.Fatalf("Fix(%q): %v", tc.src, err)
					}
					changed = !bytes.Equal(res.Source, f.Source)
					changes[fd.ID] = changed
				}
				if fd.Fixable != changed {
					t.Errorf("Lint(%q): %s@%d fixable = %v, but Fix --only %s changes the file: %v", tc.src, fd.ID, fd.Line, fd.Fixable, fd.ID, changed)
				}
			}
		})
	}
}
