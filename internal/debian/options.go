package debian

import (
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
)

// Option changes how [Rootfs] makes its tree.
type Option func(*options)

type options struct {
	suite    string
	mirror   string
	log      io.Writer
	progress func(string)
}

// WithSuite debootstraps suite ("bookworm", "trixie") instead of [Suite].
func WithSuite(suite string) Option { return func(o *options) { o.suite = suite } }

// WithMirror downloads from the Debian archive at url instead of [Mirror].
func WithMirror(url string) Option { return func(o *options) { o.mirror = url } }

// WithLog appends every command Rootfs runs, and its output, to w. A
// failing command's error quotes only the end of its output, and names w
// when w has a Name method, as an [*os.File] does.
func WithLog(w io.Writer) Option { return func(o *options) { o.log = w } }

// WithProgress calls f with one line for each step that takes a while. f
// is called from the goroutine that called Rootfs and must not block.
func WithProgress(f func(line string)) Option { return func(o *options) { o.progress = f } }

func makeOptions(opts []Option) (*options, error) {
	o := &options{suite: Suite, mirror: Mirror, log: io.Discard, progress: func(string) {}}
	for _, opt := range opts {
		opt(o)
	}
	var errs []error
	if o.suite == "" || strings.ContainsAny(o.suite, "/ \t\n") {
		errs = append(errs, fmt.Errorf("suite %q: not a suite name", o.suite))
	}
	o.mirror = strings.TrimSuffix(o.mirror, "/")
	if u, err := url.Parse(o.mirror); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		errs = append(errs, fmt.Errorf("mirror %q: not an http or https URL", o.mirror))
	}
	if o.log == nil {
		errs = append(errs, errors.New("WithLog(nil)"))
	}
	if o.progress == nil {
		errs = append(errs, errors.New("WithProgress(nil)"))
	}
	return o, errors.Join(errs...)
}

func (o *options) logf(format string, args ...any) { o.progress(fmt.Sprintf(format, args...)) }
