package slim

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/validate"

	"github.com/dietimage/diet/analyze"
	"github.com/dietimage/diet/internal/test/tartest"
	"github.com/dietimage/diet/layerfs"
)

// story is the story's mistake at small scale: a base, a build that leaves
// caches, and a separate RUN that deletes them.
func story(t *testing.T) v1.Image {
	img := tartest.Image(t,
		tartest.Step{CreatedBy: "/bin/sh -c #(nop) ADD file:0123 in / ", Entries: []tartest.Entry{
			tartest.Dir("etc"), tartest.File("etc/os-release", "ID=debian\n"), tartest.Sized("usr/lib/libc.so.6", 2000),
			tartest.Symlink("lib", "usr/lib"), tartest.Sized("var/lib/apt/lists/deb_Packages", 700), tartest.Dir("tmp"),
		}},
		tartest.Step{CreatedBy: `/bin/sh -c #(nop)  CMD ["bash"]`, Empty: true},
		tartest.Step{CreatedBy: "/bin/sh -c go build -o /usr/local/bin/app .", Entries: []tartest.Entry{
			tartest.Sized("root/go/pkg/mod/cache/download/x.zip", 3000), tartest.Sized("root/go/src/app/main.go", 500),
			tartest.Sized("root/.cache/go-build/00/abc-d", 2000), tartest.Exec("usr/local/bin/app", []byte("app!")),
			tartest.Sized("usr/share/doc/app/README", 300), tartest.Hardlink("usr/local/bin/app2", "usr/local/bin/app"),
		}},
		tartest.Step{CreatedBy: "/bin/sh -c rm -rf /root/go /root/.cache /var/lib/apt/lists/*", Entries: []tartest.Entry{
			tartest.Whiteout("root/go"), tartest.Whiteout("root/.cache"), tartest.Whiteout("var/lib/apt/lists/deb_Packages"),
		}},
		tartest.Step{CreatedBy: `/bin/sh -c #(nop)  ENTRYPOINT ["/usr/local/bin/app"]`, Empty: true},
	)
	img, err := mutate.Config(img, v1.Config{Entrypoint: []string{"/usr/local/bin/app"}, Env: []string{"PATH=/usr/bin"}})
	if err != nil {
		t.Fatal(err)
	}
	return img
}

