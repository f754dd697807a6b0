package entry

import (
	"io/fs"
	"path"
	"slices"
	"strings"
)

// python keeps the top-level package a file the run used belongs to: the
// outermost of the directories holding __init__.py above it, up to a
// directory on Python's path (site-packages, dist-packages, the standard
// library's python3.X). Python imports a package's modules on demand
// (pygments loads a lexer by name, encodings a codec, a web framework a
// submodule in a handler), so any module of it may be needed later. The
// bytecode cache of a module the run did not import is left out (see
// untracedCache).
//
// Above a package may lie directories without __init__.py up to the path
// directory: namespace packages (PEP 420; google/ above google/protobuf,
// Debian's zope/ and lazr/, which dh_python3 strips of their __init__.py).
// A namespace is shared by distributions, so the regular package below it
// is kept, named as imported ("google.protobuf"), not the namespace.
//
// The standard library's packages are kept whole too, measured worth it:
// Debian's python3.11 importing json, http.server, email, logging.config,
// ssl, urllib.request, concurrent.futures, importlib.metadata, asyncio,
// xml.dom.minidom, multiprocessing, ctypes, sqlite3, wsgiref, unittest
// and xmlrpc.client uses 437 files of 28.3 MB (with python3.11 and
// libcrypto); its 19 stdlib packages whole add 2.4 MB (8.5%), of which
// encodings is 1.4 MB, which must stay whole (a codec is imported by name
// when first used: b.decode("latin-1")), and the others 1.0 MB (3.6%),
// each a lazy import away from breaking (concurrent.futures imports its
// executors in __getattr__, multiprocessing its start method's module,
// logging its handlers in logging.config). The bound for a
// service is 1.3 × what its run used.
//
// A package in site-packages or dist-packages also keeps its
// distribution's record (NAME-VERSION.dist-info or .egg-info), which
// importlib.metadata reads for versions and entry points (pygments finds
// its plugins there). So does a single module there (six.py, an
// extension module): nothing else is added for it, as there is nothing it
// could import lazily from itself, and its __pycache__ entry, if the run
// used one, is in the trace.
func (k *packer) python(real string) {
	dir := path.Dir(real)
	if path.Base(dir) == "__pycache__" {
		dir = path.Dir(dir)
	}
	top := ""
	for d := dir; d != "." && d != "/" && !pythonPathDir(d); d = path.Dir(d) {
		if !k.isFile(d + "/__init__.py") {
			break
		}
		top = d
	}
	if top == "" {
		if isSitePackages(dir) {
			k.pythonModule(dir, real)
		}
		return
	}
	site, name := k.namespaceOf(top)
	p := k.add(PackagePython, strings.ReplaceAll(name, "/", "."), top)
	if p == nil {
		return
	}
	k.walk(p, top, k.untracedCache)
	if isSitePackages(site) {
		if rec := k.distOf(site, name); rec != "" {
			k.walk(p, rec, nil)
		}
	}
}

// maxNamespaceDepth bounds the namespace packages nested above a package.
const maxNamespaceDepth = 8

// namespaceOf is the path directory a regular package top lies in and its
// path relative to it ("google/protobuf"), through the namespace
// packages (directories without __init__.py) between; when no path
// directory is there, its parent and its name.
func (k *packer) namespaceOf(top string) (site, name string) {
	name = path.Base(top)
	d := path.Dir(top)
	for range maxNamespaceDepth {
		switch {
		case pythonPathDir(d):
			return d, name
		case d == "." || d == "/" || k.isFile(d+"/__init__.py"):
			return path.Dir(top), path.Base(top)
		}
		name = path.Base(d) + "/" + name
		d = path.Dir(d)
	}
	return path.Dir(top), path.Base(top)
}

// pythonModule keeps the record of the distribution that installs the
// single module (six.py, its bytecode, an extension module) the run used
// at real in the site directory site.
func (k *packer) pythonModule(site, real string) {
	b := path.Base(real)
	switch path.Ext(b) {
	case ".py", ".pyc", ".so":
	default:
		return // a .pth file, a record's file
	}
	name, _, _ := strings.Cut(b, ".")
	rec := k.distOf(site, name)
	if rec == "" {
		return
	}
	root := site + "/" + name + ".py"
	if !k.isFile(root) {
		root = real
	}
	if p := k.add(PackagePython, name, root); p != nil {
		k.walk(p, root, nil)
		k.walk(p, rec, nil)
	}
}

// untracedCache leaves out the bytecode in __pycache__ of a module the run
// did not import: Python compiles the source when the cache is missing
// (and cannot write it, or writes it, either way the import works), so
// the cache only saves that time, at a lazy import, for as many bytes as
// the sources again.
func (k *packer) untracedCache(name string, d fs.DirEntry) bool {
	return !d.IsDir() && path.Base(path.Dir(name)) == "__pycache__" && !k.traced[name]
}

// pythonPathDir reports whether the directory d is one Python's path
// holds: its packages are top-level ones.
func pythonPathDir(d string) bool {
	return isSitePackages(d) || isPythonLib(path.Base(d))
}

