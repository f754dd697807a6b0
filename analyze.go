package diet

import (
	"context"
	"fmt"
	"runtime"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"golang.org/x/sync/errgroup"

	"github.com/dietimage/diet/analyze"
	"github.com/dietimage/diet/image"
)

// Analyze opens the image ref names (any transport [image.Open] reads)
// and reports where its bytes go. An error opening it is an
// [*image.Error]; one reading it, an [*InputError]: both name ref.
//
// A source [image.Open] would spool to a temporary file (the engine's save
// stream, a compressed or piped archive) is analysed in one pass as it is
// read ([image.WithStream]); image.WithStream(nil) among the WithImage
// options spools it instead.
func Analyze(ctx context.Context, ref string, opts ...Option) (*analyze.Report, error) {
	o := makeOptions(opts)
	// A source Open would spool (the engine's save stream, a compressed
	// or piped archive) is walked as it passes instead: the walks are the
	// analysis's layers.
	s, err := analyze.NewStream(o.analyze...)
	if err != nil {
		return nil, err
	}
	iopts := o.image
	if o.compressed == "" { // compressing needs the layers' bodies after the walk
		iopts = append([]image.Option{image.WithStream(s.Blob)}, iopts...)
	}
	img, err := image.Open(ctx, ref, iopts...)
	if err != nil {
		return nil, err
	}
	aopts := []analyze.Option{analyze.WithRef(ref)}
	if d, m, ok := image.Stored(img); ok {
		aopts = append(aopts, analyze.WithDigest(d.String()), analyze.WithManifestSize(int64(len(m))))
	}
	if o.jobs > 0 {
		aopts = append(aopts, analyze.WithJobs(o.jobs))
	}
	r, err := s.Image(ctx, img, aopts...)
	if err != nil {
		return nil, &InputError{Ref: ref, Err: err}
	}
	if o.compressed != "" {
		if err := compressed(ctx, img, r, o); err != nil {
			return nil, &InputError{Ref: ref, Err: err}
		}
	}
	return r, nil
}

// compressed fills in what pushing the layers img stores uncompressed
// would send, compressing o.jobs layers at once.
func compressed(ctx context.Context, img v1.Image, r *analyze.Report, o options) error {
	layers, err := img.Layers()
	if err != nil {
		return err
	}
	sizes := make([]int64, len(r.Layers))
	g, gctx := errgroup.WithContext(ctx)
	jobs := o.jobs
	if jobs <= 0 {
		jobs = runtime.GOMAXPROCS(0)
	}
	g.SetLimit(jobs)
	for i, l := range r.Layers {
		sizes[i] = -1
		if l.CompressedBytes != nil || i >= len(layers) {
			continue
		}
		g.Go(func() error {
			n, err := image.CompressedSize(gctx, layers[i], l.TarBytes, o.compressed)
			if err != nil {
				return fmt.Errorf("layer %d: %s: %w", i, o.compressed, err)
			}
			sizes[i] = n
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	r.SetCompressed(string(o.compressed), sizes)
	return nil
}

// InputError names the image a call failed on: the packages' errors name
// the layer and the entry, the caller knows what the user typed.
type InputError struct {
	Ref string
	Err error
}

func (e *InputError) Error() string { return e.Ref + ": " + e.Err.Error() }
func (e *InputError) Unwrap() error { return e.Err }

// RunError is a failure to run the original or the slimmed image for
// verification: the sandbox or the engine failed, not the image.
type RunError struct{ Err error }

func (e *RunError) Error() string { return e.Err.Error() }
func (e *RunError) Unwrap() error { return e.Err }
