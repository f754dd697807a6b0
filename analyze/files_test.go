package analyze

import (
	"archive/tar"
	"fmt"
	"io"
	"path"
	"slices"
	"strings"
	"testing"

	gcmp "github.com/google/go-cmp/cmp"

	"github.com/dietimage/diet/internal/test/tartest"
)

// TestFilesAgainstTar checks WithFiles against a walk of each layer's tar
// written here from archive/tar alone: whiteouts and opaque directories
// first, then the entries, a missing parent directory made on the way.
func TestFilesAgainstTar(t *testing.T) {
	f := tartest.File
	img := tartest.Layers(t,
		[]tartest.Entry{tartest.Dir("etc"), f("etc/a.conf", "aaaa"), f("usr/lib/x/lib.so", "0123456789"),
			f("usr/lib/x/data", "dd"), tartest.Symlink("usr/lib/y", "x"), f("var/log/l1", "log"), f("var/log/l2", "log2")},
		[]tartest.Entry{f("etc/a.conf", "aaaaaaaa"), tartest.Whiteout("usr/lib/x"), f("opt/app/bin", "app"),
			tartest.Hardlink("opt/app/bin2", "opt/app/bin")},
		[]tartest.Entry{tartest.Dir("var/log"), tartest.Opaque("var/log"), f("var/log/new", "n"), tartest.Whiteout("etc/a.conf"),
			tartest.Whiteout("nothing-here")},
	)
	r := analyse(t, img, WithFiles(true))
	layers, err := img.Layers()
	if err != nil {
		t.Fatal(err)
	}
	type version struct {
		typ  byte
		size int64
	}
	present := map[string]version{}
	below := func(dir string) (out []string) {
		for p := range present {
			if strings.HasPrefix(p, dir+"/") {
				out = append(out, p)
			}
		}
		return out
	}
	subtree := func(p string) (n int64) {
		for _, q := range append(below(p), p) {
			if v := present[q]; v.typ == tar.TypeReg {
				n += v.size
			}
		}
		return n
	}
	line := func(p, kind string, v version, bytes int64, cause string) string {
		return fmt.Sprintf("%s %s %c %d %s", kind, p, v.typ, bytes, cause)
	}
	for i, l := range layers {
		rc, err := l.Uncompressed()
		if err != nil {
			t.Fatal(err)
		}
		var entries []*tar.Header
		tr := tar.NewReader(rc)
		for {
			h, err := tr.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			entries = append(entries, h)
		}
		rc.Close()
		var want []string
		remove := func(p, cause, childCause string) {
			if _, ok := present[p]; !ok {
				return
			}
			want = append(want, line(p, "removed", present[p], subtree(p), cause))
			kids := below(p)
			for _, k := range kids {
				want = append(want, line(k, "removed", present[k], subtree(k), childCause))
			}
			for _, k := range kids {
				delete(present, k)
			}
			delete(present, p)
		}
		for _, h := range entries {
			name := "/" + strings.TrimSuffix(path.Clean(h.Name), "/")
			dir, base := path.Split(name)
			switch {
			case base == ".wh..wh..opq":
				for _, k := range below(path.Clean(dir)) {
					if _, ok := present[k]; ok && path.Dir(k) == path.Clean(dir) {
						remove(k, "opaque", "opaque")
					}
				}
			case strings.HasPrefix(base, ".wh."):
				remove(dir+strings.TrimPrefix(base, ".wh."), "whiteout", "parent")
			}
		}
		for _, h := range entries {
			name := "/" + strings.TrimSuffix(path.Clean(h.Name), "/")
			if strings.HasPrefix(path.Base(name), ".wh.") {
				continue
			}
			for d := path.Dir(name); d != "/"; d = path.Dir(d) {
				if _, ok := present[d]; !ok { // made for its children
					present[d] = version{tar.TypeDir, 0}
					want = append(want, line(d, "added", present[d], 0, ""))
				}
			}
			v := version{h.Typeflag, 0}
			if h.Typeflag == tar.TypeReg {
				v.size = h.Size
			}
			kind := "added"
			if _, ok := present[name]; ok {
				kind = "changed"
			}
			present[name] = v
			want = append(want, line(name, kind, v, v.size, ""))
		}
		var got []string
		for _, f := range *r.Layers[i].Files {
			typ := map[string]byte{"file": tar.TypeReg, "dir": tar.TypeDir, "symlink": tar.TypeSymlink, "hardlink": tar.TypeLink}[f.Type]
			got = append(got, line(f.Path, f.Kind, version{typ, 0}, f.Bytes, f.Cause))
		}
		slices.Sort(want)
		slices.Sort(got)
		if d := gcmp.Diff(want, got); d != "" {
			t.Errorf("layer %d files (-tar walk +analyze):\n%s", i, d)
		}
	}
}
