package entry

import (
	"io/fs"
	"path"
	"strings"
)

// python keeps the top-level package a file the run used belongs to: the
// outermost of the directories holding __init__.py above it, up to a
// directory on Python's path (site-packages, dist-packages, the standard
// library's python3.X). Python imports a package's modules on demand
// (pygments loads a lexer by name, encodings a codec, a web framework a
// submodule in a handler), so any module of it may be needed later. The
// bytecode cache of a module the run did not import is left out (see
// untracedCache). A single module (x.py at the top of a path directory)
// stays as the run used it: there is nothing it could import lazily from
// itself, and its __pycache__ entry, if the run used one, is in the trace.
//
// A package in site-packages or dist-packages also keeps its
// distribution's record (NAME-VERSION.dist-info or .egg-info), which
// importlib.metadata reads for versions and entry points (pygments finds
// its plugins there).
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
		return
	}
	name := path.Base(top)
	p := k.add(PackagePython, name, top)
	if p == nil {
		return
	}
	k.walk(p, top, k.untracedCache)
	if site := path.Dir(top); isSitePackages(site) {
		if rec := k.distOf(site, name); rec != "" {
			k.walk(p, rec, nil)
		}
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

// distOf is the record (real path) of the distribution installing the
// top-level package name in the site directory site, or "": the
// .dist-info or .egg-info whose top_level.txt names it, else whose RECORD
// lists a file of it, else whose distribution name is it (normalized, as
// PyYAML for yaml would not be).
func (k *packer) distOf(site, name string) string {
	idx, ok := k.dists[site]
	if !ok {
		idx = k.distIndex(site)
		k.dists[site] = idx
	}
	if rec, ok := idx[name]; ok {
		return rec
	}
	return idx["\x00"+normalizeDist(name)]
}

// distIndex maps the top-level names of the distributions in site to
// their records; "\x00"+a normalized distribution name is the fallback.
func (k *packer) distIndex(site string) map[string]string {
	idx := map[string]string{}
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
		for _, top := range k.topLevels(rec) {
			if _, ok := idx[top]; !ok {
				idx[top] = rec
			}
		}
		dist, _, _ := strings.Cut(strings.TrimSuffix(strings.TrimSuffix(n, ".dist-info"), ".egg-info"), "-")
		if key := "\x00" + normalizeDist(dist); idx[key] == "" {
			idx[key] = rec
		}
	}
	return idx
}

// topLevels are the top-level names a distribution's record rec names:
// its top_level.txt, else the first directories of the files its RECORD
// lists. An .egg-info that is a file names none.
func (k *packer) topLevels(rec string) []string {
	if !k.isDir(rec) {
		return nil
	}
	var tops []string
	if b, err := k.rt.ReadFile(rec+"/top_level.txt", maxTopLevel); err == nil {
		for l := range strings.SplitSeq(string(b), "\n") {
			if l = strings.TrimSpace(l); l != "" {
				top, _, _ := strings.Cut(l, "/")
				tops = append(tops, top)
			}
		}
		return tops
	}
	b, err := k.rt.ReadFile(rec+"/RECORD", maxRecord)
	if err != nil {
		return nil
	}
	for l := range strings.SplitSeq(string(b), "\n") {
		file, _, _ := strings.Cut(strings.Trim(l, "\""), ",")
		if top, rest, ok := strings.Cut(file, "/"); ok && rest != "" && top != ".." && top != path.Base(rec) &&
			!strings.HasSuffix(top, ".data") && top != "__pycache__" {
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
