package entry

import "testing"

// TestValidNodeName: a dependency's name from a package.json, which may be
// hostile, is a package name or a scoped one, never a path.
func TestValidNodeName(t *testing.T) {
	for _, tc := range []struct {
		name string
		want bool
	}{
		{"express", true}, {"@npmcli/git", true}, {"lodash.merge", true},
		{"", false}, {".", false}, {"..", false}, {"../../etc", false}, {"a/b", false}, {"@scope", false},
		{"@/x", false}, {"@s/x/y", false}, {"@s/..", false}, {"/etc", false}, {"a\\..", false}, {"a\x00", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := validNodeName(tc.name); got != tc.want {
				t.Errorf("validNodeName(%q) = %v, want %v", tc.name, got, tc.want)
			}
		})
	}
}

// TestPythonPathDir: the directories whose packages are top-level ones.
func TestPythonPathDir(t *testing.T) {
	for _, tc := range []struct {
		dir  string
		want bool
	}{
		{"usr/lib/python3.11", true}, {"usr/lib/python3", true}, {"usr/local/lib/python2.7", true},
		{"usr/lib/python3/dist-packages", true}, {"opt/venv/lib/python3.12/site-packages", true},
		{"usr/lib/python", false}, {"usr/lib/python3.x", false}, {"usr/lib/python.3", false}, {"app/pythonic", false},
		{"usr/lib/python3/dist-packages/yaml", false},
	} {
		t.Run(tc.dir, func(t *testing.T) {
			if got := pythonPathDir(tc.dir); got != tc.want {
				t.Errorf("pythonPathDir(%q) = %v, want %v", tc.dir, got, tc.want)
			}
		})
	}
}
