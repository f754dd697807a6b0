package analyze

import (
	"errors"
	"io"
	"os"
	"os/exec"
	"slices"
	"testing"

	gcmp "github.com/google/go-cmp/cmp"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"

	"github.com/dietimage/diet/internal/test/tartest"
)

// bodiless is a layer whose blob cannot be read, as in an image opened
// from a stream.
type bodiless struct{ v1.Layer }

var errNoBody = errors.New("body not kept")

func (bodiless) Compressed() (io.ReadCloser, error)   { return nil, errNoBody }
func (bodiless) Uncompressed() (io.ReadCloser, error) { return nil, errNoBody }

// TestStreamIsImage analyses an image whose blobs pass in reverse order,
// before the image that orders them, and expects the report Image gives of
// the same image read layer by layer: the findings that read file bodies
// (an unstripped program, duplicates) land on the right layers.
func TestStreamIsImage(t *testing.T) {
	goTool, err := exec.LookPath("go") // Go ships its tools unstripped
	if err != nil {
		t.Fatal(err)
	}
	prog, err := os.ReadFile(goTool)
	if err != nil {
		t.Fatal(err)
	}
	img := tartest.Layers(t,
		[]tartest.Entry{tartest.File("a/x", "same content"), tartest.File("b/y", "other")},
		[]tartest.Entry{tartest.Exec("usr/local/bin/app", prog), tartest.File("c/z", "same content")},
		[]tartest.Entry{tartest.Whiteout("a/x")},
	)
	want := analyse(t, img, WithDuplicates(true))
	if !slices.ContainsFunc(want.Culprits, func(c Culprit) bool { return c.Category == "unstripped-elf" && c.Layer == 1 }) {
		t.Fatalf("the fixture's program is no unstripped-elf culprit of layer 1: %+v", want.Culprits)
	}

	var progress []Progress
	s, err := NewStream(WithDuplicates(true), WithProgress(func(p Progress) { progress = append(progress, p) }))
	if err != nil {
		t.Fatal(err)
	}
	layers, err := img.Layers()
	if err != nil {
		t.Fatal(err)
	}
	var bare []v1.Layer
	for i := len(layers) - 1; i >= 0; i-- {
		rc, err := layers[i].Compressed()
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Blob(t.Context(), "blob", rc); err != nil {
			t.Fatal(err)
		}
		rc.Close()
		bare = append([]v1.Layer{bodiless{layers[i]}}, bare...)
	}
	if len(progress) != len(layers) || progress[0].Layers != 0 || progress[len(progress)-1].LayersDone != len(layers) {
		t.Errorf("progress while the stream is read: %+v, want one per blob with Layers 0", progress)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	streamed, err := mutate.AppendLayers(empty.Image, bare...)
	if err == nil {
		streamed, err = mutate.ConfigFile(streamed, cf)
	}
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Image(t.Context(), streamed)
	if err != nil {
		t.Fatal(err)
	}
	if diff := gcmp.Diff(want, got); diff != "" {
		t.Errorf("report of the stream (-read +streamed):\n%s", diff)
	}
	if _, err := s.Image(t.Context(), streamed, WithDuplicates(false)); err == nil {
		t.Error("Stream.Image with another WithDuplicates than the walks had: no error")
	}
}
