package analyze

import (
	"fmt"
	"runtime"
)

// Option configures [Image].
type Option func(*options)

type options struct {
	ref           string
	digest        string
	manifestBytes int64
	jobs          int
	duplicates    bool
	verify        bool
	files         bool
	filesystem    func(*Filesystem)
	treeDepth     int
	treeTop       int
	progress      func(Progress)
}

// Progress reports layers done so far; it is called from one goroutine.
// While a [Stream] is read, Layers is 0: the count is known at its end.
type Progress struct {
	LayersDone, Layers int
	BytesDone          int64
}

// WithRef records how the user named the image.
func WithRef(ref string) Option { return func(o *options) { o.ref = ref } }

// WithDigest records the manifest digest, when the source knows it cheaply.
func WithDigest(d string) Option { return func(o *options) { o.digest = d } }

// WithManifestSize records the size of the manifest, when the source stores one.
func WithManifestSize(n int64) Option { return func(o *options) { o.manifestBytes = n } }

// WithJobs sets how many layers are read at once (default GOMAXPROCS).
func WithJobs(n int) Option { return func(o *options) { o.jobs = n } }

// WithDuplicates hashes file contents to find duplicates.
func WithDuplicates(b bool) Option { return func(o *options) { o.duplicates = b } }

// WithFiles lists each layer's added, changed and removed paths in
// [Layer.Files]: a line a path, so the report grows with the image.
func WithFiles(b bool) Option { return func(o *options) { o.files = b } }

// WithFilesystem hands f the merged filesystem of the analysed image, for
// a caller that walks it: it holds memory in proportion to the paths for
// as long as the caller keeps it.
func WithFilesystem(f func(*Filesystem)) Option { return func(o *options) { o.filesystem = f } }

// WithVerify reads every layer whole and checks its digest.
func WithVerify(b bool) Option { return func(o *options) { o.verify = b } }

// WithTree sets the depth and the number of children per directory kept in
// [Report.Tree].
func WithTree(depth, top int) Option {
	return func(o *options) { o.treeDepth, o.treeTop = depth, top }
}

// WithProgress calls f as layers complete. f must not block.
func WithProgress(f func(Progress)) Option { return func(o *options) { o.progress = f } }

func makeOptions(opts []Option) (options, error) {
	o := options{jobs: runtime.GOMAXPROCS(0), treeDepth: 3, treeTop: 10}
	for _, opt := range opts {
		opt(&o)
	}
	if o.jobs <= 0 {
		return o, fmt.Errorf("jobs must be positive, got %d", o.jobs)
	}
	if o.treeDepth < 0 || o.treeTop < 0 {
		return o, fmt.Errorf("tree depth and top must not be negative")
	}
	return o, nil
}
