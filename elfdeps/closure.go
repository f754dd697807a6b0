package elfdeps

import (
	"cmp"
	"debug/elf"
	"errors"
	"io"
	"io/fs"
	"maps"
	"path"
	"slices"
	"strings"
)

var (
	// ErrNotELF means a file does not start with the ELF magic.
	ErrNotELF = errors.New("not an ELF file")
	// ErrMalformed means an ELF file's headers point outside the file,
	// claim absurd sizes or contradict each other.
	ErrMalformed = errors.New("malformed ELF")
	// ErrNotExecutable means an input is neither an ELF program nor a "#!"
	// script, or its interpreters nest deeper than the kernel allows.
	ErrNotExecutable = errors.New("not an executable")
	// ErrLinkLoop means a path passes more than 40 symlinks, as ELOOP does.
	ErrLinkLoop = errors.New("too many levels of symbolic links")
)

// maxScriptDepth is how deep "#!" interpreters may nest (Linux: 5).
const maxScriptDepth = 5

// Result is the set of files some programs need to start.
type Result struct {
	// Files lists every file to keep, slash-rooted ("/usr/lib/x/libc.so.6"),
	// sorted and unique: the programs, their "#!" and ELF interpreters, their
	// libraries, every symlink passed on the way to any of them (so that a
	// copy has the same links) and the loader configuration a library was
	// found through (/etc/ld.so.cache, /etc/ld-musl-ARCH.path,
	// /etc/ld.so.preload). Directories are not listed: a kept file implies
	// its parents.
	Files []string
	// Needed maps every ELF file in the closure that has DT_NEEDED entries,
	// by its real slash-rooted path, to those entries as written.
	Needed map[string][]string
	// Missing lists what could not be found, sorted by Needer and Name.
	// A program with a missing library fails to start; Closure still
	// returns everything else.
	Missing []Missing
	// Static lists the ELF programs with neither an interpreter nor
	// DT_NEEDED: they need nothing but themselves. Sorted, real paths.
	Static []string
}

// Missing is a library, interpreter or preload that could not be found.
type Missing struct {
	Needer string // real slash-rooted path of the file that needs Name
	Name   string // as written: a DT_NEEDED entry, a PT_INTERP or "#!" path, an LD_PRELOAD entry
	// Rejected lists the files by that name the loader tried and could not
	// use: of another ELF class or machine (glibc passes over those and
	// looks further), or not ELF, malformed, not a shared object or a
	// symlink loop, which ends the search as it ends ld.so's.
	Rejected []string
}

