package dockerfile

import "strings"

// Option configures [Lint] and [Fix].
type Option func(*options)

type options struct {
	disabled   map[string]bool // rule IDs
	contextDir string
	target     string
	fixOnly    map[string]bool // rule IDs Fix may apply, all when empty
}

// WithDisabled turns rules off by ID or hadolint alias, as a config file
// lists them. Unknown names are ignored: check them with [Lookup] first.
func WithDisabled(ids ...string) Option {
	return func(o *options) {
		for _, id := range ids {
			if r, ok := Lookup(id); ok {
				o.disabled[r.ID] = true
			}
		}
	}
}

// WithContextDir names the build context directory, so rules can look for
// a .dockerignore. Without it, rules that need the context stay quiet.
func WithContextDir(dir string) Option {
	return func(o *options) { o.contextDir = dir }
}

// WithTarget names the stage docker build --target builds; by default the
// last stage is the final one.
func WithTarget(stage string) Option {
	return func(o *options) { o.target = strings.TrimSpace(stage) }
}

func makeOptions(opts []Option) options {
	o := options{disabled: map[string]bool{}}
	for _, opt := range opts {
		opt(&o)
	}
	return o
}
