package diet

import (
	"regexp"
	"time"

	"github.com/dietimage/diet/analyze"
	"github.com/dietimage/diet/image"
	"github.com/dietimage/diet/slim"
	"github.com/dietimage/diet/verify"
)

// Option configures [Analyze] and [Slim].
type Option func(*options)

type options struct {
	image    []image.Option
	analyze  []analyze.Option
	slim     []slim.Option
	jobs     int
	tempDir  string
	minFree  int64
	progress func(phase string)
	// compressed: Analyze computes what pushing layers stored uncompressed
	// would send, this way ("" leaves them unknown).
	compressed image.Compression

	output    string
	force     bool
	verify    bool
	engine    bool
	startup   bool
	command   []string
	timeout   time.Duration
	probes    []verify.Probe
	traced    []verify.Probe // the traced run's probes, when tracedSet
	tracedSet bool
	ports     []int
	masks     []*regexp.Regexp
}

// WithImage passes options to [image.Open] (Analyze opens the image).
func WithImage(opts ...image.Option) Option {
	return func(o *options) { o.image = append(o.image, opts...) }
}

// WithAnalyze passes options to [analyze.Image].
func WithAnalyze(opts ...analyze.Option) Option {
	return func(o *options) { o.analyze = append(o.analyze, opts...) }
}

// WithSlim passes options to [slim.NewPlan]: what to keep and remove,
// strip, UPX, the history line.
func WithSlim(opts ...slim.Option) Option {
	return func(o *options) { o.slim = append(o.slim, opts...) }
}

// WithCompressed makes [Analyze] compute the compressed size of the layers
// the source stores uncompressed (a docker-archive, the engine) as c
// compresses them: what a push would send and a pull fetch. It reads
// those layers whole, after the analysis, so a stream is spooled.
func WithCompressed(c image.Compression) Option { return func(o *options) { o.compressed = c } }

// WithJobs reads n layers at once (default: one per CPU).
func WithJobs(n int) Option { return func(o *options) { o.jobs = n } }

// WithTempDir names where Slim puts the new layer and the unpacked roots
// of the images it runs ("" means the system's).
func WithTempDir(dir string) Option { return func(o *options) { o.tempDir = dir } }

// WithMinFree keeps n bytes free on the temporary directory's disk: Slim
// stops with an error saying so rather than fill it.
func WithMinFree(n int64) Option { return func(o *options) { o.minFree = n } }

// WithProgress calls f with the name of each phase of Slim as it starts.
func WithProgress(f func(phase string)) Option { return func(o *options) { o.progress = f } }

// WithOutput makes Slim write the slimmed image to dest, any destination
// of [image.Write] (with the options of [WithImage]). A docker-archive
// gets the new layer straight from the rewrite: its bytes are written once.
// With [WithVerify], only an image found to run like the original is
// written.
func WithOutput(dest string) Option { return func(o *options) { o.output = dest } }

// WithForce writes the output whatever verification finds.
func WithForce(b bool) Option { return func(o *options) { o.force = b } }

// WithVerify runs the original and the slimmed image the same way and
// compares them: [slim.Report.Verify] says whether they ran alike.
func WithVerify(b bool) Option { return func(o *options) { o.verify = b } }

// WithEngine runs verification on the Docker engine (--network none)
// instead of in diet's sandbox.
func WithEngine(b bool) Option { return func(o *options) { o.engine = b } }

// WithStartup times the start-up of the original and the slimmed image,
// what UPX's unpacking costs: [slim.Packing.Startup] (with slim.WithUPX).
func WithStartup(b bool) Option { return func(o *options) { o.startup = b } }

// WithCommand is the whole command verification, start-up timing and
// the traced run of level minimal run, entrypoint included, instead of
// the image's entrypoint and cmd.
func WithCommand(argv []string) Option { return func(o *options) { o.command = argv } }

// WithProbes judges the image as a server by these probes, HTTP requests
// or commands run beside it (exec probes, [verify.Probe.Exec]): each
// verification run waits until the server is ready, sends or runs them,
// and stops it; the answers (status, headers and body; exit code and
// stdout) must be the same. The traced run of level minimal sends
// them too, so that what serving them uses is kept (see WithTraceProbes). Without probes, ports
// or WithCommand, an image that EXPOSEs TCP ports gets GET / on each, and
// its HEALTHCHECK as an exec probe. Exec probes without an HTTP probe or
// ports wait for the exposed ports.
func WithProbes(p ...verify.Probe) Option {
	return func(o *options) { o.probes = append(o.probes, p...) }
}

// WithTraceProbes are the probes the traced run of level minimal sends
// instead of those of WithProbes (none, when called without any: the run
// then only waits until the server is ready). Verification still sends
// those of WithProbes: a probe left out of the trace checks that what the
// run did not use (a lazy import, another route) is still in the slimmed
// image.
func WithTraceProbes(p ...verify.Probe) Option {
	return func(o *options) { o.traced, o.tracedSet = append(o.traced, p...), true }
}

// WithPorts are the ports the server must accept connections on to be
// ready (default: the probes' ports).
func WithPorts(ports ...int) Option { return func(o *options) { o.ports = append(o.ports, ports...) } }

// WithMask replaces what re matches in the probes' answers before they
// are compared: times, ids.
func WithMask(re *regexp.Regexp) Option { return func(o *options) { o.masks = append(o.masks, re) } }

// WithTimeout bounds each run of verification, timing and tracing
// (default 10 s).
func WithTimeout(d time.Duration) Option { return func(o *options) { o.timeout = d } }

func makeOptions(opts []Option) options {
	o := options{timeout: 10 * time.Second}
	for _, opt := range opts {
		opt(&o)
	}
	return o
}

// phase reports the start of a phase to the caller, if it asked.
func (o *options) phase(name string) {
	if o.progress != nil {
		o.progress(name)
	}
}
