package entry_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/dietimage/diet/entry"
	"github.com/dietimage/diet/internal/test/tartest"
	"github.com/dietimage/diet/rootfs"
)

// extract writes an image of the entries to a new directory: its rootfs.
func extract(t *testing.T, entries []tartest.Entry) string {
	t.Helper()
	img := tartest.Image(t, tartest.Step{CreatedBy: "COPY / /", Entries: entries})
	root := filepath.Join(t.TempDir(), "rootfs")
	if err := rootfs.Extract(t.Context(), img, root); err != nil {
		t.Fatal(err)
	}
	return root
}

// keeps checks that paths holds each of want and nothing at or below any of not.
func keeps(t *testing.T, accessed, paths, want, not []string) {
	t.Helper()
	for _, w := range want {
		if !slices.Contains(paths, w) {
			t.Errorf("Traced(%q) lacks %s", accessed, w)
		}
	}
	for _, n := range not {
		for _, p := range paths {
			if p == n || strings.HasPrefix(p, n+"/") {
				t.Errorf("Traced(%q) keeps %s", accessed, p)
			}
		}
	}
}

type pkg struct{ kind, name, path string }

func packagesOf(t *entry.Trace) []pkg {
	var out []pkg
	for _, p := range t.Packages {
		out = append(out, pkg{p.Kind, p.Name, p.Path})
	}
	return out
}

// TestTracedPythonNamespace: below a namespace package (a directory
// without __init__.py) the regular package is kept whole with the record
// of the distribution installing it, not the namespace nor its other
// packages: Debian's lazr (two egg-infos naming lazr, no file lists; the
// distribution's name tells), and a pip-installed google namespace (two
// dist-infos naming google; RECORD tells). A single module keeps its
// record (Debian's six).
func TestTracedPythonNamespace(t *testing.T) {
	h := tartest.NewHost(t).Etc()
	for _, p := range []string{dist + "/lazr/uri", dist + "/lazr/restfulclient", dist + "/lazr.uri-1.0.6.egg-info",
		dist + "/lazr.restfulclient-0.14.5.egg-info", dist + "/six.py", dist + "/six-1.16.0.egg-info"} {
		if _, err := os.Stat(p); err != nil {
			t.Skipf("this test copies Debian's Python packages from the host: %v", err)
		}
		h.AddTree(p)
	}
	if _, err := os.Stat(dist + "/lazr/__init__.py"); err == nil {
		t.Skipf("Debian's lazr is a namespace package: %s/lazr/__init__.py is there", dist)
	}
	site := "usr/local/lib/python3.11/site-packages"
	for _, e := range []tartest.Entry{
		tartest.Dir("usr/local"), tartest.Dir("usr/local/lib"), tartest.Dir("usr/local/lib/python3.11"), tartest.Dir(site),
		tartest.Dir(site + "/google"), tartest.Dir(site + "/google/protobuf"), tartest.Dir(site + "/google/protobuf/internal"),
		tartest.File(site+"/google/protobuf/__init__.py", "__version__ = '4.25.0'\n"),
		tartest.File(site+"/google/protobuf/message.py", "class Message: pass\n"),
		tartest.File(site+"/google/protobuf/internal/__init__.py", ""),
		tartest.File(site+"/google/protobuf/internal/lazy.py", "x = 1\n"),
		tartest.Dir(site + "/google/api"), tartest.File(site+"/google/api/__init__.py", ""),
		tartest.Dir(site + "/protobuf-4.25.0.dist-info"),
		tartest.File(site+"/protobuf-4.25.0.dist-info/METADATA", "Name: protobuf\n"),
		tartest.File(site+"/protobuf-4.25.0.dist-info/top_level.txt", "google\n"),
		tartest.File(site+"/protobuf-4.25.0.dist-info/RECORD", "google/protobuf/__init__.py,,\ngoogle/protobuf/message.py,,\n"+
			"google/protobuf/internal/__init__.py,,\ngoogle/protobuf/internal/lazy.py,,\nprotobuf-4.25.0.dist-info/RECORD,,\n"),
		tartest.Dir(site + "/googleapis_common_protos-1.6.dist-info"),
		tartest.File(site+"/googleapis_common_protos-1.6.dist-info/top_level.txt", "google\n"),
		tartest.File(site+"/googleapis_common_protos-1.6.dist-info/RECORD", "google/api/__init__.py,,\n"),
	} {
		h.Put(e)
	}
	root := extract(t, h.Entries())
	accessed := []string{dist + "/lazr/uri/_uri.py", "/" + site + "/google/protobuf/message.py", dist + "/six.py"}
	got, err := entry.Traced(os.DirFS(root), accessed, &v1.ConfigFile{})
	if err != nil {
		t.Fatal(err)
	}
	keeps(t, accessed, got.Paths, []string{
		dist + "/lazr/uri/__init__.py", dist + "/lazr.uri-1.0.6.egg-info/PKG-INFO",
		"/" + site + "/google/protobuf/internal/lazy.py", "/" + site + "/protobuf-4.25.0.dist-info/METADATA",
		dist + "/six.py", dist + "/six-1.16.0.egg-info/PKG-INFO",
	}, []string{
		dist + "/lazr/restfulclient", dist + "/lazr.restfulclient-0.14.5.egg-info",
		"/" + site + "/google/api", "/" + site + "/googleapis_common_protos-1.6.dist-info",
	})
	want := []pkg{
		{entry.PackagePython, "google.protobuf", "/" + site + "/google/protobuf"},
		{entry.PackagePython, "lazr.uri", dist + "/lazr/uri"},
		{entry.PackagePython, "six", dist + "/six.py"},
	}
	slices.SortFunc(want, func(a, b pkg) int { return strings.Compare(a.path, b.path) })
	if got := packagesOf(got); !slices.Equal(got, want) {
		t.Errorf("Traced(%q) packages = %v, want %v", accessed, got, want)
	}
}
