// This file is the package closure of a traced run: the whole package a
// file the run used belongs to, so that an import the run did not make (a
// lazy import, a route the probes missed) still finds its files.

package entry

import (
	"io/fs"
	"path"
	"slices"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/dietimage/diet/elfdeps"
)

// Package kinds: [Package.Kind].
const (
	PackagePython = "python" // a top-level package (a directory with __init__.py, or one below a namespace package), or a module with its distribution's record
	PackageNode   = "node"   // a directory with package.json under node_modules or Node's global directories
	PackageJava   = "java"   // a Java runtime's lib/ and conf/, or the class path of the image's command
	PackageRuby   = "ruby"   // a gem's directory, or its files in Debian's vendor_ruby; and the gems it needs
)

// Package is a package [Traced] kept whole because the run used a file of
// it (or, for Node, because a package kept needs it): what keeping it
// costs beside what the run used is AddedBytes.
type Package struct {
	Kind string
	// Name is the name the program imports it by ("yaml",
	// "google.protobuf", "@npmcli/git"),
	// a gem's NAME-VERSION, a Java runtime's directory name, or
	// "classpath".
	Name string
	// Path is its root directory, slash-rooted: for a single Python
	// module its file, for a jar the jar, for a gem Debian installed in
	// vendor_ruby its specification.
	Path string
	// Files are the regular files kept for it (its distribution record
	// for Python; files symlinks in it lead to), and Bytes their size;
	// AddedFiles and AddedBytes are those the run did not use.
	Files      int
	Bytes      int64
	AddedFiles int
	AddedBytes int64
}

// packer gathers the packages of the files a run used, reading the image
// through one resolver; none of its reads follows a symlink out of the
// root, and a file counts towards one package only.
type packer struct {
	rt      *elfdeps.Root
	fsys    fs.FS
	cf      *v1.ConfigFile
	traced  map[string]bool // real paths of the regular files the run used
	roots   map[string]bool // package roots (real paths) seen
	files   map[string]bool // real paths of the regular files counted
	pkgs    []*Package
	keep    []string // slash-rooted
	libs    []string // untraced ELF libraries kept, slash-rooted: their closure is needed too
	dists   map[string]*dists
	node    *nodeDirs
	jars    map[string]bool // real paths of the class path entries followed
	rubyIdx *rubyIndex
	specs   map[string]*gemspec
}

func newPacker(rt *elfdeps.Root, fsys fs.FS, traced map[string]bool, cf *v1.ConfigFile) *packer {
	return &packer{rt: rt, fsys: fsys, cf: cf, traced: traced, roots: map[string]bool{}, files: map[string]bool{},
		dists: map[string]*dists{}, jars: map[string]bool{}, specs: map[string]*gemspec{}}
}

// from adds the packages the regular file at real path real belongs to.
func (k *packer) from(real string) {
	k.python(real)
	k.nodeFile(real)
	k.java(real)
	k.ruby(real)
}

// packages are the packages kept, by path.
func (k *packer) packages() []Package {
	out := make([]Package, len(k.pkgs))
	for i, p := range k.pkgs {
		out[i] = *p
	}
	slices.SortFunc(out, func(a, b Package) int { return strings.Compare(a.Path, b.Path) })
	return out
}

// add starts package kind name at the real path root, unless it was seen.
func (k *packer) add(kind, name, root string) *Package {
	if k.roots[root] {
		return nil
	}
	k.roots[root] = true
	p := &Package{Kind: kind, Name: name, Path: rooted(root)}
	k.pkgs = append(k.pkgs, p)
	return p
}

// walk keeps the tree at real path real for p: every directory, file and
// symlink in it, and what each symlink leads to; real itself may be a
// symlink (Debian links a JRE's conf/ to /etc), followed. What leave
// (when not nil) reports is left out, a directory with what it holds.
func (k *packer) walk(p *Package, real string, leave func(name string, d fs.DirEntry) bool) {
	m, err := k.rt.Lstat(real)
	switch {
	case err != nil:
		return
	case m&fs.ModeSymlink != 0:
		target, links, err := k.rt.Resolve(real)
		if err != nil || target == "." {
			return
		}
		for _, l := range links {
			k.keep = append(k.keep, rooted(l))
		}
		k.walk(p, target, leave)
		return
	case m.IsRegular():
		k.keep = append(k.keep, rooted(real))
		k.count(p, real, -1)
		return
	case !m.IsDir():
		return
	}
	fs.WalkDir(k.fsys, real, func(name string, d fs.DirEntry, err error) error {
		switch {
		case err != nil && d != nil && d.IsDir():
			return fs.SkipDir
		case err != nil:
			return nil
		case name != real && leave != nil && leave(name, d):
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		k.keep = append(k.keep, rooted(name))
		switch t := d.Type(); {
		case t&fs.ModeSymlink != 0:
			k.link(p, name)
		case t.IsRegular():
			size := int64(-1)
			if fi, err := d.Info(); err == nil {
				size = fi.Size()
			}
			k.count(p, name, size)
		}
		return nil
	})
}

// link keeps the symlink at real path name, the links after it and the
// file it leads to; a directory it leads to is kept alone (a link to "/"
// would keep all).
func (k *packer) link(p *Package, name string) {
	k.keep = append(k.keep, rooted(name))
	real, links, err := k.rt.Resolve(name)
	if err != nil || real == "." {
		return
	}
	for _, l := range links {
		k.keep = append(k.keep, rooted(l))
	}
	k.keep = append(k.keep, rooted(real))
	if m, _ := k.rt.Lstat(real); m.IsRegular() {
		k.count(p, real, -1)
	}
}

// count adds the regular file at real path real, of size bytes (-1: not
// known yet), to p, once.
func (k *packer) count(p *Package, real string, size int64) {
	if k.files[real] {
		return
	}
	k.files[real] = true
	if size < 0 {
		fi, err := fs.Stat(k.fsys, real) // real holds no symlink
		if err != nil {
			return
		}
		size = fi.Size()
	}
	p.Files++
	p.Bytes += size
	if k.traced[real] {
		return
	}
	p.AddedFiles++
	p.AddedBytes += size
	// An extension module (.so), a Node addon (.node) or a runtime's
	// library the run did not load needs its own libraries when it is.
	if b := path.Base(real); (strings.Contains(b, ".so") || strings.HasSuffix(b, ".node")) && k.rt.IsELF(real) {
		k.libs = append(k.libs, rooted(real))
	}
}

// isFile reports whether the real path name is a regular file.
func (k *packer) isFile(name string) bool {
	m, err := k.rt.Lstat(name)
	return err == nil && m.IsRegular()
}

// isDir reports whether the real path name is a directory.
func (k *packer) isDir(name string) bool {
	m, err := k.rt.Lstat(name)
	return err == nil && m.IsDir()
}

// readDir lists the directory at real path name; anything else lists
// nothing (os.DirFS would follow a symlink there on the host).
func (k *packer) readDir(name string) ([]fs.DirEntry, error) {
	if !k.isDir(name) {
		return nil, fs.ErrNotExist
	}
	return fs.ReadDir(k.fsys, name)
}

// join joins a real path and a relative one, "" being the root.
func join(dir, name string) string {
	if dir == "" || dir == "." {
		return name
	}
	return dir + "/" + name
}
