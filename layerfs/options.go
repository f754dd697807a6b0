package layerfs

import (
	"fmt"
	"io"
	"io/fs"
	"runtime"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// Option configures [Build].
type Option func(*options)

type options struct {
	jobs     int
	verify   bool
	file     FileFunc
	progress func(Progress)
	walks    map[v1.Hash]*walked // by diff ID
}

// FileFunc looks at the content of a regular file as the walk passes it. It
// runs on the walking layer's goroutine, so calls for different layers are
// concurrent. It may read as little of the file as it needs.
type FileFunc func(f *File) error

// File is a regular file met during the walk of one layer.
type File struct {
	Layer int    // -1 in a walk of a blob alone ([WalkBlob])
	Path  string // absolute and clean
	Size  int64
	Mode  fs.FileMode
	R     io.Reader   // the file's bytes, in order
	RA    io.ReaderAt // random access to them; nil when the layer is a stream
}

// Progress is reported as layers are merged.
type Progress struct {
	LayersDone, Layers int
	BytesDone          int64 // uncompressed tar bytes walked so far
}

// WithJobs sets how many layers are read at once (default GOMAXPROCS).
func WithJobs(n int) Option { return func(o *options) { o.jobs = n } }

// WithVerify reads every layer whole and checks its digest and diff ID, even
// where the walk could skip file bodies.
func WithVerify(b bool) Option { return func(o *options) { o.verify = b } }

// WithFileFunc calls f for every regular file with content.
func WithFileFunc(f FileFunc) Option { return func(o *options) { o.file = f } }

// WithProgress calls f after each layer is merged, from one goroutine. f
// must not block.
func WithProgress(f func(Progress)) Option { return func(o *options) { o.progress = f } }

func makeOptions(opts []Option) (options, error) {
	o := options{jobs: runtime.GOMAXPROCS(0)}
	for _, opt := range opts {
		opt(&o)
	}
	if o.jobs <= 0 {
		return o, fmt.Errorf("jobs must be positive, got %d", o.jobs)
	}
	return o, nil
}
