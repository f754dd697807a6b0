package image

import (
	"errors"
	"fmt"
	"regexp"
	"runtime"
	"strings"

	"github.com/google/go-containerregistry/pkg/authn"
	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/dietimage/diet/internal/diskspace"
)

// Option configures [Open] and [Write].
type Option func(*options)

type options struct {
	platform    v1.Platform
	platformSet bool // WithPlatform was given: single images are checked too
	insecure    bool
	keychain    authn.Keychain
	tempDir     string
	jobs        int   // Write: layers compressed at once
	minFree     int64 // bytes to keep free where spooling; diskspace.Auto
	layerStore  bool  // docker-daemon: read the engine's layer store when it can
	fallback    func(reason error)
	stream      BlobFunc // read what would be spooled in one pass, handing blobs here
	errs        []error
}

// makeOptions sets every default in one place and rejects bad values.
func makeOptions(opts ...Option) (*options, error) {
	o := &options{
		platform:   v1.Platform{OS: runtime.GOOS, Architecture: runtime.GOARCH},
		keychain:   authn.DefaultKeychain,
		jobs:       runtime.GOMAXPROCS(0),
		minFree:    diskspace.Auto,
		layerStore: true,
	}
	for _, opt := range opts {
		opt(o)
	}
	if o.platformSet {
		if err := checkPlatform(o.platform); err != nil {
			o.errs = append(o.errs, err)
		}
	}
	if o.keychain == nil {
		o.errs = append(o.errs, tag(ErrInvalid, errors.New("WithKeychain(nil): want a keychain")))
	}
	if o.jobs < 1 {
		o.errs = append(o.errs, tag(ErrInvalid, fmt.Errorf("WithJobs(%d): want at least 1", o.jobs)))
	}
	if o.minFree < 0 && o.minFree != diskspace.Auto {
		o.errs = append(o.errs, tag(ErrInvalid, fmt.Errorf("WithMinFree(%d): want 0 or more bytes", o.minFree)))
	}
	return o, errors.Join(o.errs...)
}

// WithPlatform chooses the image of a multi-platform index. The default is
// runtime.GOOS/runtime.GOARCH, matching any variant. When given, a source
// holding a single image is checked against it too.
func WithPlatform(p v1.Platform) Option {
	return func(o *options) { o.platform, o.platformSet = p, true }
}

// WithInsecure allows plain HTTP (and unverified TLS) for docker:// registries.
func WithInsecure(b bool) Option {
	return func(o *options) { o.insecure = b }
}

// WithKeychain sets where registry credentials come from; the default is
// authn.DefaultKeychain (~/.docker/config.json and its helpers).
func WithKeychain(k authn.Keychain) Option {
	return func(o *options) { o.keychain = k }
}

// WithTempDir sets the directory where docker-daemon spools the engine's save
// stream (and a compressed docker-archive is decompressed), and where
// [Write] keeps the compressed layers it pushes to docker://. Files are
// unlinked as soon as they are created. The default, "", is os.TempDir().
func WithTempDir(dir string) Option {
	return func(o *options) { o.tempDir = dir }
}

// WithJobs sets how many layers [Write] compresses at once (for oci: and
// docker://), and how many layer records [Open] reads at once from an
// engine's layer store; the default is runtime.GOMAXPROCS(0). It never
// changes the bytes written or read.
func WithJobs(n int) Option {
	return func(o *options) { o.jobs = n }
}

// WithMinFree sets how many bytes must stay free on the filesystem of the
// temporary directory (WithTempDir) while a compressed archive or an
// engine's save stream is spooled there: the spool stops with an error
// matching [diskspace.ErrLow] before the disk fills. The default keeps
// max(1 GiB, 5% of the filesystem); 0 turns the check off.
func WithMinFree(n int64) Option {
	return func(o *options) { o.minFree = n }
}

// WithLayerStore(false) makes docker-daemon: read the engine's save stream
// even where its layer store could be read. The default, true, reads a
// local overlay2 or fuse-overlayfs engine's classic store directly: the
// same image, byte for byte, without the engine writing a tar of it.
func WithLayerStore(b bool) Option {
	return func(o *options) { o.layerStore = b }
}

// WithFallback sets f to hear why docker-daemon: reads the engine's save
// stream instead of its layer store (the engine is remote, uses another
// driver or containerd's image store, the store is not readable, …). [Open]
// calls f at most once, before it returns, from its own goroutine.
func WithFallback(f func(reason error)) Option {
	return func(o *options) { o.fallback = f }
}

// WithStream makes [Open] read in one pass, with f, the sources it would
// otherwise spool to a temporary file: docker-daemon's save stream, and a
// docker-archive or oci-archive that is compressed or not a regular file
// (standard input, a pipe). Each member that may be a layer blob is handed
// to f as it passes, and is not kept. The image Open returns has its
// config, manifest, digests and sizes, but its layers' bodies cannot be
// read: it is for a caller that keeps what f learns, as analyze.Stream does.
func WithStream(f BlobFunc) Option {
	return func(o *options) { o.stream = f }
}

// platformPart is what OCI allows in os, architecture and variant in practice.
var platformPart = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]*$`)

// ParsePlatform parses "os/arch" or "os/arch/variant", as in "linux/amd64"
// or "linux/arm64/v8". Errors match [ErrInvalid].
func ParsePlatform(s string) (v1.Platform, error) {
	parts := strings.Split(s, "/")
	if len(parts) < 2 || len(parts) > 3 {
		return v1.Platform{}, tag(ErrInvalid, fmt.Errorf("platform %q: want os/arch or os/arch/variant", s))
	}
	p := v1.Platform{OS: parts[0], Architecture: parts[1]}
	if len(parts) == 3 {
		if parts[2] == "" {
			return v1.Platform{}, tag(ErrInvalid, fmt.Errorf("platform %q: empty variant", s))
		}
		p.Variant = parts[2]
	}
	if err := checkPlatform(p); err != nil {
		return v1.Platform{}, err
	}
	return p, nil
}

func checkPlatform(p v1.Platform) error {
	for _, f := range []struct{ what, v string }{{"os", p.OS}, {"architecture", p.Architecture}} {
		if !platformPart.MatchString(f.v) {
			return tag(ErrInvalid, fmt.Errorf("platform %q: bad %s %q", p.String(), f.what, f.v))
		}
	}
	if p.Variant != "" && !platformPart.MatchString(p.Variant) {
		return tag(ErrInvalid, fmt.Errorf("platform %q: bad variant %q", p.String(), p.Variant))
	}
	return nil
}
