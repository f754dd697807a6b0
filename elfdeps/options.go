package elfdeps

import (
	"fmt"
	"strings"
)

// Option configures [Closure].
type Option func(*options)

type options struct {
	libraryPath []string // LD_LIBRARY_PATH, split
	preload     []string // LD_PRELOAD, split
	path        []string // PATH, split, for bare names and "#!/usr/bin/env NAME"
	dir         string   // working directory, for relative paths
}

// DefaultPath is the PATH a container runtime gives a container whose image
// sets none. It lives in elfdeps, a leaf that imports only the standard
// library, so that every package looking programs up in an image shares it.
const DefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// WithEnv sets the environment the programs start with, as "KEY=value"
// strings: an image config's Env. Closure reads LD_LIBRARY_PATH (searched
// after DT_RPATH and before DT_RUNPATH), LD_PRELOAD (loaded before the
// program's own libraries) and PATH (to find bare names and the commands of
// "#!/usr/bin/env" scripts; by default [DefaultPath]). When a key repeats, the
// last value wins. Entries without "=" are ignored, as execve ignores them.
func WithEnv(env []string) Option {
	return func(o *options) {
		for _, kv := range env {
			k, v, ok := strings.Cut(kv, "=")
			if !ok {
				continue
			}
			switch k {
			case "LD_LIBRARY_PATH":
				o.libraryPath = splitList(v, ":;")
			case "LD_PRELOAD":
				o.preload = splitList(v, " \t\n:")
			case "PATH":
				o.path = splitList(v, ":")
			}
		}
	}
}

// WithWorkingDir sets the directory relative paths start from: relative
// inputs, "#!" interpreters and DT_NEEDED or LD_PRELOAD entries holding a
// slash. It is an image config's WorkingDir; the default is "/".
func WithWorkingDir(dir string) Option {
	return func(o *options) { o.dir = dir }
}

func makeOptions(opts []Option) (options, error) {
	o := options{path: splitList(DefaultPath, ":"), dir: "/"}
	for _, opt := range opts {
		opt(&o)
	}
	if !strings.HasPrefix(o.dir, "/") {
		return o, fmt.Errorf("working directory %q is not absolute", o.dir)
	}
	return o, nil
}

// abs makes a path from the working directory absolute; absolute paths stay.
func (o *options) abs(p string) string {
	if strings.HasPrefix(p, "/") {
		return p
	}
	return strings.TrimRight(o.dir, "/") + "/" + p
}
