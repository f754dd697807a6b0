package layerfs

import (
	"context"
	"io"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// Walk is one layer blob read on its own, before its place in an image is
// known: a docker save stream holds its layers in an order of its own, and
// the manifest that orders them comes last. [WithWalks] hands walks to
// [Build], which merges them where the image's config names their diff IDs.
type Walk struct{ w *walked }

// Layer is what the walk learned of the blob; its Index is -1.
func (w *Walk) Layer() Layer { return w.w.layer }

// WalkBlob reads one layer blob (a tar, gzipped or zstd-compressed) from r
// to its end. It computes the blob's digest and diff ID: the second is how
// [Build] finds it. A [FileFunc] among opts sees its files with Layer -1.
func WalkBlob(ctx context.Context, r io.Reader, opts ...Option) (*Walk, error) {
	o, err := makeOptions(opts)
	if err != nil {
		return nil, err
	}
	w := &walked{layer: Layer{Index: -1, Compressed: -1}}
	if err := w.walkBlob(ctx, r, &o); err != nil {
		return nil, err
	}
	return &Walk{w}, nil
}

// WithWalks gives [Build] layers it need not read: a layer whose diff ID
// (as the image's config names it) is a walk's is taken from that walk.
func WithWalks(ws ...*Walk) Option {
	return func(o *options) {
		if o.walks == nil {
			o.walks = map[v1.Hash]*walked{}
		}
		for _, w := range ws {
			o.walks[w.w.layer.DiffID] = w.w
		}
	}
}

// walkedAs is the walk of diffID placed as layer idx, or nil. The copy
// shares the entries, which merging only reads, so that an image may hold
// the same layer twice.
func walkedAs(o *options, idx int, l v1.Layer, diffID v1.Hash) (*walked, error) {
	pre := o.walks[diffID]
	if pre == nil || diffID.Hex == "" {
		return nil, nil
	}
	w := *pre
	w.layer.Index = idx
	// A stored digest is checked; one the layer cannot tell without
	// reading its body (a classic archive's gzipped layer.tar) is the walk's.
	if w.layer.Compressed >= 0 {
		if d, err := l.Digest(); err == nil {
			if err := check(w.layer.Digest.String(), d); err != nil {
				return &w, err
			}
		}
	}
	return &w, nil
}
