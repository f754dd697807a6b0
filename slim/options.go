package slim

import (
	"fmt"
	"path"
	"time"
)

// Level is how far slimming goes.
type Level int

// Levels, from the least to the most aggressive.
const (
	Squash Level = iota + 1
	Prune
	Minimal
)

var levelNames = map[Level]string{Squash: "squash", Prune: "prune", Minimal: "minimal"}

func (l Level) String() string { return levelNames[l] }

// ParseLevel reads a level's name.
func ParseLevel(s string) (Level, error) {
	for l, name := range levelNames {
		if name == s {
			return l, nil
		}
	}
	return 0, fmt.Errorf("unknown level %q (want squash, prune or minimal)", s)
}

// Option configures [Plan].
type Option func(*options)

type options struct {
	keepBase int // -1: find the base from the history
	keep     []string
	remove   []string
	keepSet  []string // extra paths kept by Minimal (the entrypoint's closure)
	args     string   // the command line, recorded in the history
	strip    bool
	upx      bool
	tempDir  string
	created  time.Time
}

// WithKeepBase keeps the first n layers byte-identical (default: found
// from the history).
func WithKeepBase(n int) Option { return func(o *options) { o.keepBase = n } }

// WithKeep keeps paths matching the glob whatever the rules say.
func WithKeep(glob string) Option { return func(o *options) { o.keep = append(o.keep, glob) } }

// WithRemove removes paths matching the glob.
func WithRemove(glob string) Option { return func(o *options) { o.remove = append(o.remove, glob) } }

// WithPaths names the paths Minimal keeps (with their parent directories):
// the entrypoint's closure, which the caller computes over the rootfs.
func WithPaths(paths []string) Option {
	return func(o *options) { o.keepSet = append(o.keepSet, paths...) }
}

// WithStrip strips symbol tables and debug sections from the ELF files of
// the new layer with binutils' strip. Verification decides whether the
// result still runs.
func WithStrip(b bool) Option { return func(o *options) { o.strip = b } }

// WithUPX packs the ELF executables of the new layer with UPX (after
// strip, when both are asked for); [Image.Packing] says what it packed and
// what it left. Packed programs start slower: the caller measures by how
// much (see [Startup]).
func WithUPX(b bool) Option { return func(o *options) { o.upx = b } }

// WithTempDir names the directory of the new layer's file and of strip's
// and UPX's copies ("" means the system's). The new layer takes as much as
// the layers above the base keep.
func WithTempDir(dir string) Option { return func(o *options) { o.tempDir = dir } }

// WithHistory records how diet was called in the new layer's history.
func WithHistory(args string) Option { return func(o *options) { o.args = args } }

func makeOptions(opts []Option) (options, error) {
	o := options{keepBase: -1}
	for _, opt := range opts {
		opt(&o)
	}
	for _, g := range append(o.keep, o.remove...) {
		if _, err := path.Match(g, "/"); err != nil {
			return o, fmt.Errorf("bad glob %q: %w", g, err)
		}
	}
	if o.keepBase < -1 {
		return o, fmt.Errorf("keep-base must not be negative, got %d", o.keepBase)
	}
	return o, nil
}
