//go:build unix

package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestFixWriteKeepsOwner fixes, with -w, a file owned by another user and
// group: the replacement must keep both, as editing it in place would.
// Only root can give a file away, so the test needs root.
func TestFixWriteKeepsOwner(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to chown the Dockerfile to another user")
	}
	name := filepath.Join(t.TempDir(), "Dockerfile")
	if err := os.WriteFile(name, []byte("FROM alpine:3.20\nRUN apk update && apk add curl\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	const uid, gid = 4321, 8765
	if err := os.Chown(name, uid, gid); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	if code := run(t.Context(), []string{"fix", "-w", name}, &stdout, &stderr); code != exitOK {
		t.Fatalf("diet fix -w = %d, want 0; stderr:\n%s", code, stderr.String())
	}
	fi, err := os.Stat(name)
	if err != nil {
		t.Fatal(err)
	}
	st := fi.Sys().(*syscall.Stat_t)
	if st.Uid != uid || st.Gid != gid {
		t.Errorf("after diet fix -w: owner %d:%d, want %d:%d", st.Uid, st.Gid, uid, gid)
	}
	if got, _ := os.ReadFile(name); !bytes.Contains(got, []byte("--no-cache")) {
		t.Errorf("after diet fix -w: %q, want the fix written", got)
	}
}
