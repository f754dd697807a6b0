//go:build unix

package atomicfile

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestCommitFifo: a target that became a fifo while the file was written
// stays a fifo.
func TestCommitFifo(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "out.tar")
	f, err := Create(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Abort()
	if err := syscall.Mkfifo(name, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := f.Commit(t.Context(), 0o644); !errors.Is(err, ErrNotRegular) {
		t.Errorf("Commit over a fifo = %v, want ErrNotRegular", err)
	}
	if fi, err := os.Lstat(name); err != nil || fi.Mode().Type() != os.ModeNamedPipe {
		t.Errorf("the fifo is now %v (%v)", fi.Mode(), err)
	}
	only(t, dir, "out.tar")
}
