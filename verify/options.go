package verify

import (
	"fmt"
	"time"
)

// Option configures [Run] and [RunEngine].
type Option func(*options)

type options struct {
	timeout time.Duration
	trace   bool
	limits  Limits
}

// DefaultTimeout is how long a command may run when [WithTimeout] is not
// given.
const DefaultTimeout = 10 * time.Second

// WithTimeout sets how long the command may run (default [DefaultTimeout]).
// When it expires every process of the sandbox is killed and the
// [Result] says TimedOut. d must be positive.
func WithTimeout(d time.Duration) Option { return func(o *options) { o.timeout = d } }

// WithTrace runs the command under strace (-f, file system calls only) to
// list in [Result.Missing] the files it looked for and did not find. Where
// strace is not installed the command runs untraced and Missing stays nil.
// [RunEngine] ignores it.
func WithTrace(b bool) Option { return func(o *options) { o.trace = b } }

// WithLimits sets the resource limits of the sandbox's processes (default
// [DefaultLimits]). [RunEngine] ignores it: the engine's defaults apply.
func WithLimits(l Limits) Option { return func(o *options) { o.limits = l } }

func makeOptions(opts []Option) (options, error) {
	o := options{timeout: DefaultTimeout, limits: DefaultLimits}
	for _, opt := range opts {
		opt(&o)
	}
	if o.timeout <= 0 {
		return o, fmt.Errorf("timeout must be positive, got %v", o.timeout)
	}
	return o, o.limits.validate()
}
