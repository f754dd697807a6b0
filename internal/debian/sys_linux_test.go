package debian

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

func TestUnescapeMount(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`/tmp/a`, `/tmp/a`},
		{`/tmp/with\040space`, `/tmp/with space`},
		{`/tmp/tab\011and\134slash`, "/tmp/tab\tand\\slash"},
		{`/tmp/short\04`, `/tmp/short\04`},
		{`/tmp/not\999octal`, `/tmp/not\999octal`},
	} {
		t.Run(tc.in, func(t *testing.T) {
			if got := unescapeMount(tc.in); got != tc.want {
				t.Errorf("unescapeMount(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

// TestRemoveTree removes a tree in which a directory outside it is bind
// mounted, as a killed debootstrap leaves the host's /proc: what the mount
// shows must survive.
func TestRemoveTree(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("mounting needs root")
	}
	keep := t.TempDir()
	if err := os.WriteFile(filepath.Join(keep, "file"), []byte("host"), 0o644); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "tree with space")
	bound := filepath.Join(dir, "proc")
	if err := os.MkdirAll(bound, 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("mount", "--bind", keep, bound).CombinedOutput(); err != nil {
		t.Skipf("mount --bind: %v: %s", err, out)
	}
	if err := removeTree(dir); err != nil {
		t.Fatalf("removeTree: %v", err)
	}
	if _, err := os.Lstat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("removeTree(%q) left it (%v)", dir, err)
	}
	if got, err := os.ReadFile(filepath.Join(keep, "file")); err != nil || string(got) != "host" {
		t.Errorf("removeTree reached through a mount: %s/file = %q, %v", keep, got, err)
	}
	if err := removeTree(dir); err != nil {
		t.Errorf("removeTree of a missing tree = %v", err)
	}
}
