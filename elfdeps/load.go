package elfdeps

import (
	"errors"
	"io/fs"
	"path"
	"strings"
)

// object is one ELF file mapped into a program, as ld.so's link_map.
type object struct {
	path   string // the path it was opened by, unresolved: ld.so's l_name
	real   string
	origin string // what $ORIGIN expands to
	elf    *elfFile
	loader *object // the object whose DT_NEEDED brought it in; nil for the program
}

// namespace is one program being loaded: ld.so loads each program's
// libraries afresh, so names satisfied in one say nothing about another.
type namespace struct {
	c      *closer
	musl   string // the arch of a musl loader ("x86_64"); "" for glibc's rules
	exe    *object
	interp *object
	loaded map[string]*object // by requested name, DT_SONAME (glibc) and opened path
	byReal map[string]*object
	queue  []*object
}

// load adds the libraries of the program at real, breadth first as ld.so
// maps them: which file satisfies a name depends on who asked first.
func (c *closer) load(real string, e *elfFile) {
	// The kernel gives ld.so the program's resolved path (/proc/self/exe),
	// so the program's $ORIGIN is the directory of its real path.
	exe := &object{path: real, real: real, origin: rooted(parent(real)), elf: e}
	ns := &namespace{c: c, exe: exe, loaded: map[string]*object{}, byReal: map[string]*object{}}
	if e.interp != "" {
		if base := path.Base(e.interp); strings.HasPrefix(base, "ld-musl-") {
			ns.musl = strings.TrimSuffix(strings.TrimPrefix(base, "ld-musl-"), ".so.1")
		}
		var rejected []string
		ns.interp, _ = ns.try(c.o.abs(e.interp), exe, &rejected)
		if ns.interp == nil {
			c.miss(real, e.interp, rejected)
		} else {
			ns.interp.loader = nil
			ns.add(ns.interp, e.interp)
		}
	}
	ns.add(exe, "")
	ns.queue = []*object{exe}
	for _, name := range ns.preloads() {
		ns.need(exe, name)
	}
	for i := 0; i < len(ns.queue); i++ {
		o := ns.queue[i]
		if len(o.elf.needed) > 0 {
			c.needed[o.real] = o.elf.needed
		}
		for _, name := range o.elf.needed {
			ns.need(o, name)
		}
	}
}

// preloads lists LD_PRELOAD and, for glibc, /etc/ld.so.preload.
func (ns *namespace) preloads() []string {
	names := ns.c.o.preload
	if ns.musl != "" {
		return names
	}
	const file = "/etc/ld.so.preload"
	real, _, err := ns.c.root.Resolve(file)
	if err != nil {
		return names
	}
	data, err := ns.c.readSmall(real)
	if err != nil {
		return names
	}
	ns.c.keepConf[file] = true
	return append(names[:len(names):len(names)], splitList(string(data), " \t\n:")...)
}

// need satisfies name for o, unless an object already does.
func (ns *namespace) need(o *object, name string) {
	if _, ok := ns.loaded[name]; ok {
		return
	}
	lib, rejected := ns.find(name, o)
	if lib == nil {
		ns.c.miss(o.real, name, rejected)
		return
	}
	if prev, ok := ns.byReal[lib.real]; ok { // the same file by another name
		ns.loaded[name] = prev
		return
	}
	ns.add(lib, name)
	ns.queue = append(ns.queue, lib)
}

func (ns *namespace) add(o *object, name string) {
	if name != "" {
		ns.loaded[name] = o
	}
	ns.loaded[rooted(o.path)] = o
	if ns.musl == "" && o.elf.soname != "" { // musl matches no DT_SONAME
		ns.loaded[o.elf.soname] = o
	}
	ns.byReal[o.real] = o
}

// find looks for the library name that o needs. rejected lists the files
// by that name that were tried and could not be used.
func (ns *namespace) find(name string, o *object) (lib *object, rejected []string) {
	if strings.Contains(name, "/") {
		cands := []string{name}
		if ns.musl == "" {
			cands = ns.expand(name, o)
		}
		for _, p := range cands {
			lib, next := ns.try(ns.c.o.abs(p), o, &rejected)
			if lib != nil || !next {
				return lib, rejected
			}
		}
		return nil, rejected
	}
	if ns.musl != "" && ns.interp != nil && muslReserved(name) {
		return ns.interp, nil
	}
	for _, d := range ns.dirs(o) {
		lib, next := ns.try(d.dir+"/"+name, o, &rejected)
		if lib != nil && d.conf != "" {
			ns.c.keepConf[d.conf] = true
		}
		if lib != nil || !next {
			return lib, rejected
		}
	}
	return nil, rejected
}

// try opens the candidate p for needer, as ld.so's open_verify does, and
// says whether the search goes on. An absent file is passed over. glibc
// also passes over a file of another class or machine, noting it in
// rejected; any other unusable file (not ELF, malformed, another byte order,
// not a shared object, a symlink loop) stops the search of either loader.
func (ns *namespace) try(p string, needer *object, rejected *[]string) (lib *object, next bool) {
	real, links, err := ns.c.root.Resolve(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, true
	}
	var e *elfFile
	if err == nil {
		e, err = ns.c.elf(real)
	}
	if err == nil && needer.elf.fits(e) {
		ns.c.keep(links, real)
		// ld.so takes a library's $ORIGIN from the path it opened, unresolved.
		origin := rooted(p[:max(strings.LastIndexByte(p, '/'), 0)])
		return &object{path: p, real: real, origin: origin, elf: e, loader: needer}, false
	}
	*rejected = append(*rejected, rooted(p))
	n := needer.elf
	return nil, err == nil && ns.musl == "" &&
		(e.class != n.class || e.data == n.data && e.machine != n.machine)
}

// muslReserved reports whether musl's loader answers name itself, without a
// file: its libc and the libraries folded into it.
func muslReserved(name string) bool {
	for _, r := range []string{"libc.", "libpthread.", "librt.", "libm.", "libdl.", "libutil.", "libxnet."} {
		if strings.HasPrefix(name, r) {
			return true
		}
	}
	return false
}
