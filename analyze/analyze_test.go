package analyze

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"testing"

	gcmp "github.com/google/go-cmp/cmp"
	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/dietimage/diet/internal/test/tartest"
)

func analyse(t *testing.T, img v1.Image, opts ...Option) *Report {
	t.Helper()
	r, err := Image(t.Context(), img, opts...)
	if err != nil {
		t.Fatalf("Image() = %v", err)
	}
	return r
}

// TestSeparateCleanupIsWaste is the story's mistake: a later RUN deletes the
// caches, and every byte it deletes is still shipped.
func TestSeparateCleanupIsWaste(t *testing.T) {
	img := tartest.Image(t,
		tartest.Step{CreatedBy: "/bin/sh -c #(nop) ADD file:base in /", Entries: []tartest.Entry{tartest.File("etc/os-release", "ID=debian\n")}},
		tartest.Step{CreatedBy: "/bin/sh -c #(nop)  ENV GOPATH=/root/go", Empty: true},
		tartest.Step{CreatedBy: "/bin/sh -c go build ./...", Entries: []tartest.Entry{
			tartest.Sized("root/go/pkg/mod/cache/download/x.zip", 3000),
			tartest.Sized("root/go/src/example.com/app/main.go", 500),
			tartest.Sized("root/.cache/go-build/00/abc-d", 2000),
			tartest.Sized("usr/local/bin/app", 7000),
		}},
		tartest.Step{CreatedBy: "/bin/sh -c rm -rf /root/go /root/.cache", Entries: []tartest.Entry{
			tartest.Whiteout("root/go"), tartest.Dir("root"), tartest.Whiteout("root/.cache"),
		}},
		tartest.Step{CreatedBy: `/bin/sh -c #(nop)  CMD ["app"]`, Empty: true},
	)
	r := analyse(t, img)

	if r.WastedBytes != 5500 {
		t.Errorf("WastedBytes = %d, want 5500 (every byte the cleanup deletes)", r.WastedBytes)
	}
	var got []string
	for _, w := range r.Wasted {
		got = append(got, fmt.Sprintf("%s %d L%d<-L%d %s", w.Path, w.Bytes, w.Layer, w.AddedIn, w.Reason))
	}
	want := []string{
		"/root/go/pkg/mod/cache/download/x.zip 3000 L2<-L1 deleted",
		"/root/.cache/go-build/00/abc-d 2000 L2<-L1 deleted",
		"/root/go/src/example.com/app/main.go 500 L2<-L1 deleted",
	}
	if diff := gcmp.Diff(want, got); diff != "" {
		t.Errorf("Wasted (-want +got):\n%s", diff)
	}
	if l := r.Layers[2]; l.CreatedBy != "/bin/sh -c rm -rf /root/go /root/.cache" || l.RemovedBytes != 5500 {
		t.Errorf("layer 2 = %q removing %d, want the cleanup removing 5500", l.CreatedBy, l.RemovedBytes)
	}
	if r.Layers[1].WastedBytes != 5500 || r.Size.FinalBytes != 7010 {
		t.Errorf("layer 1 wasted %d, final %d; want 5500 and 7010", r.Layers[1].WastedBytes, r.Size.FinalBytes)
	}
	cats := map[string]int64{}
	for _, c := range r.Culprits {
		if c.RemovedBy == nil || *c.RemovedBy != 2 {
			t.Errorf("culprit %+v: want removed by layer 2", c)
		}
		cats[c.Category] += c.Bytes
	}
	if diff := gcmp.Diff(map[string]int64{"go-module-cache": 3000, "go-build-cache": 2000, "source-tree": 500}, cats); diff != "" {
		t.Errorf("culprit bytes by category (-want +got):\n%s", diff)
	}
	rec := recByID(r, "same-run-cleanup")
	if rec == nil || rec.SavesBytes != 5500 || !strings.Contains(rec.Action, "layer 1") {
		t.Errorf("same-run-cleanup = %+v, want 5500 bytes pointing at layer 1", rec)
	}
}

func recByID(r *Report, id string) *Recommendation {
	for i := range r.Recommendations {
		if r.Recommendations[i].ID == id {
			return &r.Recommendations[i]
		}
	}
	return nil
}

