package verify

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// trace runs the sandbox under strace and reads what its processes found
// and failed to find. strace runs on the host, outside every namespace of
// the sandbox, as the sandbox's own unprivileged user and with the host's
// clean environment: the traced code cannot see it, signal it or write its
// output, and gains nothing by being traced.
type trace struct {
	strace string
	dir    string // strace's own directory, outside the rootfs
	wd     string // the command's working directory, for relative names
}

// newTrace prepares a trace whose output the sandbox's user, host, may write.
func newTrace(strace, wd string, host int, switchTo bool) (*trace, error) {
	dir, err := os.MkdirTemp("", "diet-trace-*")
	if err != nil {
		return nil, err
	}
	if switchTo {
		if err := os.Chown(dir, host, host); err != nil {
			os.Remove(dir)
			return nil, err
		}
	}
	return &trace{strace: strace, dir: dir, wd: wd}, nil
}

func (t *trace) out() string { return filepath.Join(t.dir, "trace") }

// wrap is argv run under strace: every process (-f), file system calls and
// pivot_root only, the path of every descriptor printed after it (-y), non-ASCII in hex
// (-x), no attach or exit chatter (-qq). --seccomp-bpf stops a process
// only at the calls traced, not at every call: a Python server's traced
// start and probes took 3.2 × its untraced ones without it, 2.1 × with it
// (bench/trace.sh). Where the filter cannot be set up, strace stops at
// every call as before.
//
// A file is mapped (mmap) and a directory listed (getdents64) through a
// descriptor that a call of %file opened (openat, open, creat, execve),
// so the opens name everything a process maps or lists; tracing those
// calls too would add the allocator's anonymous maps for nothing. What
// the kernel opens by itself (a program's ELF interpreter, a script's
// "#!" interpreter) is not seen: readers of [Result.Accessed] add the
// ELF closure.
func (t *trace) wrap(argv []string) []string {
	return append([]string{t.strace, "-f", "--seccomp-bpf", "-qq", "-x", "-y", "-e", "trace=%file,pivot_root", "-o", t.out(), "--"}, argv...)
}

func (t *trace) close() { os.RemoveAll(t.dir) }

// read parses the trace.
func (t *trace) read() (*traced, error) {
	f, err := os.Open(t.out())
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return parseTrace(f, t.wd)
}

// Bounds of what a trace may make diet hold: the traced code chooses the
// names, and a name may be 4 KiB long.
const (
	maxTraceLine  = 1 << 20  // bytes of one line: longer ones are skipped
	maxTracePaths = 64 << 20 // bytes of the distinct names kept, missing and accessed
	maxPending    = 16 << 20 // bytes of the calls left unfinished at once: more are lost
)

// errTraceSize means a trace names more distinct paths than diet keeps.
var errTraceSize = errors.New("the trace names too many distinct paths")

// traced is what a trace says.
type traced struct {
	missing   []string  // failed with ENOENT, in the order of the first failure
	accessed  []string  // succeeded, sorted
	processes int       // processes seen inside
	programs  []Program // executed, by path
}

