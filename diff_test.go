package diet_test

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/klauspost/compress/gzip"

	"github.com/dietimage/diet"
	"github.com/dietimage/diet/diff"
	"github.com/dietimage/diet/image"
	"github.com/dietimage/diet/internal/fixture/example"
	"github.com/dietimage/diet/internal/test/tartest"
	"github.com/dietimage/diet/rootfs"
	"github.com/dietimage/diet/slim"
)

// appVersions writes two versions of an app as docker save archives. v2
// adds a dependency (libb), drops the apt cache v1 left, rebuilds the
// server (same size, new content), changes its config (new size), makes a
// script executable, gives a data file to the app's user (COPY --chown),
// and overwrites a file of the shared base with one of the same size.
func appVersions(t *testing.T, dir string) (v1, v2 string) {
	f, x := tartest.File, tartest.Exec
	pad := func(s string) []byte { return append([]byte(s), bytes.Repeat([]byte{0}, 4096-len(s))...) }
	base := tartest.Step{CreatedBy: "ADD base /", Entries: []tartest.Entry{
		f("etc/os-release", "debian 12\n"), x("bin/sh", pad("sh")), f("usr/share/doc/x/README", "doc\n"),
	}}
	script := tartest.File("app/run.sh", "#!/bin/sh\nexec /app/server\n")
	seed := tartest.File("app/seed.txt", "seed\n")
	one := tartest.Image(t, base,
		tartest.Step{CreatedBy: "RUN apt-get install -y liba", Entries: []tartest.Entry{
			tartest.Sized("usr/lib/liba.so.1", 1000), tartest.Sized("var/cache/apt/archives/liba.deb", 5000),
			f("var/lib/apt/lists/list", strings.Repeat("l", 300)),
		}},
		tartest.Step{CreatedBy: "COPY . /app", Entries: []tartest.Entry{
			x("app/server", pad("server v1")), f("app/config.yaml", "port: 8080\n"), script, seed,
		}},
	)
	seed.UID, seed.GID = 1000, 1000
	script.Mode = 0o755
	two := tartest.Image(t, base,
		tartest.Step{CreatedBy: "RUN apt-get install -y liba libb && apt-get clean", Entries: []tartest.Entry{
			tartest.Sized("usr/lib/liba.so.1", 1000), tartest.Sized("usr/lib/libb.so.2", 2000),
			f("var/lib/apt/lists/list", strings.Repeat("l", 300)),
		}},
		tartest.Step{CreatedBy: "COPY . /app", Entries: []tartest.Entry{
			x("app/server", pad("server v2")), f("app/config.yaml", "port: 9090\nworkers: 4\n"), script, seed,
			f("etc/os-release", "debian 13\n"),
		}},
	)
	v1, v2 = filepath.Join(dir, "v1.tar"), filepath.Join(dir, "v2.tar")
	tartest.WriteDockerArchive(t, v1, one, "app:1")
	tartest.WriteDockerArchive(t, v2, two, "app:2")
	return v1, v2
}

func TestDiffAppVersions(t *testing.T) {
	dir := t.TempDir()
	v1, v2 := appVersions(t, dir)
	r, err := diet.Diff(t.Context(), v1, v2)
	if err != nil {
		t.Fatal(err)
	}
	paths := func(es []diff.Entry) (out []string) {
		for _, e := range es {
			out = append(out, e.Type+" "+e.Path)
		}
		return out
	}
	if diff := cmp.Diff([]string{"file /usr/lib/libb.so.2"}, paths(r.Added)); diff != "" {
		t.Errorf("added (-want +got):\n%s", diff)
	}
	wantRemoved := []string{"dir /var/cache", "dir /var/cache/apt", "dir /var/cache/apt/archives", "file /var/cache/apt/archives/liba.deb"}
	if diff := cmp.Diff(wantRemoved, paths(r.Removed)); diff != "" {
		t.Errorf("removed (-want +got):\n%s", diff)
	}
	var changed []string
	for _, c := range r.Changed {
		changed = append(changed, c.Path+" "+strings.Join(c.What, ","))
	}
	// liba.so.1 and the apt list are rewritten by another layer with the
	// same bytes: not changed. os-release is the base's in v1: its content
	// is read again to tell.
	wantChanged := []string{"/app/config.yaml size", "/app/run.sh mode", "/app/seed.txt owner", "/app/server content", "/etc/os-release content"}
	if diff := cmp.Diff(wantChanged, changed); diff != "" {
		t.Errorf("changed (-want +got):\n%s", diff)
	}
	if r.Size.Added != 2000 || r.Size.Removed != 5000 || r.Size.Changed != int64(len("port: 9090\nworkers: 4\n")-len("port: 8080\n")) {
		t.Errorf("bytes added %d, removed %d, changed %d", r.Size.Added, r.Size.Removed, r.Size.Changed)
	}
	if d := r.Size.Docker; d.Delta != d.B-d.A || d.Delta != 2000-5000+11+10 {
		t.Errorf("docker size %+v, want a change of %d", d, 2000-5000+11+10)
	}
	var sides []string
	for _, l := range r.Layers {
		sides = append(sides, l.Side)
	}
	if diff := cmp.Diff([]string{"both", "a", "a", "b", "b"}, sides); diff != "" {
		t.Errorf("layers (-want +got):\n%s", diff)
	}
	if r.History.Common != 2 || len(r.History.Removed) != 1 || len(r.History.Added) != 1 || r.History.Added[0] != "RUN apt-get install -y liba libb && apt-get clean" {
		t.Errorf("history %+v", r.History)
	}
	// /var and /var/cache changed only through /var/cache/apt: left out.
	if len(r.Dirs) != 3 || r.Dirs[0].Path != "/var/cache/apt" || r.Dirs[0].Delta != -5000 || r.Dirs[1].Path != "/usr/lib" {
		t.Errorf("dirs %+v, want /var/cache/apt at -5000, /usr/lib, /app", r.Dirs)
	}
	for _, c := range r.Changed {
		// os-release's v1 version lies in the shared base, which the
		// walk did not hash: it was read again.
		if (c.Path == "/app/server" || c.Path == "/etc/os-release") && (c.A.SHA256 == "" || c.A.SHA256 == c.B.SHA256) {
			t.Errorf("%s: sums %q %q, want two different", c.Path, c.A.SHA256, c.B.SHA256)
		}
		if c.Path == "/app/seed.txt" && (c.A.UID != 0 || c.A.GID != 0 || c.B.UID != 1000 || c.B.GID != 1000 || c.A.SHA256 != c.B.SHA256) {
			t.Errorf("%s: owners %d:%d → %d:%d, sums %q %q; want 0:0 → 1000:1000, one content", c.Path, c.A.UID, c.A.GID, c.B.UID, c.B.GID, c.A.SHA256, c.B.SHA256)
		}
	}

	// The same diff from a gzipped v2, read in one pass.
	gz := filepath.Join(dir, "v2.tar.gz")
	gzipTo(t, v2, gz)
	r2, err := diet.Diff(t.Context(), v1, gz)
	if err != nil {
		t.Fatal(err)
	}
	r2.B.Ref = r.B.Ref
	if diff := cmp.Diff(r, r2, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("diff with v2 read in one pass (-file +stream):\n%s", diff)
	}

	// An image against itself: nothing.
	same, err := diet.Diff(t.Context(), v2, gz)
	if err != nil {
		t.Fatal(err)
	}
	if len(same.Added)+len(same.Removed)+len(same.Changed) != 0 || same.Size.Docker.Delta != 0 || len(same.Layers) != 3 {
		t.Errorf("v2 against itself: %d added, %d removed, %d changed, %d layers", len(same.Added), len(same.Removed), len(same.Changed), len(same.Layers))
	}
}

