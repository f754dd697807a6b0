package layerfs

import (
	"bytes"
	"errors"
	"io"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"

	"github.com/dietimage/diet/internal/test/tartest"
)

var errNoBody = errors.New("body not kept")

// bodiless is a layer whose blob cannot be read: all Build has of it is
// a walk.
type bodiless struct{ v1.Layer }

func (bodiless) Compressed() (io.ReadCloser, error)   { return nil, errNoBody }
func (bodiless) Uncompressed() (io.ReadCloser, error) { return nil, errNoBody }

// blobImage is an image of layers (one stored uncompressed, the rest
// gzipped, the first repeated on top) and the blob of each layer.
func blobImage(t *testing.T) (v1.Image, []v1.Layer, [][]byte) {
	f := tartest.File
	es := [][]tartest.Entry{
		{tartest.Dir("d"), f("d/a", "123"), f("d/e/b", "4567"), f("keep", "k")},
		{tartest.Whiteout("d/a"), f("bin/prog", string(bytes.Repeat([]byte{1}, 3000)))},
		{tartest.Opaque("d"), f("d/new", "6")},
	}
	var layers []v1.Layer
	var blobs [][]byte
	for i, e := range es {
		l := tartest.Layer(t, e...)
		if i == 1 { // read as an uncompressed archive serves it
			l = bytesLayer(t, tartest.Tar(e...), true)
		}
		layers = append(layers, l)
		blobs = append(blobs, read(t, l.Compressed))
	}
	blobs[1] = tartest.Tar(es[1]...) // the stored blob, not ggcr's gzip of it
	layers, blobs = append(layers, layers[0]), append(blobs, blobs[0])
	img, err := mutate.AppendLayers(empty.Image, layers...)
	if err != nil {
		t.Fatal(err)
	}
	return img, layers, blobs
}

func read(t *testing.T, open func() (io.ReadCloser, error)) []byte {
	t.Helper()
	rc, err := open()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestWalkBlobBuildsTheSameTree(t *testing.T) {
	img, layers, blobs := blobImage(t)
	want, err := Build(t.Context(), img)
	if err != nil {
		t.Fatal(err)
	}

	// The blobs arrive in an order of their own, the repeated one once.
	var walks []*Walk
	var files []File
	for _, i := range []int{2, 1, 0} {
		w, err := WalkBlob(t.Context(), bytes.NewReader(blobs[i]), WithFileFunc(func(f *File) error {
			files = append(files, File{Layer: f.Layer, Path: f.Path, Size: f.Size})
			return nil
		}))
		if err != nil {
			t.Fatalf("blob %d: %v", i, err)
		}
		if d, _ := layers[i].DiffID(); w.Layer().DiffID != d {
			t.Errorf("blob %d: diff ID %s, want %s", i, w.Layer().DiffID, d)
		}
		walks = append(walks, w)
	}
	if i := slices.IndexFunc(files, func(f File) bool { return f.Layer != -1 }); i >= 0 {
		t.Errorf("a blob's walk handed %+v, want Layer -1", files[i])
	}
	bare, err := mutate.AppendLayers(empty.Image, bodiless{layers[0]}, bodiless{layers[1]}, bodiless{layers[2]}, bodiless{layers[0]})
	if err != nil {
		t.Fatal(err)
	}
	got, err := Build(t.Context(), bare, WithWalks(walks...))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(state(want), state(got)); diff != "" {
		t.Errorf("tree (-read +walked):\n%s", diff)
	}
	if diff := cmp.Diff(history(want, "/d/a"), history(got, "/d/a")); diff != "" {
		t.Errorf("history of /d/a (-read +walked):\n%s", diff)
	}
	// Seekable is how the layer was read: as a section, or as a blob.
	if diff := cmp.Diff(want.Layers, got.Layers, cmpopts.IgnoreFields(Layer{}, "Seekable")); diff != "" {
		t.Errorf("layers (-read +walked):\n%s", diff)
	}
}

func TestWalksMissingOrWrong(t *testing.T) {
	_, layers, blobs := blobImage(t)
	w, err := WalkBlob(t.Context(), bytes.NewReader(blobs[0]))
	if err != nil {
		t.Fatal(err)
	}
	t.Run("a layer without a walk is read", func(t *testing.T) {
		img, _ := mutate.AppendLayers(empty.Image, bodiless{layers[0]}, bodiless{layers[2]})
		_, err := Build(t.Context(), img, WithWalks(w))
		var le *LayerError
		if !errors.As(err, &le) || le.Index != 1 || !errors.Is(err, errNoBody) {
			t.Errorf("got %v, want layer 1's body error", err)
		}
	})
	t.Run("a stored digest the blob does not have", func(t *testing.T) {
		img, _ := mutate.AppendLayers(empty.Image, otherDigest{bodiless{layers[0]}})
		_, err := Build(t.Context(), img, WithWalks(w))
		if !errors.Is(err, ErrDigestMismatch) {
			t.Errorf("got %v, want %v", err, ErrDigestMismatch)
		}
	})
	t.Run("a cut blob", func(t *testing.T) {
		_, err := WalkBlob(t.Context(), bytes.NewReader(blobs[0][:len(blobs[0])/2]))
		if !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Errorf("got %v, want %v", err, io.ErrUnexpectedEOF)
		}
	})
}

type otherDigest struct{ v1.Layer }

func (otherDigest) Digest() (v1.Hash, error) {
	return v1.NewHash("sha256:" + string(bytes.Repeat([]byte("0"), 64)))
}
