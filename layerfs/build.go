package layerfs

import (
	"context"
	"fmt"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"golang.org/x/sync/errgroup"
)

// Build reads every layer of img once and returns the merged tree.
func Build(ctx context.Context, img v1.Image, opts ...Option) (*Tree, error) {
	layers, err := img.Layers()
	if err != nil {
		return nil, fmt.Errorf("layers: %w", err)
	}
	// The config names each layer's diff ID. Asking a compressed layer
	// instead makes ggcr decompress it whole, a second time.
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	var diffIDs []v1.Hash
	if len(cf.RootFS.DiffIDs) == len(layers) {
		diffIDs = cf.RootFS.DiffIDs
	}
	return build(ctx, layers, diffIDs, opts)
}

// BuildLayers is [Build] for a list of layers, base first.
func BuildLayers(ctx context.Context, layers []v1.Layer, opts ...Option) (*Tree, error) {
	return build(ctx, layers, nil, opts)
}

func build(ctx context.Context, layers []v1.Layer, diffIDs []v1.Hash, opts []Option) (*Tree, error) {
	o, err := makeOptions(opts)
	if err != nil {
		return nil, err
	}
	if len(layers) > maxLayers {
		return nil, fmt.Errorf("%d layers: at most %d are supported", len(layers), maxLayers)
	}
	results := make([]*walked, len(layers))
	done := make([]chan struct{}, len(layers))
	for i := range done {
		done[i] = make(chan struct{})
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(o.jobs)
	launched := make(chan struct{})
	go func() { // SetLimit makes g.Go block: launch off the merging goroutine
		defer close(launched)
		for i, l := range layers {
			if gctx.Err() != nil {
				return
			}
			g.Go(func() error {
				var diffID v1.Hash
				if diffIDs != nil {
					diffID = diffIDs[i]
				}
				w, err := walkedAs(&o, i, l, diffID)
				if w == nil && err == nil {
					w, err = walkLayer(gctx, i, l, diffID, &o)
				}
				if err != nil {
					return &LayerError{Index: i, Digest: digestOf(l, w), Err: err}
				}
				results[i] = w
				close(done[i])
				return nil
			})
		}
	}()

	t := newTree()
	var bytesDone int64
	var mergeErr error
	for i := range layers {
		select {
		case <-done[i]:
		case <-gctx.Done():
		}
		if gctx.Err() != nil {
			break
		}
		w := results[i]
		results[i] = nil // the merged layer's entries can go
		if err := t.apply(w); err != nil {
			mergeErr = &LayerError{Index: i, Digest: w.layer.Digest.String(), Err: err}
			cancel()
			break
		}
		t.Layers = append(t.Layers, w.layer)
		bytesDone += w.layer.TarBytes
		if o.progress != nil {
			o.progress(Progress{LayersDone: i + 1, Layers: len(layers), BytesDone: bytesDone})
		}
	}
	<-launched
	werr := g.Wait()
	switch {
	case mergeErr != nil:
		return nil, mergeErr
	case werr != nil:
		return nil, werr
	case len(t.Layers) < len(layers): // cancelled between layers
		return nil, context.Cause(ctx)
	}
	return t, nil
}

// digestOf names a layer in an error as well as is known without new work.
func digestOf(l v1.Layer, w *walked) string {
	if w != nil && w.layer.DiffID.Hex != "" {
		return w.layer.Digest.String()
	}
	if d, err := l.DiffID(); err == nil {
		return d.String()
	}
	return "unknown"
}
