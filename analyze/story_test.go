package analyze_test

import (
	"path/filepath"
	"testing"

	"github.com/dietimage/diet/analyze"
	"github.com/dietimage/diet/image"
	"github.com/dietimage/diet/internal/fixture/example"
)

// TestExampleShowsTheStory analyses the bundled example image: the
// separate cleanup layer deletes caches and sources, and every byte it
// deletes is counted as waste, with the culprits it failed to remove.
func TestExampleShowsTheStory(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the example image")
	}
	path := filepath.Join(t.TempDir(), "example.tar")
	if err := example.Build(t.Context(), path); err != nil {
		t.Fatal(err)
	}
	img, err := image.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	r, err := analyze.Image(t.Context(), img)
	if err != nil {
		t.Fatal(err)
	}
	last := r.Layers[len(r.Layers)-1]
	if last.SizeBytes != 0 || last.RemovedBytes == 0 {
		t.Fatalf("cleanup layer %+v: want no bytes of its own and some removed", last)
	}
	var removedByCleanup int64
	for _, w := range r.Wasted {
		if w.Layer == last.Index {
			removedByCleanup += w.Bytes
		}
	}
	if removedByCleanup != last.RemovedBytes || r.WastedBytes != last.RemovedBytes {
		t.Errorf("waste %d, of which the cleanup removed %d; the cleanup layer says %d: every byte it deletes must be waste",
			r.WastedBytes, removedByCleanup, last.RemovedBytes)
	}

	removed := map[string]bool{}
	present := map[string]bool{}
	for _, c := range r.Culprits {
		if c.RemovedBy != nil && *c.RemovedBy == last.Index {
			removed[c.Category] = true
		} else if c.RemovedBy == nil {
			present[c.Category] = true
		}
	}
	for _, cat := range []string{"go-build-cache", "go-module-cache", "source-tree", "apt-archives", "apt-lists"} {
		if !removed[cat] {
			t.Errorf("no %s culprit removed by the cleanup layer; got %v", cat, removed)
		}
	}
	for _, cat := range []string{"toolchain-go", "unstripped-elf"} {
		if !present[cat] {
			t.Errorf("no %s culprit left in the image; got %v", cat, present)
		}
	}
	for _, id := range []string{"squash", "same-run-cleanup", "multi-stage", "strip-binaries"} {
		found := false
		for _, rec := range r.Recommendations {
			found = found || rec.ID == id && rec.SavesBytes > 0
		}
		if !found {
			t.Errorf("no %s recommendation with a byte figure", id)
		}
	}
}
