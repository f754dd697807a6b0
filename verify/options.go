package verify

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"time"
)

// Option configures [Run] and [RunEngine].
type Option func(*options)

type options struct {
	timeout      time.Duration
	trace        bool
	limits       Limits
	probes       []Probe
	ports        []int
	readyTimeout time.Duration
	masks        []*regexp.Regexp
	maxOut       int // bytes kept of stdout and of stderr; 0: MaxOutput
}

// DefaultTimeout is how long a command may run when [WithTimeout] is not
// given.
const DefaultTimeout = 10 * time.Second

// DefaultReadyTimeout is how long a server may take to accept connections
// when [WithReadyTimeout] is not given.
const DefaultReadyTimeout = 10 * time.Second

// WithTimeout sets how long the command may run (default [DefaultTimeout]).
// When it expires every process of the sandbox is killed and the
// [Result] says TimedOut. d must be positive. With probes it bounds the
// whole run: start-up, readiness and every probe.
func WithTimeout(d time.Duration) Option { return func(o *options) { o.timeout = d } }

// WithTrace runs the command under strace (-f, file system calls only) to
// list in [Result.Missing] the files it looked for and did not find, and
// in [Result.Accessed] those it used. Where strace is not installed the
// command runs untraced: [Result.Traced] is false and both lists are nil.
// [RunEngine] ignores it.
func WithTrace(b bool) Option { return func(o *options) { o.trace = b } }

// WithLimits sets the resource limits of the sandbox's processes (default
// [DefaultLimits]). [RunEngine] ignores it: the engine's defaults apply.
func WithLimits(l Limits) Option { return func(o *options) { o.limits = l } }

// WithProbes adds probes: the command is a server, and once it is ready
// (see [WithPorts]) each probe is sent, or run, in order, the answers go
// to [Result.Probes], and the command is stopped. Probes need root (see
// [ErrProbeAccess]). Exec probes ([Probe.Exec]) wait for readiness too:
// with no HTTP probe, give the ports ([WithPorts]).
func WithProbes(p ...Probe) Option {
	return func(o *options) { o.probes = append(o.probes, p...) }
}

// WithPorts sets the ports on which the server must accept a TCP
// connection to be ready: on 127.0.0.1, or on the host of the first probe
// to the port. Without it, the ports of the probes are the readiness
// ports. Ports without probes check readiness alone.
func WithPorts(ports ...int) Option {
	return func(o *options) { o.ports = append(o.ports, ports...) }
}

// WithReadyTimeout sets how long the server may take, once the sandbox or
// the container is up, to accept connections on every readiness port (default
// [DefaultReadyTimeout]); the run's timeout ([WithTimeout]) bounds it too.
// A server not ready by then is stopped, and its probes are not sent.
func WithReadyTimeout(d time.Duration) Option { return func(o *options) { o.readyTimeout = d } }

// WithMask adds a mask: every match of re in a probe's answer (its body
// and chosen headers) is replaced by [Masked] before it is kept and
// compared, for what changes from run to run: times, ids.
func WithMask(re *regexp.Regexp) Option { return func(o *options) { o.masks = append(o.masks, re) } }

func makeOptions(opts []Option) (options, error) {
	o := options{timeout: DefaultTimeout, limits: DefaultLimits, readyTimeout: DefaultReadyTimeout}
	for _, opt := range opts {
		opt(&o)
	}
	if o.timeout <= 0 {
		return o, fmt.Errorf("timeout must be positive, got %v", o.timeout)
	}
	if o.readyTimeout <= 0 {
		return o, fmt.Errorf("readiness timeout must be positive, got %v", o.readyTimeout)
	}
	for _, p := range o.probes {
		if err := p.validate(); err != nil {
			return o, fmt.Errorf("probe %s: %w", p, err)
		}
	}
	if len(o.probes) > 0 && len(o.readyPorts()) == 0 {
		return o, errors.New("exec probes run once the server is ready, and no port tells when: give its ports (WithPorts) or an HTTP probe")
	}
	for _, port := range o.ports {
		if port < 1 || port > 65535 {
			return o, fmt.Errorf("readiness port %d: want 1 to 65535", port)
		}
	}
	if slices.Contains(o.masks, nil) {
		return o, errors.New("nil mask")
	}
	return o, o.limits.validate()
}

func (o *options) maxOutput() int {
	if o.maxOut > 0 {
		return o.maxOut
	}
	return MaxOutput
}

// probing says the command is a server to wait for and probe.
func (o *options) probing() bool { return len(o.ports) > 0 || len(o.probes) > 0 }

// readyPorts are the ports readiness waits for: those given, else those of
// the probes, each once, in order.
func (o *options) readyPorts() []int {
	ports := o.ports
	if len(ports) == 0 {
		for _, p := range o.probes {
			if !p.IsExec() {
				ports = append(ports, p.Port)
			}
		}
	}
	var out []int
	for _, p := range ports {
		if !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return out
}

// readyAddr is where readiness connects for port: the loopback address of
// the first probe to that port, else 127.0.0.1.
func (o *options) readyAddr(port int) string {
	for _, p := range o.probes {
		if p.Port == port && !p.IsExec() {
			return p.addr()
		}
	}
	return Probe{Port: port}.addr()
}