func isSitePackages(d string) bool {
	b := path.Base(d)
	return b == "site-packages" || b == "dist-packages"
}

// isPythonLib reports whether a directory name is a standard library's:
// python3, python3.11, python2.7.
func isPythonLib(b string) bool {
	v, ok := strings.CutPrefix(b, "python")
	return ok && v != "" && strings.Trim(v, "0123456789.") == "" && v[0] != '.'
}

// Bounds on what is read of a distribution's record.
const (
	maxTopLevel = 64 << 10
	maxRecord   = 8 << 20
)

// dists indexes the distribution records of a site directory.
type dists struct {
	tops  map[string][]string // a top-level name → the records naming it, in directory order
	names map[string]string   // a normalized distribution name → its record
	dirs  map[string]string   // a directory (site-relative, two deep or more) → the record whose RECORD lists a file in it
}

// distOf is the record (real path) of the distribution installing the
// package name (site-relative: "yaml", or "google/protobuf" below a
// namespace) in the site directory site, or "".
//
// A top-level package's is the .dist-info or .egg-info whose
// top_level.txt names it, else whose RECORD lists a file of it, else
// whose distribution name is it (normalized, as PyYAML for yaml would
// not be). Below a namespace, which several distributions name as their
// top level, it is the one whose RECORD lists a file of the package,
// else among those naming the namespace (or all, when none does) the one
// whose distribution name is the dotted name or its tail (lazr.uri for
// lazr/uri, protobuf for google/protobuf), else the only one naming the
// namespace.
func (k *packer) distOf(site, name string) string {
	idx, ok := k.dists[site]
	if !ok {
		idx = k.distIndex(site)
		k.dists[site] = idx
	}
	parts := strings.Split(name, "/")
	if len(parts) == 1 {
		if recs := idx.tops[name]; len(recs) > 0 {
			return recs[0]
		}
		return idx.names[normalizeDist(name)]
	}
	if rec, ok := idx.dirs[name]; ok {
		return rec
	}
	cands := idx.tops[parts[0]]
	for i := range parts {
		rec, ok := idx.names[normalizeDist(strings.Join(parts[i:], "."))]
		if ok && (len(cands) == 0 || slices.Contains(cands, rec)) {
			return rec
		}
	}
	if len(cands) == 1 {
		return cands[0]
	}
	return ""
}

// distIndex indexes the distribution records in site.
func (k *packer) distIndex(site string) *dists {
	idx := &dists{tops: map[string][]string{}, names: map[string]string{}, dirs: map[string]string{}}
	entries, err := k.readDir(site)
	if err != nil {
		return idx
	}
	for _, e := range entries {
		n := e.Name()
		if !strings.HasSuffix(n, ".dist-info") && !strings.HasSuffix(n, ".egg-info") {
			continue
		}
		rec := site + "/" + n
		for _, top := range k.topLevels(rec, idx.dirs) {
			if !slices.Contains(idx.tops[top], rec) {
				idx.tops[top] = append(idx.tops[top], rec)
			}
		}
		dist, _, _ := strings.Cut(strings.TrimSuffix(strings.TrimSuffix(n, ".dist-info"), ".egg-info"), "-")
		if key := normalizeDist(dist); idx.names[key] == "" {
			idx.names[key] = rec
		}
	}
	return idx
}

// topLevels are the top-level names a distribution's record rec names:
// its top_level.txt, else the first directories of the files its RECORD
// lists. The directories two deep or more of the files its RECORD lists
// go to dirs. An .egg-info that is a file names none.
func (k *packer) topLevels(rec string, dirs map[string]string) []string {
	if !k.isDir(rec) {
		return nil
	}
	var tops []string
	if b, err := k.rt.ReadFile(rec+"/RECORD", maxRecord); err == nil {
		for l := range strings.SplitSeq(string(b), "\n") {
			file, _, _ := strings.Cut(strings.Trim(l, "\""), ",")
			top, rest, ok := strings.Cut(file, "/")
			if !ok || rest == "" || top == ".." || top == path.Base(rec) || strings.HasSuffix(top, ".data") || top == "__pycache__" {
				continue
			}
			tops = append(tops, top)
			for d := path.Dir(file); strings.Contains(d, "/"); d = path.Dir(d) {
				if _, ok := dirs[d]; ok {
					break
				}
				dirs[d] = rec
			}
		}
	}
	b, err := k.rt.ReadFile(rec+"/top_level.txt", maxTopLevel)
	if err != nil {
		return tops
	}
	tops = tops[:0]
	for l := range strings.SplitSeq(string(b), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			top, _, _ := strings.Cut(l, "/")
			tops = append(tops, top)
		}
	}
	return tops
}

// normalizeDist writes a distribution or package name as PEP 503 compares
// them: lower case, runs of "-", "_" and "." as "_".
func normalizeDist(s string) string {
	s = strings.ToLower(s)
	return strings.NewReplacer("-", "_", ".", "_").Replace(s)
}
