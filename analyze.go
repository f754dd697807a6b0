package diet

import (
	"context"

	"github.com/dietimage/diet/analyze"
	"github.com/dietimage/diet/image"
)

// Analyze opens the image ref names (any transport [image.Open] reads)
// and reports where its bytes go. An error opening it is an
// [*image.Error]; one reading it, an [*InputError]: both name ref.
func Analyze(ctx context.Context, ref string, opts ...Option) (*analyze.Report, error) {
	o := makeOptions(opts)
	img, err := image.Open(ctx, ref, o.image...)
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
	r, err := analyze.Image(ctx, img, append(aopts, o.analyze...)...)
	if err != nil {
		return nil, &InputError{Ref: ref, Err: err}
	}
	return r, nil
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
