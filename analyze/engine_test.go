package analyze_test

import (
	"path/filepath"
	"strconv"
	"testing"

	"github.com/dietimage/diet/analyze"
	"github.com/dietimage/diet/image"
	"github.com/dietimage/diet/internal/test/enginetest"
	"github.com/dietimage/diet/internal/test/tartest"
)

// TestSizeMatchesEngine loads an image into the real engine and compares
// its Size with ours. What the engine counts depends on its storage driver
// (../shared/notes/size-accounting.md): overlay2 and fuse-overlayfs (seen
// on Engine 20.10) sum the stored files' sizes, symlink target lengths
// included, hard links once; drivers using the naive diff sum tar header
// sizes, where symlinks count 0.
func TestSizeMatchesEngine(t *testing.T) {
	driver := enginetest.Require(t)
	img := tartest.Image(t,
		tartest.Step{CreatedBy: "base", Entries: []tartest.Entry{
			tartest.Dir("etc"), tartest.File("etc/hostname", "diet\n"), tartest.Sized("usr/lib/libx.so.1.2", 70_001),
			tartest.Symlink("usr/lib/libx.so.1", "libx.so.1.2"), tartest.Hardlink("usr/lib/libx-copy", "usr/lib/libx.so.1.2"),
		}},
		tartest.Step{CreatedBy: "cache", Entries: []tartest.Entry{tartest.Sized("var/cache/apt/archives/x.deb", 12_345), tartest.Symlink("lib", "usr/lib")}},
		tartest.Step{CreatedBy: "cleanup", Entries: []tartest.Entry{tartest.Whiteout("var/cache/apt/archives/x.deb"), tartest.File("etc/hostname", "slim\n")}},
	)
	path := filepath.Join(t.TempDir(), "img.tar")
	const tag = "diet-test/accounting:1"
	tartest.WriteDockerArchive(t, path, img, tag)
	enginetest.Load(t, path, tag)
	got, err := strconv.ParseInt(enginetest.Docker(t, "image", "inspect", "--format", "{{.Size}}", tag), 10, 64)
	if err != nil {
		t.Fatal(err)
	}

	src, err := image.Open(t.Context(), "docker-archive:"+path)
	if err != nil {
		t.Fatal(err)
	}
	r, err := analyze.Image(t.Context(), src)
	if err != nil {
		t.Fatal(err)
	}
	want, rule := r.Size.UncompressedBytes, "file bytes + symlink targets ("+driver+")"
	if driver != "overlay2" && driver != "fuse-overlayfs" {
		want, rule = r.Accounting.FileBytes, "tar file bytes (naive diff, "+driver+")"
	}
	if got != want {
		t.Errorf("docker image inspect .Size = %d, diet says %d by %s", got, want, rule)
	}
	t.Logf("engine driver %s: .Size %d; diet: uncompressed %d, file bytes %d, symlink bytes %d",
		driver, got, r.Size.UncompressedBytes, r.Accounting.FileBytes, r.Accounting.SymlinkBytes)
}
