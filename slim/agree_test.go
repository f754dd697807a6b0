package slim_test

import (
	"path/filepath"
	"testing"

	"github.com/dietimage/diet/analyze"
	"github.com/dietimage/diet/image"
	"github.com/dietimage/diet/internal/fixture/example"
	"github.com/dietimage/diet/layerfs"
	"github.com/dietimage/diet/slim"
)

// TestPruneDoesWhatAnalyzePromises builds the bundled example image,
// analyses it and prunes it: the bytes analyze's slim-prune recommendation
// promises are the bytes --level prune removes, neither more nor less.
func TestPruneDoesWhatAnalyzePromises(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the example image")
	}
	src := filepath.Join(t.TempDir(), "example.tar")
	if err := example.Build(t.Context(), src); err != nil {
		t.Fatal(err)
	}
	img, err := image.Open(t.Context(), src)
	if err != nil {
		t.Fatal(err)
	}
	r, err := analyze.Image(t.Context(), img)
	if err != nil {
		t.Fatal(err)
	}
	var promised int64
	for _, rec := range r.Recommendations {
		if rec.ID == "slim-prune" {
			promised = rec.SavesBytes
		}
	}
	tree, err := layerfs.Build(t.Context(), img)
	if err != nil {
		t.Fatal(err)
	}
	p, err := slim.NewPlan(img, tree, slim.Prune)
	if err != nil {
		t.Fatal(err)
	}
	if promised != p.RemovedBytes || promised == 0 {
		t.Errorf("analyze's slim-prune promises %d bytes, --level prune removes %d (%+v)", promised, p.RemovedBytes, p.Removed)
	}
}