func gzipTo(t *testing.T, in, out string) {
	t.Helper()
	b, err := os.ReadFile(in)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(b)
	zw.Close()
	if err := os.WriteFile(out, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestDiffExampleSlim compares the example image with its --level prune
// output and checks the diff against both filesystems unpacked by package
// rootfs, an independent reader: the paths only in the original are the
// removed ones, those only in the output the added ones, and the regular
// files and symlinks that differ on disk the changed ones.
func TestDiffExampleSlim(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "example.tar")
	if err := example.Build(t.Context(), src); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "pruned.tar")
	img, err := image.Open(t.Context(), src)
	if err != nil {
		t.Fatal(err)
	}
	s, _, err := diet.Slim(t.Context(), img, slim.Prune, diet.WithOutput("docker-archive:"+out))
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	r, err := diet.Diff(t.Context(), src, out)
	if err != nil {
		t.Fatal(err)
	}
	before, after := unpacked(t, src), unpacked(t, out)
	var removed, added, changed []string
	for p, fa := range before {
		fb, ok := after[p]
		switch {
		case !ok:
			removed = append(removed, p)
		case fa.Mode().IsRegular() && fb.Mode().IsRegular():
			if fa.Size() != fb.Size() || !sameFile(t, filepath.Join(dir, "a", p), filepath.Join(dir, "b", p)) {
				changed = append(changed, p)
			}
		}
	}
	for p := range after {
		if _, ok := before[p]; !ok {
			added = append(added, p)
		}
	}
	slices.Sort(removed)
	slices.Sort(added)
	slices.Sort(changed)
	paths := func(es []diff.Entry) (out []string) {
		for _, e := range es {
			out = append(out, e.Path)
		}
		return out
	}
	var gotChanged []string
	for _, c := range r.Changed {
		if c.A.Type == "file" && c.B.Type == "file" {
			gotChanged = append(gotChanged, c.Path)
		}
	}
	if len(removed) < 50 {
		t.Fatalf("prune removed %d paths of the example: the fixture no longer exercises diff", len(removed))
	}
	if d := cmp.Diff(removed, paths(r.Removed), cmpopts.EquateEmpty()); d != "" {
		t.Errorf("removed, against the unpacked filesystems (-unpacked +diff):\n%s", d)
	}
	if d := cmp.Diff(added, paths(r.Added), cmpopts.EquateEmpty()); d != "" {
		t.Errorf("added (-unpacked +diff):\n%s", d)
	}
	if d := cmp.Diff(changed, gotChanged, cmpopts.EquateEmpty()); d != "" {
		t.Errorf("changed files (-unpacked +diff):\n%s", d)
	}
}

// unpacked extracts the image at ref into a sibling directory of it (a
// for the first call, b for the second) and lists its paths.
func unpacked(t *testing.T, ref string) map[string]os.FileInfo {
	t.Helper()
	dir := filepath.Join(filepath.Dir(ref), "a")
	if _, err := os.Stat(dir); err == nil {
		dir = filepath.Join(filepath.Dir(ref), "b")
	}
	img, err := image.Open(t.Context(), ref)
	if err != nil {
		t.Fatal(err)
	}
	if err := rootfs.Extract(t.Context(), img, dir); err != nil {
		t.Fatal(err)
	}
	files := map[string]os.FileInfo{}
	err = filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil || p == dir {
			return err
		}
		files[strings.TrimPrefix(p, dir)] = fi
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func sameFile(t *testing.T, a, b string) bool {
	x, err := os.ReadFile(a)
	if err != nil {
		t.Fatal(err)
	}
	y, err := os.ReadFile(b)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.Equal(x, y)
}
