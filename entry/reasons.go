// This file says why a traced minimal keeps each file, and what the floor
// under it is: the files the run used with their ELF closure.

package entry

import (
	"errors"
	"io/fs"
	"path"
	"slices"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/dietimage/diet/elfdeps"
)

// Reasons [Traced] keeps a file for: [Kept.Reason]. A file kept for
// several counts under the first of them in this order.
const (
	// KeepTraced: the run used it.
	KeepTraced = "traced"
	// KeepELF: the ELF closure of what is kept: the loader, libraries and
	// "#!" interpreters that the kernel and the loader open unseen, or
	// that an extension module of a package kept needs.
	KeepELF = "elf"
	// KeepPackage: a package kept whole ([Package]).
	KeepPackage = "package"
	// KeepScript: the static closure of the shell scripts the run used
	// and of the command: what they call on every branch ([ScriptCalls]),
	// so that a route the run did not take still finds its programs.
	KeepScript = "script"
	// KeepAlways: what every minimal image keeps: [CommonFiles] (and what
	// their symlinks lead to), /tmp, the working directory, the user's
	// home, the time zone database when TZ is set.
	KeepAlways = "always"
)

// Kept is what [Traced] keeps for one reason: regular files, by their
// real paths, each counted once, and their size.
type Kept struct {
	Reason string
	Files  int
	Bytes  int64
}

// Count counts the regular files among paths (slash-rooted, as [Needs]
// and [Traced] give them) and their bytes, each real file once: what a
// minimal image keeping exactly paths holds. A path through a symlink
// counts nothing: the keep set lists the file it leads to by its real
// path, or does not keep it.
func Count(fsys fs.FS, paths []string) (files int, bytes int64) {
	c := newCounter(elfdeps.NewRoot(fsys), fsys)
	k := c.add("", paths)
	return k.Files, k.Bytes
}

// counter counts kept regular files, each once.
type counter struct {
	rt   *elfdeps.Root
	fsys fs.FS
	seen map[string]bool // real paths counted
}

func newCounter(rt *elfdeps.Root, fsys fs.FS) *counter {
	return &counter{rt: rt, fsys: fsys, seen: map[string]bool{}}
}

// add counts, for reason, the files of paths not counted before.
func (c *counter) add(reason string, paths []string) Kept {
	k := Kept{Reason: reason}
	for _, p := range paths {
		name := strings.TrimPrefix(path.Clean("/"+p), "/")
		if name == "" || c.seen[name] {
			continue
		}
		// The plan keeps paths as named: a name counts when it is the
		// real path of a regular file, no symlink on its way.
		real, _, err := c.rt.Resolve(name)
		if err != nil || real != name {
			continue
		}
		if m, _ := c.rt.Lstat(real); !m.IsRegular() {
			continue
		}
		fi, err := fs.Stat(c.fsys, real) // real holds no symlink
		if err != nil {
			continue
		}
		c.seen[real] = true
		k.Files++
		k.Bytes += fi.Size()
	}
	return k
}

// alwaysKept is [always] with the symlinks among its files followed
// inside the root: Debian's /etc/localtime leads to the zone it names,
// which would dangle in the minimal image without it.
func alwaysKept(rt *elfdeps.Root, fsys fs.FS, cf *v1.ConfigFile) []string {
	var out []string
	for _, p := range always(fsys, cf) {
		out = append(out, p)
		if m, err := rt.Lstat(strings.TrimPrefix(p, "/")); err != nil || m&fs.ModeSymlink == 0 {
			continue
		}
		real, links, err := rt.Resolve(p)
		if err != nil || real == "." {
			continue
		}
		for _, l := range links {
			out = append(out, rooted(l))
		}
		if m, _ := rt.Lstat(real); m.IsRegular() { // a link to a directory keeps the directory alone, as the others
			out = append(out, rooted(real))
		}
	}
	return out
}

// scripted is the static closure of the shell scripts among used (real
// paths of the regular files the run used) and of the image's command,
// the programs and scripts its arguments name ([argFiles]) included:
// the programs they call, with their ELF closures, and the files they
// source. A script that does not parse adds what was read before it;
// past the reading limits the rest adds nothing.
func scripted(fsys fs.FS, used []string, cf *v1.ConfigFile, opts []elfdeps.Option) []string {
	workdir := cmpOr(cf.Config.WorkingDir, "/")
	s := newScanner(fsys, cf.Config.Env, workdir)
	argv := append(slices.Clone(cf.Config.Entrypoint), cf.Config.Cmd...)
	if len(argv) > 0 {
		s.exec(argv) // what it read before an error still counts
		for _, p := range argFiles(s.root, argv[1:], workdir) {
			if err := s.program(p, nil, 0, 0); errors.Is(err, errScriptLimit) {
				break
			}
		}
	}
	for _, real := range used {
		if err := s.usedScript(real); errors.Is(err, errScriptLimit) {
			break
		}
	}
	calls := s.result()
	return slices.Concat(calls.Sources, closureOf(fsys, calls.Programs, opts))
}