func TestEveryRecommendationSavesBytes(t *testing.T) {
	img := tartest.Image(t,
		tartest.Step{CreatedBy: "/bin/sh -c #(nop) ADD file:0123 in / ", Entries: []tartest.Entry{tartest.Sized("usr/share/doc/x/changelog.Debian.gz", 900), tartest.Sized("var/lib/apt/lists/deb_Packages", 4000)}},
		tartest.Step{CreatedBy: "apt-get install gcc", Entries: []tartest.Entry{tartest.Sized("usr/lib/gcc/x86_64-linux-gnu/12/cc1", 9000), tartest.Sized("usr/include/stdio.h", 100)}},
	)
	r := analyse(t, img)
	for _, rec := range r.Recommendations {
		if rec.SavesBytes <= 0 || rec.Action == "" {
			t.Errorf("recommendation %+v: want a byte figure and an action", rec)
		}
	}
	// Prune keeps the base layer byte-identical: its docs and apt lists stay.
	for id, want := range map[string]int64{"multi-stage": 9100, "apt-clean-lists": 4000, "slim-prune": 9100} {
		if rec := recByID(r, id); rec == nil || rec.SavesBytes != want {
			t.Errorf("recommendation %s = %+v, want %d bytes", id, rec, want)
		}
	}
	if recByID(r, "squash") != nil {
		t.Errorf("squash recommended for an image without waste")
	}
}

func TestHistoryAlignment(t *testing.T) {
	img := tartest.Image(t,
		tartest.Step{CreatedBy: "ADD rootfs", Entries: []tartest.Entry{tartest.File("a", "1")}},
		tartest.Step{CreatedBy: "ENV A=1", Empty: true},
		tartest.Step{CreatedBy: "WORKDIR /x", Empty: true},
		tartest.Step{CreatedBy: "RUN make", Entries: []tartest.Entry{tartest.File("b", "22")}},
		tartest.Step{CreatedBy: "CMD x", Empty: true},
	)
	r := analyse(t, img)
	var got []string
	for _, l := range r.Layers {
		got = append(got, fmt.Sprintf("%d %s %d", l.Index, l.CreatedBy, l.SizeBytes))
	}
	if diff := gcmp.Diff([]string{"0 ADD rootfs 1", "1 RUN make 2"}, got); diff != "" {
		t.Errorf("layers (-want +got):\n%s", diff)
	}
}

func TestDirTree(t *testing.T) {
	img := tartest.Layers(t, []tartest.Entry{
		tartest.Sized("usr/lib/a", 100), tartest.Sized("usr/lib/b", 50), tartest.Sized("usr/bin/c", 30),
		tartest.Sized("etc/x", 5), tartest.Hardlink("usr/bin/d", "usr/bin/c"), tartest.Symlink("lib", "usr/lib"),
	})
	r, err := Image(t.Context(), img, WithTree(2, 1))
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		Path         string
		Bytes, Other int64
		Files        int
	}
	var got []row
	var walk func(d *Dir)
	walk = func(d *Dir) {
		got = append(got, row{d.Path, d.Bytes, d.OtherBytes, d.Files})
		for _, c := range d.Children {
			walk(c)
		}
	}
	walk(r.Tree)
	want := []row{{"/", 185, 5, 5}, {"/usr", 180, 30, 4}, {"/usr/lib", 150, 0, 2}}
	if diff := gcmp.Diff(want, got); diff != "" {
		t.Errorf("tree (-want +got):\n%s", diff)
	}
	if r.Size.FinalBytes != 185+7 {
		t.Errorf("FinalBytes = %d, want file bytes + symlink target length = 192", r.Size.FinalBytes)
	}
}

func TestDuplicates(t *testing.T) {
	img := tartest.Layers(t,
		[]tartest.Entry{tartest.File("a/x", "same content"), tartest.File("b/y", "other")},
		[]tartest.Entry{tartest.File("c/z", "same content"), tartest.File("a/x", "same content")},
	)
	if r := analyse(t, img); r.Duplicates != nil {
		t.Errorf("Duplicates = %v without WithDuplicates, want nil", r.Duplicates)
	}
	r := analyse(t, img, WithDuplicates(true))
	if len(r.Duplicates) != 1 {
		t.Fatalf("Duplicates = %+v, want one group", r.Duplicates)
	}
	d := r.Duplicates[0]
	want := []Location{{"/a/x", 0}, {"/a/x", 1}, {"/c/z", 1}}
	if diff := gcmp.Diff(want, d.Copies); diff != "" || d.WastedBytes != 24 {
		t.Errorf("copies (-want +got):\n%s wasted %d, want 24", diff, d.WastedBytes)
	}
}

// sorted reports whether the report's lists come out in a stable order.
func sorted[T any](s []T, f func(a, b T) int) bool { return slices.IsSortedFunc(s, f) }

var _ = cmp.Compare[int]
