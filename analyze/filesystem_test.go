package analyze

import (
	"fmt"
	"regexp"
	"slices"
	"testing"

	gcmp "github.com/google/go-cmp/cmp"

	"github.com/dietimage/diet/internal/test/tartest"
)

// TestFilesystem walks the filesystem as of each layer and checks it
// against the report of the same analysis: the paths marked with what the
// layer did are the layer's files (WithFiles), and the bytes beneath the
// root as of the last layer are the tree's.
func TestFilesystem(t *testing.T) {
	f := tartest.File
	img := tartest.Layers(t,
		[]tartest.Entry{tartest.Dir("etc"), f("etc/a.conf", "aaaa"), f("usr/lib/x/lib.so", "0123456789"), f("var/log/l1", "log")},
		[]tartest.Entry{f("etc/a.conf", "aaaaaaaa"), tartest.Whiteout("usr/lib/x"), f("opt/app/bin", "app")},
		[]tartest.Entry{tartest.Opaque("var/log"), f("var/log/new", "n"), tartest.Whiteout("etc/a.conf")},
	)
	var fs *Filesystem
	r := analyse(t, img, WithFiles(true), WithFilesystem(func(f *Filesystem) { fs = f }))
	if fs == nil {
		t.Fatal("WithFilesystem handed nothing")
	}
	for layer := range r.Layers {
		var got, want []string
		var walk func(dir int)
		walk = func(dir int) {
			for _, n := range fs.Children(dir, layer, false) {
				if n.Kind != "" {
					got = append(got, n.Kind+" "+fs.Path(n.ID))
				}
				if n.Type == "dir" {
					walk(n.ID)
				}
			}
		}
		walk(fs.Root())
		for _, lf := range *r.Layers[layer].Files {
			want = append(want, lf.Kind+" "+lf.Path)
		}
		// Paths and kinds: a directory's bytes differ by design (beneath
		// it here, its own entry there).
		norm := func(s []string) []string {
			out := slices.Clone(s)
			for i, l := range out {
				var kind, p string
				fmt.Sscanf(l, "%s %s", &kind, &p)
				out[i] = kind + " " + p
			}
			slices.Sort(out)
			return out
		}
		if d := gcmp.Diff(norm(want), norm(got)); d != "" {
			t.Errorf("layer %d: paths marked (-files +filesystem):\n%s", layer, d)
		}
		// only: the same marked paths, and nothing unmarked but directories.
		var onlyMarked []string
		var walkOnly func(dir int)
		walkOnly = func(dir int) {
			for _, n := range fs.Children(dir, layer, true) {
				if n.Kind != "" {
					onlyMarked = append(onlyMarked, n.Kind+" "+fs.Path(n.ID))
				} else if n.Type != "dir" {
					t.Errorf("layer %d, only: %s shows, untouched", layer, fs.Path(n.ID))
				}
				if n.Type == "dir" {
					walkOnly(n.ID)
				}
			}
		}
		walkOnly(fs.Root())
		slices.Sort(onlyMarked)
		if d := gcmp.Diff(norm(want), onlyMarked); d != "" {
			t.Errorf("layer %d, only: (-files +filesystem):\n%s", layer, d)
		}
	}
	var root int64
	for _, n := range fs.Children(fs.Root(), len(r.Layers)-1, false) {
		if n.Kind != "removed" {
			root += n.Bytes
		}
	}
	if root != r.Tree.Bytes {
		t.Errorf("bytes beneath / as of the last layer: %d, the tree says %d", root, r.Tree.Bytes)
	}
	m := fs.Match(regexp.MustCompile(`/opt/app/bin$`), 2, false)
	for _, p := range []string{"/opt", "/opt/app", "/opt/app/bin"} {
		found := false
		for id := range m {
			found = found || fs.Path(id) == p
		}
		if !found {
			t.Errorf("Match /opt/app/bin$: %s missing", p)
		}
	}
}
