package layerfs

import (
	"archive/tar"
	"path"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/dietimage/diet/internal/test/tartest"
)

// FuzzLayerWalk feeds arbitrary bytes as the top layer over a fixed base:
// no panic, every path stays inside the root, and the tar's parts add up.
func FuzzLayerWalk(f *testing.F) {
	base := tartest.Tar(tartest.Dir("etc"), tartest.File("etc/passwd", "root:x:0:0::/root:/bin/sh\n"),
		tartest.File("usr/lib/libc.so.6", "elf"), tartest.Symlink("lib", "usr/lib"), tartest.Sized("var/cache/x", 3000))
	seeds := [][]tartest.Entry{
		{tartest.Whiteout("etc/passwd")},
		{tartest.Opaque("usr"), tartest.File("usr/new", "n")},
		{tartest.Whiteout("usr"), tartest.Hardlink("h", "etc/passwd")},
		{tartest.File("etc", "file over dir"), tartest.Symlink("x", "../../../")},
		{tartest.Dir("./"), tartest.Sized("var/cache/x", 10), tartest.Whiteout("var/cache/x")},
	}
	for _, s := range seeds {
		f.Add(tartest.Tar(s...), false)
	}
	f.Add(rawTar(&tar.Header{Name: "../x", Typeflag: tar.TypeReg}), true)
	f.Fuzz(func(t *testing.T, top []byte, seekable bool) {
		layers := []v1.Layer{bytesLayer(t, base, seekable), bytesLayer(t, top, seekable)}
		tr, err := BuildLayers(t.Context(), layers, WithJobs(1))
		if err != nil {
			return // refusing is fine; panicking or escaping is not
		}
		for id := ID(0); int(id) < tr.Len(); id++ {
			p := tr.Path(id)
			if !strings.HasPrefix(p, "/") || path.Clean(p) != p || strings.Contains(p, "/../") {
				t.Fatalf("path %q escapes or is not clean", p)
			}
		}
		for _, l := range tr.Layers {
			if l.FileBytes < 0 || l.HeaderBytes < 0 || l.PaddingBytes < 0 || l.TrailerBytes < 0 {
				t.Fatalf("negative figure in %+v", l)
			}
			if l.FileBytes+l.HeaderBytes+l.PaddingBytes+l.TrailerBytes != l.TarBytes {
				t.Fatalf("parts of layer %d do not add up: %+v", l.Index, l)
			}
		}
	})
}
