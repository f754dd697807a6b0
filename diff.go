package diet

import (
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"slices"
	"sync"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/dietimage/diet/diff"
	"github.com/dietimage/diet/image"
	"github.com/dietimage/diet/layerfs"
)

// Diff compares the images refA (before) and refB (after): the layers they
// share, and each path of their final filesystems added, removed or
// changed. Each image is read once, in one pass where [Analyze] would read
// it so. Contents are compared where they decide: a file of one size in
// both, written by different layer blobs, is hashed (the files of layers
// the other image does not hold while they are walked, the few others
// after). Errors are those of [Analyze].
func Diff(ctx context.Context, refA, refB string, opts ...Option) (*diff.Report, error) {
	o := makeOptions(opts)
	a, err := openSide(ctx, refA, &o)
	if err != nil {
		return nil, err
	}
	b, err := openSide(ctx, refB, &o)
	if err != nil {
		return nil, err
	}
	for _, s := range []struct{ side, other *side }{{a, b}, {b, a}} {
		if err := s.side.build(ctx, s.other, &o); err != nil {
			return nil, &InputError{Ref: s.side.Ref, Err: err}
		}
	}
	sides := map[*diff.Side]*side{&a.Side: a, &b.Side: b}
	r, err := diff.Compare(&a.Side, &b.Side, func(s *diff.Side, layer int, paths []string) (map[string]diff.Sum, error) {
		return sides[s].reread(ctx, layer, paths)
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

// side is one image of a diff as it is read.
type side struct {
	diff.Side
	img     v1.Image
	diffIDs []v1.Hash

	mu     sync.Mutex
	walks  []*layerfs.Walk
	walked map[v1.Hash]map[string]diff.Sum // a streamed blob's sums, by diff ID
}

func openSide(ctx context.Context, ref string, o *options) (*side, error) {
	s := &side{walked: map[v1.Hash]map[string]diff.Sum{}}
	s.Ref = ref
	img, err := image.Open(ctx, ref, append([]image.Option{image.WithStream(s.blob)}, o.image...)...)
	if err != nil {
		return nil, err
	}
	s.img = img
	if s.Config, err = img.ConfigFile(); err != nil {
		return nil, &InputError{Ref: ref, Err: fmt.Errorf("config: %w", err)}
	}
	id, err := img.ConfigName()
	if err != nil {
		return nil, &InputError{Ref: ref, Err: fmt.Errorf("config: %w", err)}
	}
	s.ID, s.diffIDs = id.String(), s.Config.RootFS.DiffIDs
	return s, nil
}

// blob walks a blob of a stream, hashing every file: which layers the
// other image holds is not known yet.
func (s *side) blob(ctx context.Context, _ string, r io.Reader) error {
	sums := map[string]diff.Sum{}
	w, err := layerfs.WalkBlob(ctx, r, layerfs.WithFileFunc(func(f *layerfs.File) error { return hashInto(sums, f) }))
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.walks = append(s.walks, w)
	s.walked[w.Layer().DiffID] = sums
	return nil
}

// build reads the layers s did not walk yet, hashing the files of those
// other does not hold, and merges the tree.
func (s *side) build(ctx context.Context, other *side, o *options) error {
	s.Sums = make([]map[string]diff.Sum, len(s.diffIDs))
	for i, d := range s.diffIDs {
		if !slices.Contains(other.diffIDs, d) {
			s.Sums[i] = map[string]diff.Sum{}
		}
	}
	bopts := []layerfs.Option{layerfs.WithWalks(s.walks...), layerfs.WithFileFunc(func(f *layerfs.File) error {
		if f.Layer < len(s.Sums) && s.Sums[f.Layer] != nil { // each layer writes its own map
			return hashInto(s.Sums[f.Layer], f)
		}
		return nil
	})}
	if o.jobs > 0 {
		bopts = append(bopts, layerfs.WithJobs(o.jobs))
	}
	t, err := layerfs.Build(ctx, s.img, bopts...)
	if err != nil {
		return err
	}
	s.Tree = t
	for i, l := range t.Layers {
		if sums, ok := s.walked[l.DiffID]; ok && i < len(s.Sums) {
			s.Sums[i] = sums
		}
	}
	return nil
}

// reread hashes the files paths of layer, reading the layer again.
func (s *side) reread(ctx context.Context, layer int, paths []string) (map[string]diff.Sum, error) {
	layers, err := s.img.Layers()
	if err != nil {
		return nil, err
	}
	want := map[string]bool{}
	for _, p := range paths {
		want[p] = true
	}
	sums := map[string]diff.Sum{}
	_, err = layerfs.BuildLayers(ctx, layers[layer:layer+1], layerfs.WithFileFunc(func(f *layerfs.File) error {
		if want[f.Path] {
			return hashInto(sums, f)
		}
		return nil
	}))
	return sums, err
}

// copyBuffers spare io.Copy a 32 KiB allocation for each of a layer's
// many small files.
var copyBuffers = sync.Pool{New: func() any { b := make([]byte, 32<<10); return &b }}

// hashInto records the sha256 of f, a regular file with content.
func hashInto(sums map[string]diff.Sum, f *layerfs.File) error {
	h := sha256.New()
	buf := copyBuffers.Get().(*[]byte)
	defer copyBuffers.Put(buf)
	if _, err := io.CopyBuffer(h, f.R, *buf); err != nil {
		return err
	}
	var s diff.Sum
	h.Sum(s[:0])
	sums[f.Path] = s
	return nil
}