func build(t *testing.T, img v1.Image) *layerfs.Tree {
	t.Helper()
	tr, err := layerfs.Build(t.Context(), img)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// final lists the present paths as "path type size mode link".
func final(t *testing.T, img v1.Image) []string {
	tr := build(t, img)
	var out []string
	for id := layerfs.ID(1); int(id) < tr.Len(); id++ {
		if n := tr.Stat(id); n.Present {
			out = append(out, fmt.Sprintf("%s %c %d %o %s", n.Path, n.Type, n.Size, n.Mode, n.Link))
		}
	}
	slices.Sort(out)
	return out
}

// report is out's report, or the test's end.
func report(t *testing.T, out *Image) *Report {
	t.Helper()
	r, err := out.Report()
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func slimmed(t *testing.T, img v1.Image, level Level, opts ...Option) (*Plan, *Image) {
	t.Helper()
	p, err := NewPlan(img, build(t, img), level, opts...)
	if err != nil {
		t.Fatal(err)
	}
	out, err := p.Rewrite(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { out.Close() })
	if err := validate.Image(out); err != nil {
		t.Fatalf("validate.Image: %v", err)
	}
	return p, out
}

func TestSquashKeepsBaseAndFinalFilesystem(t *testing.T) {
	img := story(t)
	p, out := slimmed(t, img, Squash)
	if p.KeepBase != 1 {
		t.Errorf("KeepBase = %d, want 1 (the layers before CMD [\"bash\"])", p.KeepBase)
	}
	if diff := cmp.Diff(final(t, img), final(t, out)); diff != "" {
		t.Errorf("final filesystem changed (-original +squashed):\n%s", diff)
	}
	before, _ := img.Layers()
	after, _ := out.Layers()
	if len(after) != 2 {
		t.Fatalf("squashed image has %d layers, want the base and one", len(after))
	}
	d0, _ := before[0].DiffID()
	d1, _ := after[0].DiffID()
	if d0 != d1 {
		t.Errorf("base layer changed: %s -> %s", d0, d1)
	}
	tr := build(t, out)
	if got := tr.Layers[1].FileBytes; got != 4+300 {
		t.Errorf("new layer holds %d file bytes, want the app and its README (304): caches and sources gone", got)
	}
	cf, _ := out.ConfigFile()
	if cf.Config.Entrypoint[0] != "/usr/local/bin/app" || cf.History[len(cf.History)-1].CreatedBy != "diet slim --level squash" {
		t.Errorf("config not carried over or history not told: %+v", cf.History)
	}
}

func TestPrune(t *testing.T) {
	img := story(t)
	p, out := slimmed(t, img, Prune, WithKeep("/usr/share/doc/keepme"))
	got := final(t, out)
	for _, s := range got {
		if strings.HasPrefix(s, "/usr/share/doc/app") {
			t.Errorf("docs kept: %s", s)
		}
	}
	if p.RemovedBytes != 300 || len(p.Removed) != 1 || p.Removed[0].Rule != "docs" {
		t.Errorf("removed %d bytes by %+v, want the 300-byte README by rule docs", p.RemovedBytes, p.Removed)
	}
}

// TestPruneOverBase: a newer version of a path the kept base layers hold,
// in a category prune removes, stays as the image has it: left out, the
// base's older version would show through (the example's cleanup
// recreates /var/lib/apt/lists/partial, 0700 in the base, as 0755).
func TestPruneOverBase(t *testing.T) {
	partial := tartest.Dir("var/lib/apt/lists/partial")
	partial.Mode = 0o700
	img := tartest.Image(t,
		tartest.Step{CreatedBy: "ADD base /", Entries: []tartest.Entry{
			partial, tartest.Sized("usr/share/doc/base/README", 100), tartest.Sized("etc/os-release", 10),
		}},
		tartest.Step{CreatedBy: `/bin/sh -c #(nop)  CMD ["bash"]`, Empty: true},
		tartest.Step{CreatedBy: "RUN apt-get update && rm -rf /var/lib/apt/lists/* && mkdir -p /var/lib/apt/lists/partial", Entries: []tartest.Entry{
			tartest.Whiteout("var/lib/apt/lists/partial"), tartest.Dir("var/lib/apt/lists/partial"),
			tartest.Sized("var/lib/apt/lists/deb_Packages", 400), tartest.Sized("usr/share/doc/base/README", 150),
			tartest.Sized("usr/share/doc/app/README", 300),
		}},
	)
	p, out := slimmed(t, img, Prune)
	var want []string
	for _, s := range final(t, img) {
		if !strings.HasPrefix(s, "/var/lib/apt/lists/deb_Packages ") && !strings.HasPrefix(s, "/usr/share/doc/app") {
			want = append(want, s)
		}
	}
	if diff := cmp.Diff(want, final(t, out)); diff != "" {
		t.Errorf("pruned filesystem, against the original without what prune removes (-want +got):\n%s", diff)
	}
	if p.RemovedBytes != 700 {
		t.Errorf("removed %d bytes by %+v, want the lists' 400 and the app's docs' 300", p.RemovedBytes, p.Removed)
	}
	// analyze promises what prune does.
	a, err := analyze.Image(t.Context(), img)
	if err != nil {
		t.Fatal(err)
	}
	if i := slices.IndexFunc(a.Recommendations, func(r analyze.Recommendation) bool { return r.ID == "slim-prune" }); i < 0 || a.Recommendations[i].SavesBytes != p.RemovedBytes {
		t.Errorf("analyze recommends %+v; want slim-prune saving the %d bytes prune removes", a.Recommendations, p.RemovedBytes)
	}
	r := report(t, out)
	if i := slices.IndexFunc(r.Kept, func(k Kept) bool { return k.Reason == ReasonOverBase }); i < 0 || r.Kept[i].Bytes != 150 || r.Kept[i].Files != 1 {
		t.Errorf("kept %+v, want the README over the base's, 150 bytes, as %s", r.Kept, ReasonOverBase)
	}
}

func TestMinimal(t *testing.T) {
	img := story(t)
	p, out := slimmed(t, img, Minimal, WithPaths([]string{"/usr/local/bin/app", "/usr/lib/libc.so.6", "/lib"}))
	want := []string{
		"/lib 2 0 777 usr/lib",
		"/usr 5 0 755 ",
		"/usr/lib 5 0 755 ",
		"/usr/lib/libc.so.6 0 2000 644 ",
		"/usr/local 5 0 755 ",
		"/usr/local/bin 5 0 755 ",
		"/usr/local/bin/app 0 4 755 ",
	}
	if diff := cmp.Diff(want, final(t, out)); diff != "" {
		t.Errorf("minimal filesystem (-want +got):\n%s", diff)
	}
	if layers, _ := out.Layers(); len(layers) != 1 || p.KeepBase != 0 {
		t.Errorf("minimal image has %d layers over %d base ones, want one on nothing", len(layers), p.KeepBase)
	}
}

func TestDeterministic(t *testing.T) {
	img := story(t)
	_, a := slimmed(t, img, Squash)
	_, b := slimmed(t, img, Squash)
	da, _ := a.Digest()
	db, _ := b.Digest()
	if da != db {
		t.Errorf("two runs give %s and %s", da, db)
	}
}

func TestReportSizes(t *testing.T) {
	img := story(t)
	_, out := slimmed(t, img, Squash)
	r := report(t, out)
	tr := build(t, out)
	var after int64
	for _, l := range tr.Layers {
		after += l.FileBytes + l.SymlinkBytes
	}
	if r.After.Bytes != after || r.Before.Bytes-r.After.Bytes != r.SavedBytes || r.SavedBytes != 3000+500+2000 {
		// The apt lists live in the base, which stays byte-identical: hidden, not saved.
		t.Errorf("report %+v; measured after %d; want 5500 saved (the deleted caches and sources)", r, after)
	}
}
