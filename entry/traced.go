package entry

import (
	"fmt"
	"io/fs"
	"maps"
	"path"
	"slices"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/dietimage/diet/elfdeps"
)

// Trace is what a minimal image keeps for a command whose run was traced.
type Trace struct {
	// Paths are the paths to keep, slash-rooted, sorted and unique, for
	// slim.WithPaths: a kept path implies its parent directories.
	Paths []string
	// Files are the regular files of the image that the run used, by
	// their real paths, and Bytes their size: what the trace saw, before
	// the ELF closure and the always-kept files are added.
	Files int
	Bytes int64
	// EssentialFiles are the files the run used and their ELF closure
	// (the loader, libraries and "#!" interpreters it used unseen), and
	// EssentialBytes their size: the floor no tracer can go under.
	EssentialFiles int
	EssentialBytes int64
	// Kept says why each regular file of Paths is kept: one entry for
	// every reason, in the order KeepTraced, KeepELF, KeepPackage,
	// KeepScript, KeepAlways, each file under the first reason that keeps
	// it. They add up to the files of Paths ([Count]).
	Kept []Kept
	// Packages are the packages kept whole, by path: what keeping them
	// costs beside what the run used is their AddedBytes.
	Packages []Package
}

// Traced is the keep set of a command from a traced run of it over the
// image's filesystem fsys (the rootfs as the image has it, not as the run
// left it): accessed are the absolute paths the run used
// (verify.Result.Accessed). It keeps
//   - every accessed path the image has, with the symlinks on the way to it
//     (resolved by [elfdeps.Root], inside the root); a directory is kept
//     alone, its entries only when they were accessed themselves;
//   - the ELF closure ([elfdeps.Closure]) of every ELF file kept and of
//     every executable "#!" script: the loader and the "#!" interpreter
//     the kernel opens unseen, and a library the trace missed;
//   - the package closure of every file the run used: the whole Python,
//     Node or Ruby package it belongs to, a Java runtime's lib/ and the
//     class path (see [Package]), and a Node package's dependencies,
//     transitively, so that an import the run did not make (a lazy one,
//     on a path the run did not take) still finds its files; with the
//     ELF closure of the libraries (extension modules) this adds;
//   - the static closure of every shell script the run used and of the
//     image's command ([ScriptCalls]; the programs its arguments name
//     too, as socat's "EXEC:/app/handler.sh"): what they call on every
//     branch, so that a route of a shell service the run did not take
//     still finds its programs;
//   - what [Needs] always keeps: [CommonFiles] (with what their symlinks
//     lead to), /tmp, the working directory, the user's home, the time
//     zone database when TZ is set.
//
// An accessed path the image lacks (a file the run made) adds nothing. A
// relative path in accessed is an error.
func Traced(fsys fs.FS, accessed []string, cf *v1.ConfigFile) (*Trace, error) {
	rt := elfdeps.NewRoot(fsys)
	t := &Trace{}
	var used, programs []string
	counted := map[string]bool{}
	for _, p := range accessed {
		if !path.IsAbs(p) {
			return nil, fmt.Errorf("traced path %q is not absolute", p)
		}
		real, links, ok := resolveKept(rt, p)
		if !ok {
			continue
		}
		for _, l := range links {
			used = append(used, rooted(l))
		}
		used = append(used, rooted(real))
		mode, _ := rt.Lstat(real)
		if !mode.IsRegular() || counted[real] {
			continue
		}
		counted[real] = true
		if rt.IsELF(real) {
			programs = append(programs, rooted(real))
		} else if _, _, ok := rt.Shebang(real); ok && mode.Perm()&0o111 != 0 {
			programs = append(programs, rooted(real))
		}
	}
	opts := []elfdeps.Option{elfdeps.WithEnv(cf.Config.Env), elfdeps.WithWorkingDir(cmpOr(cf.Config.WorkingDir, "/"))}
	slices.Sort(programs)
	elf := closureOf(fsys, programs, opts)
	reals := slices.Sorted(maps.Keys(counted))
	k := newPacker(rt, fsys, counted, cf)
	for _, real := range reals {
		k.from(real)
	}
	t.Packages = k.packages()
	// The closure of the extension modules a package adds counts as ELF,
	// the modules themselves as the package's.
	var libs []string
	for _, f := range closureOf(fsys, k.libs, opts) {
		if !k.files[strings.TrimPrefix(f, "/")] {
			libs = append(libs, f)
		}
	}
	script := scripted(fsys, reals, cf, opts)
	always := alwaysKept(rt, fsys, cf)

	c := newCounter(rt, fsys)
	traced := c.add(KeepTraced, used)
	t.Files, t.Bytes = traced.Files, traced.Bytes
	elfKept := c.add(KeepELF, elf)
	t.EssentialFiles, t.EssentialBytes = traced.Files+elfKept.Files, traced.Bytes+elfKept.Bytes
	more := c.add(KeepELF, libs)
	elfKept.Files += more.Files
	elfKept.Bytes += more.Bytes
	t.Kept = []Kept{traced, elfKept, c.add(KeepPackage, k.keep), c.add(KeepScript, script), c.add(KeepAlways, always)}

	keep := slices.Concat(used, elf, k.keep, libs, script, always)
	slices.Sort(keep)
	t.Paths = slices.Compact(keep)
	return t, nil
}

// resolveKept resolves p inside the root: its real path and the symlinks
// on the way. A dangling symlink (one a program only read or lstat'd) is
// kept as itself.
func resolveKept(rt *elfdeps.Root, p string) (real string, links []string, ok bool) {
	real, links, err := rt.Resolve(p)
	if err == nil {
		return real, links, real != "."
	}
	dir, links, err := rt.Resolve(path.Dir(p))
	if err != nil {
		return "", nil, false
	}
	name := path.Base(p)
	if dir != "." {
		name = dir + "/" + name
	}
	if mode, err := rt.Lstat(name); err != nil || mode&fs.ModeSymlink == 0 {
		return "", nil, false
	}
	return name, links, true
}
