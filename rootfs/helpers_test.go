package rootfs

import (
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// extracted extracts img into a fresh directory.
func extracted(t testing.TB, img v1.Image) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "rootfs")
	t.Cleanup(func() { writable(dir) }) // before TempDir's own cleanup removes it
	if err := Extract(t.Context(), img, dir); err != nil {
		t.Fatalf("Extract: %v", err)
	}
	return dir
}

// writable opens the directories under dir to their owner, so that a
// test not running as root can remove the read-only ones an image has.
func writable(dir string) {
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() {
			os.Chmod(p, 0o755)
		}
		return nil
	})
}