// Closure returns every file that the programs at paths need to start,
// over the image root fsys, as the entrypoint of a container would: each
// path is absolute within the root ("/usr/bin/ls"), relative to the working
// directory ("./app"), or a bare name looked up in PATH ("nginx"). A "#!"
// script needs its interpreter; an ELF program its PT_INTERP and, resolved
// as its loader would, every DT_NEEDED library, recursively.
//
// glibc programs search DT_RPATH (of the needer, then of what loaded it,
// only while no DT_RUNPATH is present), LD_LIBRARY_PATH, DT_RUNPATH, the
// directories of /etc/ld.so.conf (standing for ld.so.cache), then the
// default directories: multiarch (/lib/x86_64-linux-gnu, …), /lib64 and
// /usr/lib64, /lib and /usr/lib. A library that already satisfied a name, by
// that name, its DT_SONAME or being the same file, satisfies it again. musl
// programs (a PT_INTERP named ld-musl-ARCH.so.1) search LD_LIBRARY_PATH,
// the rpath chain, then /etc/ld-musl-ARCH.path or /lib:/usr/local/lib:/usr/lib.
// A file of another ELF class or machine than its needer never satisfies
// it: glibc looks further, so a 32-bit libc found first does not hide the
// 64-bit one; musl, like glibc for a file that is no library at all, stops.
//
// Unreadable or malformed inputs are errors naming the file; libraries that
// cannot be found are reported in [Result.Missing], not as errors.
func Closure(fsys fs.FS, paths []string, opts ...Option) (*Result, error) {
	o, err := makeOptions(opts)
	if err != nil {
		return nil, err
	}
	c := &closer{
		root: NewRoot(fsys), o: o,
		elfs: map[string]elfEntry{}, files: map[string]bool{}, needed: map[string][]string{},
		missing: map[[2]string]Missing{}, static: map[string]bool{}, keepConf: map[string]bool{},
		musl: map[string]muslPath{},
	}
	var errs []error
	for _, p := range paths {
		errs = append(errs, c.program(p, 0))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return c.result(), nil
}

// closer collects the closure of several programs. Each program loads in a
// namespace of its own; what was read of the filesystem is shared.
type closer struct {
	root     *Root
	o        options
	elfs     map[string]elfEntry // by real path
	files    map[string]bool     // real paths of files and symlinks to keep
	needed   map[string][]string
	missing  map[[2]string]Missing // by needer and name
	static   map[string]bool
	keepConf map[string]bool // loader configuration files a library was found through
	conf     []string        // directories of /etc/ld.so.conf, once read
	confRead bool
	musl     map[string]muslPath // by musl arch
}

type elfEntry struct {
	e   *elfFile
	err error
}

// elf parses the ELF file at a real path, once.
func (c *closer) elf(real string) (*elfFile, error) {
	if r, ok := c.elfs[real]; ok {
		return r.e, r.err
	}
	var e *elfFile
	err := c.root.ReadAt(real, func(r io.ReaderAt) error {
		var err error
		e, err = readELF(r)
		return err
	})
	if err != nil {
		err = pathError("read ELF", real, err)
	}
	c.elfs[real] = elfEntry{e, err}
	return e, err
}

// program adds the closure of one program, reached through depth "#!" lines.
func (c *closer) program(name string, depth int) error {
	if !strings.Contains(name, "/") {
		p, ok := c.lookPath(name)
		if !ok {
			return &fs.PathError{Op: "look up in PATH", Path: name, Err: fs.ErrNotExist}
		}
		name = p
	}
	real, links, err := c.root.Resolve(c.o.abs(name))
	if err != nil {
		return err
	}
	e, err := c.elf(real)
	switch {
	case errors.Is(err, ErrNotELF):
		return c.script(real, links, depth)
	case err != nil:
		return err
	case e.typ != elf.ET_EXEC && e.typ != elf.ET_DYN:
		return pathError("exec", real, ErrNotExecutable)
	}
	c.keep(links, real)
	if e.interp == "" && len(e.needed) == 0 {
		c.static[real] = true
		return nil
	}
	c.load(real, e)
	return nil
}

// script adds a "#!" script and the closure of its interpreter.
func (c *closer) script(real string, links []string, depth int) error {
	interp, args, ok := c.root.shebang(real)
	if !ok || depth >= maxScriptDepth {
		return pathError("exec", real, ErrNotExecutable)
	}
	c.keep(links, real)
	if _, _, err := c.root.Resolve(c.o.abs(interp)); errors.Is(err, fs.ErrNotExist) {
		c.miss(real, interp, nil)
		return nil
	}
	if err := c.program(c.o.abs(interp), depth+1); err != nil {
		return err
	}
	if path.Base(interp) != "env" || len(args) == 0 {
		return nil
	}
	cmd := envCommand(args[0])
	switch {
	case cmd == "":
		return nil
	case strings.Contains(cmd, "/"):
		cmd = c.o.abs(cmd)
	default:
		p, ok := c.lookPath(cmd)
		if !ok {
			c.miss(real, cmd, nil)
			return nil
		}
		cmd = p
	}
	if _, _, err := c.root.Resolve(cmd); errors.Is(err, fs.ErrNotExist) {
		c.miss(real, cmd, nil)
		return nil
	}
	return c.program(cmd, depth+1)
}

// lookPath finds a bare command name in PATH, as execvp does: the first
// regular file with an execute bit.
func (c *closer) lookPath(name string) (string, bool) {
	for _, dir := range c.o.path {
		p := c.o.abs(dir) + "/" + name
		real, _, err := c.root.Resolve(p)
		if err != nil {
			continue
		}
		if n := c.root.lstat(real); n.mode.IsRegular() && n.mode.Perm()&0o111 != 0 {
			return p, true
		}
	}
	return "", false
}

// keep adds a real file and the symlinks that led to it.
func (c *closer) keep(links []string, real string) {
	for _, l := range links {
		c.files[l] = true
	}
	c.files[real] = true
}

func (c *closer) miss(needer, name string, rejected []string) {
	c.missing[[2]string{needer, name}] = Missing{Needer: rooted(needer), Name: name, Rejected: rejected}
}

func (c *closer) result() *Result {
	for conf := range c.keepConf {
		if real, links, err := c.root.Resolve(conf); err == nil {
			c.keep(links, real)
		}
	}
	r := &Result{Needed: map[string][]string{}}
	for f := range c.files {
		r.Files = append(r.Files, rooted(f))
	}
	slices.Sort(r.Files)
	for f, n := range c.needed {
		r.Needed[rooted(f)] = slices.Clone(n)
	}
	for s := range c.static {
		r.Static = append(r.Static, rooted(s))
	}
	slices.Sort(r.Static)
	r.Missing = slices.Collect(maps.Values(c.missing))
	slices.SortFunc(r.Missing, func(a, b Missing) int {
		return cmp.Or(cmp.Compare(a.Needer, b.Needer), cmp.Compare(a.Name, b.Name))
	})
	return r
}
