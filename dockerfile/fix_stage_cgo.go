package dockerfile

import (
	"bufio"
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path"
	"slices"
	"strconv"
	"strings"
)

// cgoUse is what the build context says about cgo in the packages a Go
// build compiles: the main packages and the module's packages they import.
type cgoUse int

const (
	cgoNone    cgoUse = iota // no package uses cgo: CGO_ENABLED=0 builds the same program
	cgoLibc                  // cgo, linking only libraries every libc base has (libc, libm, libstdc++…)
	cgoUnknown               // cgo is not ruled out: no context, unreadable, or a package not in it
	cgoLibs                  // cgo linking other libraries, which the final base may lack
)

// libcLibs are the libraries of glibc and GCC's runtime that every Debian,
// Ubuntu and Alpine base image has: a cgo binary linking only these runs
// on the slim base of its build's release.
var libcLibs = map[string]bool{
	"c": true, "m": true, "pthread": true, "dl": true, "rt": true, "util": true, "resolv": true,
	"anl": true, "stdc++": true, "gcc_s": true, "gcc": true,
}

// cSources are the file extensions go build hands to a C, C++, Fortran or
// SWIG compiler: a package holding one is built with cgo.
var cSources = []string{".c", ".cc", ".cpp", ".cxx", ".m", ".h", ".hh", ".hpp", ".hxx", ".f", ".F", ".for", ".f90", ".S", ".swig", ".swigcxx"}

// Limits on what a scan reads, so a huge or hostile context costs a
// bounded time: past them, cgo is not ruled out.
const (
	cgoMaxFiles    = 20_000
	cgoMaxFileSize = 4 << 20
)

// errCgoBudget stops a scan that reached its limits.
var errCgoBudget = errors.New("build context too large to scan")

// cgoScan reads the build context for the packages of the stage's builds.
type cgoScan struct {
	p     *stagePlan
	fsys  fs.FS
	files int
	seen  map[string]bool // context directories scanned
	use   cgoUse
	why   string
}

// note records what a package says, keeping the worst: libraries over
// unknown over libc over none.
func (sc *cgoScan) note(use cgoUse, why string) {
	if use > sc.use {
		sc.use, sc.why = use, why
	}
}

// cgo reports whether the stage's Go builds use cgo, from the sources in
// the build context, and why in a few words. The context is read through
// an os.Root, so a symlink cannot lead the scan out of it.
func (p *stagePlan) cgo() (cgoUse, string) {
	dir := p.fx.l.o.contextDir
	if dir == "" {
		return cgoUnknown, "cgo is not ruled out: no build context to read"
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return cgoUnknown, fmt.Sprintf("cgo is not ruled out: build context %s: %v", dir, errors.Unwrap(err))
	}
	defer root.Close()
	sc := &cgoScan{p: p, fsys: root.FS(), seen: map[string]bool{}}
	for _, b := range p.builds {
		sc.build(b)
		if sc.use == cgoLibs {
			break
		}
	}
	return sc.use, sc.why
}

// build scans the packages one go build or go install compiles.
func (sc *cgoScan) build(b goBuild) {
	fc := sc.p.fx.l.factsOf(b.in)
	k := slices.Index(b.in.Run.Commands, b.c)
	cwd := fc.cwd[k]
	pkgs := goPackages(b.c)
	if len(pkgs) == 0 {
		pkgs = []string{"."}
	}
	for _, pkg := range pkgs {
		if strings.Contains(pkg, "@") {
			sc.note(cgoUnknown, fmt.Sprintf("cgo is not ruled out: %s is fetched, not in the build context", pkg))
			continue
		}
		pattern, all := strings.CutSuffix(pkg, "...")
		pattern = strings.TrimSuffix(pattern, "/")
		var dir string
		switch {
		case pattern == "" && all:
			dir, _ = sc.contextDir(b.in, cwd)
			dir, _ = sc.moduleRoot(dir)
		case strings.HasPrefix(pattern, ".") || path.IsAbs(pattern):
			var ok bool
			if dir, ok = sc.contextDir(b.in, fc.abs(pattern, cwd)); !ok {
				sc.note(cgoUnknown, fmt.Sprintf("cgo is not ruled out: %s is not copied from the build context", fc.abs(pattern, cwd)))
				continue
			}
		default:
			// An import path: in the module the build runs in, or fetched.
			here, ok := sc.contextDir(b.in, cwd)
			if !ok {
				sc.note(cgoUnknown, fmt.Sprintf("cgo is not ruled out: %s is not copied from the build context", cwd))
				continue
			}
			modRoot, mod := sc.moduleRoot(here)
			d, ok := sc.local(modRoot, mod, pattern)
			if !ok {
				sc.note(cgoUnknown, fmt.Sprintf("cgo is not ruled out: %s is not in the build context", pkg))
				continue
			}
			dir = d
		}
		if all {
			sc.tree(dir)
		} else {
			sc.pkg(dir)
		}
	}
}

