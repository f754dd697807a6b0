package entry

import (
	"fmt"
	"io/fs"
	"maps"
	"path"
	"slices"

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
//   - what [Needs] always keeps: [CommonFiles], /tmp, the working
//     directory, the user's home, the time zone database when TZ is set.
//
// An accessed path the image lacks (a file the run made) adds nothing. A
// relative path in accessed is an error.
func Traced(fsys fs.FS, accessed []string, cf *v1.ConfigFile) (*Trace, error) {
	rt := elfdeps.NewRoot(fsys)
	t := &Trace{}
	var keep, programs []string
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
			keep = append(keep, rooted(l))
		}
		keep = append(keep, rooted(real))
		mode, _ := rt.Lstat(real)
		if !mode.IsRegular() || counted[real] {
			continue
		}
		counted[real] = true
		if fi, err := fs.Stat(fsys, real); err == nil { // real holds no symlink
			t.Files++
			t.Bytes += fi.Size()
		}
		if rt.IsELF(real) {
			programs = append(programs, rooted(real))
		} else if _, _, ok := rt.Shebang(real); ok && mode.Perm()&0o111 != 0 {
			programs = append(programs, rooted(real))
		}
	}
	k := newPacker(rt, fsys, counted, cf)
	for _, real := range slices.Sorted(maps.Keys(counted)) {
		k.from(real)
	}
	keep = append(keep, k.keep...)
	programs = append(programs, k.libs...)
	t.Packages = k.packages()
	opts := []elfdeps.Option{elfdeps.WithEnv(cf.Config.Env), elfdeps.WithWorkingDir(cmpOr(cf.Config.WorkingDir, "/"))}
	slices.Sort(programs)
	keep = append(keep, closureOf(fsys, programs, opts)...)
	keep = append(keep, always(fsys, cf)...)
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