// parseTrace reads `strace -f -x -y` output: the paths that processes
// inside the sandbox failed to find (ENOENT), in the order of the first
// failure, and the paths their successful calls named, sorted, each once.
// bwrap's process that makes the last pivot_root (into the rootfs,
// `pivot_root(".", ".")`) is inside from its next execve, that of the
// command, and every process first seen after that pivot_root is inside:
// what bwrap and the host's loader do before does not count.
//
// Names relative to a directory are made absolute with the path strace
// prints after its descriptor ("AT_FDCWD</srv>", "3</usr/lib>"); calls
// that print no directory (access, readlink, chdir, execve) use the
// process's working directory as last printed or changed by chdir, else
// wd (a process that inherited another directory from its parent and
// names a relative path before any *at call is taken to be in wd). A
// name whose directory is not known, or is deleted, is dropped. Accessed
// paths leave out /proc, /dev and /sys, which are not the image's, and
// add the path printed after a descriptor a call returned (an open
// through a symlink gives the link and its target).
func parseTrace(r io.Reader, wd string) (*traced, error) {
	p := &traceParser{
		wd: wd, seen: map[string]bool{}, accessed: map[string]bool{},
		inside: map[string]bool{}, known: map[string]bool{}, pending: map[string]string{},
		pivoter: map[string]bool{}, cwd: map[string]string{}, runs: map[string]int{},
	}
	br := bufio.NewReaderSize(r, 64<<10)
	for {
		line, err := readLine(br)
		if line != "" {
			if perr := p.line(line); perr != nil {
				return nil, perr
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	t := &traced{missing: p.missing, accessed: slices.Sorted(maps.Keys(p.accessed))}
	for _, in := range p.inside {
		if in {
			t.processes++
		}
	}
	for _, name := range slices.Sorted(maps.Keys(p.runs)) {
		t.programs = append(t.programs, Program{Path: name, Runs: p.runs[name]})
	}
	return t, nil
}

// readLine reads a line without its newline; a line longer than
// maxTraceLine comes back empty.
func readLine(br *bufio.Reader) (string, error) {
	var long []byte
	skip := false
	for {
		frag, err := br.ReadSlice('\n')
		if !skip {
			if len(long)+len(frag) > maxTraceLine {
				skip, long = true, nil
			} else {
				long = append(long, frag...)
			}
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if skip {
			return "", err
		}
		return strings.TrimSuffix(string(long), "\n"), err
	}
}

type traceParser struct {
	wd          string
	missing     []string
	seen        map[string]bool // in missing
	accessed    map[string]bool
	size        int // bytes of the names in seen and accessed
	inside      map[string]bool
	known       map[string]bool
	pending     map[string]string // pid -> start of an unfinished call
	pendingSize int
	pivoter     map[string]bool
	pivoted     bool
	cwd         map[string]string // pid -> working directory, as last known
	runs        map[string]int    // program -> successful execs
}

func (p *traceParser) line(line string) error {
	pid, rest, ok := strings.Cut(line, " ")
	if !ok || !isNumber(pid) {
		return nil
	}
	rest = strings.TrimLeft(rest, " ")
	if start, ok := strings.CutSuffix(rest, " <unfinished ...>"); ok {
		p.pendingSize -= len(p.pending[pid])
		delete(p.pending, pid)
		if p.pendingSize+len(start) <= maxPending {
			p.pending[pid] = start
			p.pendingSize += len(start)
		}
		return nil
	}
	if strings.HasPrefix(rest, "<... ") {
		_, after, ok := strings.Cut(rest, " resumed>")
		start, had := p.pending[pid]
		p.pendingSize -= len(start)
		delete(p.pending, pid)
		if !ok || !had || len(start)+len(after) > maxTraceLine {
			return nil
		}
		rest = start + after
	}
	if !p.known[pid] {
		p.known[pid], p.inside[pid] = true, p.pivoted
	}
	if strings.HasPrefix(rest, `pivot_root(".", ".")`) && strings.HasSuffix(rest, "= 0") {
		p.pivoted, p.pivoter[pid] = true, true
		return nil
	}
	if p.pivoter[pid] && strings.HasPrefix(rest, "execve(") {
		p.inside[pid] = true // the command itself, from its first exec
	}
	if !p.inside[pid] {
		return nil
	}
	c, ok := parseCall(rest)
	if !ok {
		return nil
	}
	refs := pathRefs(c.name)
	for _, a := range c.args {
		if a.raw == "AT_FDCWD" && isAbsDir(a.fdPath) {
			p.cwd[pid] = strings.Clone(a.fdPath) // what the kernel says beats what we kept
		}
	}
	switch {
	case c.ok():
		for _, ref := range refs {
			if name, ok := p.resolve(pid, c, ref); ok {
				if err := p.access(name); err != nil {
					return err
				}
				if c.name == "chdir" {
					p.cwd[pid] = strings.Clone(name)
				}
				if c.name == "execve" || c.name == "execveat" {
					p.runs[strings.Clone(name)]++ // its name is in accessed: bounded with it
				}
			}
		}
		if isAbsDir(c.fd) {
			return p.access(path.Clean(c.fd))
		}
	case c.err == "ENOENT" && len(refs) > 0:
		if name, ok := p.resolve(pid, c, refs[0]); ok && !p.seen[name] {
			if err := p.grow(name); err != nil {
				return err
			}
			name = strings.Clone(name)
			p.seen[name] = true
			p.missing = append(p.missing, name)
		}
	}
	return nil
}

// access records an accessed path, unless it is of the sandbox's own
// mounts.
func (p *traceParser) access(name string) error {
	for _, m := range []string{"/proc", "/dev", "/sys"} {
		if name == m || strings.HasPrefix(name, m+"/") {
			return nil
		}
	}
	if p.accessed[name] {
		return nil
	}
	if err := p.grow(name); err != nil {
		return err
	}
	p.accessed[strings.Clone(name)] = true // not the line it was cut from
	return nil
}

func (p *traceParser) grow(name string) error {
	p.size += len(name)
	if p.size > maxTracePaths {
		return fmt.Errorf("%w: more than %d bytes of names", errTraceSize, maxTracePaths)
	}
	return nil
}

// resolve is the absolute path that the argument ref of c names.
func (p *traceParser) resolve(pid string, c call, ref pathRef) (string, bool) {
	if ref.path >= len(c.args) {
		return "", false
	}
	a := c.args[ref.path]
	if !a.quoted || a.str == "" {
		return "", false
	}
	if path.IsAbs(a.str) {
		return path.Clean(a.str), true
	}
	var dir string
	switch {
	case ref.dir >= len(c.args):
	case ref.dir >= 0 && (c.args[ref.dir].raw != "AT_FDCWD" || c.args[ref.dir].fdPath != ""):
		dir = c.args[ref.dir].fdPath // what the kernel said, or nothing
	default:
		dir = p.workdir(pid)
	}
	if !isAbsDir(dir) {
		return "", false
	}
	return path.Join(dir, a.str), true
}

// workdir is the working directory of pid, as last known.
func (p *traceParser) workdir(pid string) string {
	if d, ok := p.cwd[pid]; ok {
		return d
	}
	return p.wd
}

// isAbsDir reports whether a path strace printed for a descriptor is one
// to go by: absolute (not "pipe:[12]", "socket:[3]"), and not deleted.
func isAbsDir(s string) bool {
	return path.IsAbs(s) && !strings.HasSuffix(s, " (deleted)")
}

// pathRef says where a call's path argument is: its index, and the index
// of the directory descriptor it is relative to (-1: the working
// directory).
type pathRef struct{ path, dir int }

// pathRefs are the path arguments of a call of strace's %file class: the
// first one first. A call it does not know names its first argument,
// when that is a string.
func pathRefs(name string) []pathRef {
	switch name {
	case "openat", "openat2", "faccessat", "faccessat2", "newfstatat", "fstatat64", "statx",
		"readlinkat", "execveat", "fchmodat", "fchmodat2", "fchownat", "utimensat", "futimesat",
		"unlinkat", "mkdirat", "mknodat", "name_to_handle_at", "getxattrat", "setxattrat",
		"listxattrat", "removexattrat":
		return []pathRef{{1, 0}}
	case "rename", "link":
		return []pathRef{{0, -1}, {1, -1}}
	case "renameat", "renameat2", "linkat":
		return []pathRef{{1, 0}, {3, 2}}
	case "symlink": // the target is only a string
		return []pathRef{{1, -1}}
	case "symlinkat":
		return []pathRef{{2, 1}}
	case "inotify_add_watch":
		return []pathRef{{1, -1}}
	case "fanotify_mark":
		return []pathRef{{4, 3}}
	case "mount", "umount2", "pivot_root", "chroot", "swapon", "swapoff", "acct", "quotactl",
		"open_tree", "move_mount", "fspick", "mount_setattr":
		return nil // refused by the sandbox's seccomp filter, or bwrap's own
	}
	return []pathRef{{0, -1}}
}