// contextDir maps a directory of the build stage to the directory of the
// context a COPY (the last one before the build that covers it) filled it
// from; false when no COPY did.
func (sc *cgoScan) contextDir(build *Instruction, dir string) (string, bool) {
	l := sc.p.fx.l
	ins := sc.p.s.Instructions
	for _, in := range slices.Backward(ins[:slices.Index(ins, build)]) {
		if in.Cmd != "copy" && in.Cmd != "add" || len(in.Args) < 2 {
			continue
		}
		if _, ok := in.Flag("from"); ok {
			continue
		}
		dest := unquote(in.Args[len(in.Args)-1])
		if !path.IsAbs(dest) {
			dest = path.Join(cmp.Or(l.workdir(in), "/"), dest)
		}
		dest = path.Clean(dest)
		if !under(dir, dest) {
			continue
		}
		rel := strings.TrimPrefix(strings.TrimPrefix(dir, dest), "/")
		for _, src := range slices.Backward(sources(in)) {
			src = unquote(src)
			if strings.ContainsAny(src, "*?[$") || strings.Contains(src, "://") {
				continue
			}
			ctx := path.Join(strings.TrimPrefix(path.Clean("/"+src), "/"), rel)
			if ctx == "" {
				ctx = "."
			}
			if st, err := fs.Stat(sc.fsys, ctx); err == nil && st.IsDir() {
				return ctx, true
			}
		}
	}
	return "", false
}

// moduleRoot finds the go.mod at or above dir in the context, and returns
// its directory and module path; "" for both when there is none.
func (sc *cgoScan) moduleRoot(dir string) (string, string) {
	for d := dir; ; d = path.Dir(d) {
		if data, err := fs.ReadFile(sc.fsys, path.Join(d, "go.mod")); err == nil {
			return d, modulePath(data)
		}
		if d == "." || d == "/" || d == "" {
			return dir, ""
		}
	}
}

// modulePath returns the module directive of a go.mod file.
func modulePath(gomod []byte) string {
	s := bufio.NewScanner(bytes.NewReader(gomod))
	for s.Scan() {
		f := strings.Fields(s.Text())
		if len(f) >= 2 && f[0] == "module" {
			if p, err := strconv.Unquote(f[1]); err == nil {
				return p
			}
			return f[1]
		}
	}
	return ""
}

// local returns the context directory of an import path: in the module,
// or in its vendor directory; false when it is in neither.
func (sc *cgoScan) local(modRoot, mod, imp string) (string, bool) {
	if mod != "" && (imp == mod || strings.HasPrefix(imp, mod+"/")) {
		return path.Join(modRoot, strings.TrimPrefix(strings.TrimPrefix(imp, mod), "/")), true
	}
	vendored := path.Join(modRoot, "vendor", imp)
	if st, err := fs.Stat(sc.fsys, vendored); err == nil && st.IsDir() {
		return vendored, true
	}
	return "", false
}

// tree scans every package under dir, as a ./... pattern builds them.
func (sc *cgoScan) tree(dir string) {
	err := fs.WalkDir(sc.fsys, dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		name := d.Name()
		if p != dir && (name == "testdata" || name == "vendor" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")) {
			return fs.SkipDir
		}
		if sc.files++; sc.files > cgoMaxFiles {
			return errCgoBudget
		}
		sc.pkg(p)
		return nil
	})
	if err != nil {
		sc.note(cgoUnknown, fmt.Sprintf("cgo is not ruled out: %s: %v", dir, err))
	}
}

