package image

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/dietimage/diet/internal/diskspace"
	"github.com/dietimage/diet/internal/test/tartest"
)

// freeBytes is what the filesystem of dir has free now.
func freeBytes(t *testing.T, dir string) int64 {
	t.Helper()
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil {
		t.Fatal(err)
	}
	return int64(st.Bavail) * int64(st.Bsize)
}

// TestOpenBomb opens a docker save | gzip of 128 KB that expands to
// 128 MiB, with a reserve that leaves 16 MiB to write: the spool stops at
// the reserve, with an error naming the input and matching ErrLow. (Other
// processes change the free space meanwhile, so the test wants the spool
// stopped well before the bomb's end, not at exactly 16 MiB.)
func TestOpenBomb(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "bomb.tar.gz")
	tartest.Bomb{N: 128 << 20, Outer: true}.Write(t, path)
	spool := t.TempDir()
	reserve := freeBytes(t, spool) - 16<<20
	_, err := Open(t.Context(), path, WithTempDir(spool), WithMinFree(reserve))
	if !errors.Is(err, diskspace.ErrLow) {
		t.Fatalf("Open(%s) = %v, want an error matching diskspace.ErrLow", path, err)
	}
	de, ok := errors.AsType[*diskspace.Error](err)
	if !ok || de.Written > 64<<20 {
		t.Errorf("Open(%s): %v: want the spool stopped long before 128 MiB", path, err)
	}
	if _, ok := errors.AsType[*Error](err); !ok {
		t.Errorf("Open(%s) = %T, want *Error naming the input", path, err)
	}
	// The same bomb with no reserve is read to the end: the check is what
	// stopped it, not the input.
	if testing.Short() {
		return
	}
	if _, err := Open(t.Context(), path, WithTempDir(spool), WithMinFree(0)); err != nil {
		t.Errorf("Open(%s, WithMinFree(0)) = %v, want the image", path, err)
	}
}

// TestWriteBomb writes, as an uncompressed docker-archive, an image whose
// gzipped layer expands to 128 MiB, with a reserve that leaves 16 MiB: the
// write stops at the reserve and leaves nothing at the target.
func TestWriteBomb(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "bomb.tar")
	tartest.Bomb{N: 128 << 20}.Write(t, path)
	img, err := Open(t.Context(), path, WithMinFree(0))
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "out.tar")
	reserve := freeBytes(t, filepath.Dir(out)) - 16<<20
	err = Write(t.Context(), img, "docker-archive:"+out, WithMinFree(reserve))
	if !errors.Is(err, diskspace.ErrLow) {
		t.Fatalf("Write(%s) = %v, want an error matching diskspace.ErrLow", out, err)
	}
	if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a refused write left %s: %v", out, err)
	}
}