// pkg scans the package in dir and, through its imports, the packages of
// the module (or its vendor directory) it needs.
func (sc *cgoScan) pkg(dir string) {
	if sc.seen[dir] {
		return
	}
	sc.seen[dir] = true
	entries, err := fs.ReadDir(sc.fsys, dir)
	if err != nil {
		sc.note(cgoUnknown, fmt.Sprintf("cgo is not ruled out: %s: %v", dir, errors.Unwrap(err)))
		return
	}
	var imports []string
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") {
			continue
		}
		file := path.Join(dir, name)
		if slices.Contains(cSources, path.Ext(name)) {
			sc.note(cgoLibc, fmt.Sprintf("%s is built with cgo", file))
			continue
		}
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		if sc.files++; sc.files > cgoMaxFiles {
			sc.note(cgoUnknown, "cgo is not ruled out: "+errCgoBudget.Error())
			return
		}
		imps, ok := sc.goFile(file)
		if !ok {
			return
		}
		imports = append(imports, imps...)
	}
	modRoot, mod := sc.moduleRoot(dir)
	for _, imp := range imports {
		if d, ok := sc.local(modRoot, mod, imp); ok {
			sc.pkg(d)
			continue
		}
		if first, _, _ := strings.Cut(imp, "/"); strings.Contains(first, ".") {
			// A module the build downloads: its packages may use cgo
			// (go-sqlite3 builds without it, and fails at run time).
			sc.note(cgoUnknown, fmt.Sprintf("cgo is not ruled out: %s imports %s, which is not in the build context", dir, imp))
		}
		// The standard library: its cgo (net, os/user) has pure Go
		// fallbacks, so CGO_ENABLED=0 builds the same program.
	}
}

// goFile reads one Go file's imports, and notes its cgo: an import "C" and
// the libraries its #cgo lines link. false when it cannot be read.
func (sc *cgoScan) goFile(file string) ([]string, bool) {
	fail := func(err error) ([]string, bool) {
		sc.note(cgoUnknown, fmt.Sprintf("cgo is not ruled out: %s: %v", file, err))
		return nil, false
	}
	st, err := fs.Stat(sc.fsys, file)
	if err != nil {
		return fail(errors.Unwrap(err))
	}
	if st.Size() > cgoMaxFileSize {
		return fail(errCgoBudget)
	}
	data, err := fs.ReadFile(sc.fsys, file)
	if err != nil {
		return fail(errors.Unwrap(err))
	}
	af, err := parser.ParseFile(token.NewFileSet(), file, data, parser.ImportsOnly|parser.ParseComments)
	if err != nil {
		return fail(err)
	}
	var out []string
	for _, d := range af.Decls {
		gd, ok := d.(*ast.GenDecl)
		if !ok || gd.Tok != token.IMPORT {
			continue
		}
		for _, spec := range gd.Specs {
			is := spec.(*ast.ImportSpec)
			imp, err := strconv.Unquote(is.Path.Value)
			if err != nil {
				continue
			}
			if imp != "C" {
				out = append(out, imp)
				continue
			}
			sc.note(cgoLibc, fmt.Sprintf("%s imports \"C\"", file))
			// The preamble is the comment right above import "C": the
			// spec's, or the declaration's when it is not in parentheses.
			doc := is.Doc
			if doc == nil && !gd.Lparen.IsValid() {
				doc = gd.Doc
			}
			if doc == nil {
				continue
			}
			if libs := cgoLinks(doc.Text()); libs != "" {
				sc.note(cgoLibs, fmt.Sprintf("%s links %s", file, libs))
			}
		}
	}
	return out, true
}

// cgoLinks returns what a cgo preamble's #cgo lines link beyond libcLibs
// (pkg-config packages, -l libraries, -L directories, other linker
// flags), "" when nothing.
func cgoLinks(preamble string) string {
	var extra []string
	for line := range strings.Lines(preamble) {
		rest, ok := strings.CutPrefix(strings.TrimSpace(line), "#cgo ")
		if !ok {
			continue
		}
		head, flags, ok := strings.Cut(rest, ":")
		if !ok {
			continue
		}
		words := strings.Fields(head)
		if len(words) == 0 {
			continue
		}
		switch words[len(words)-1] {
		case "pkg-config":
			for _, p := range strings.Fields(flags) {
				extra = append(extra, "pkg-config "+p)
			}
		case "LDFLAGS":
			for _, fl := range strings.Fields(flags) {
				if lib, ok := strings.CutPrefix(fl, "-l"); !ok || !libcLibs[lib] {
					extra = append(extra, fl)
				}
			}
		}
	}
	return strings.Join(extra, " ")
}
