package verify

import (
	"bufio"
	"io"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
)

// trace runs the sandbox under strace and reads what its processes failed
// to find. strace runs on the host, outside every namespace of the sandbox,
// as the sandbox's own unprivileged user and with the host's clean
// environment: the traced code cannot see it, signal it or write its
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
// pivot_root only, non-ASCII in hex (-x), no attach or exit chatter (-qq).
func (t *trace) wrap(argv []string) []string {
	return append([]string{t.strace, "-f", "-qq", "-x", "-e", "trace=%file,pivot_root", "-o", t.out(), "--"}, argv...)
}

func (t *trace) close() { os.RemoveAll(t.dir) }

// missing parses the trace.
func (t *trace) missing() ([]string, error) {
	f, err := os.Open(t.out())
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return parseTrace(f, t.wd)
}

// parseTrace reads `strace -f -x` output and returns the paths that
// processes inside the sandbox failed to find (ENOENT), in the order of the
// first failure, each once. bwrap's process that makes the last pivot_root
// (into the rootfs, `pivot_root(".", ".")`) is inside from its next execve,
// that of the command, and every process first seen after that pivot_root
// is inside: what bwrap and the host's loader do before does not count. Names
// relative to the working directory are made absolute; names relative to
// another directory descriptor are dropped.
func parseTrace(r io.Reader, wd string) ([]string, error) {
	var (
		missing []string
		seen    = map[string]bool{}
		inside  = map[string]bool{}
		known   = map[string]bool{}
		pending = map[string]string{} // pid -> start of an unfinished call
		pivoter = map[string]bool{}
		pivoted bool
	)
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		pid, call, ok := strings.Cut(sc.Text(), " ")
		if !ok {
			continue
		}
		call = strings.TrimLeft(call, " ")
		if start, ok := strings.CutSuffix(call, " <unfinished ...>"); ok {
			pending[pid] = start
			continue
		}
		if strings.HasPrefix(call, "<... ") {
			_, rest, ok := strings.Cut(call, " resumed>")
			if !ok {
				continue
			}
			call = pending[pid] + rest
			delete(pending, pid)
		}
		if !known[pid] {
			known[pid], inside[pid] = true, pivoted
		}
		if strings.HasPrefix(call, `pivot_root(".", ".")`) && strings.HasSuffix(call, "= 0") {
			pivoted, pivoter[pid] = true, true
			continue
		}
		if pivoter[pid] && strings.HasPrefix(call, "execve(") {
			inside[pid] = true // the command itself, from its first exec
		}
		if !inside[pid] || !strings.Contains(call, " = -1 ENOENT ") {
			continue
		}
		if p, ok := pathArg(call, wd); ok && !seen[p] {
			seen[p] = true
			missing = append(missing, p)
		}
	}
	return missing, sc.Err()
}

// pathArg is the first path argument of a traced call, made absolute.
func pathArg(call, wd string) (string, bool) {
	_, args, ok := strings.Cut(call, "(")
	if !ok {
		return "", false
	}
	dirfd := "AT_FDCWD"
	if !strings.HasPrefix(args, `"`) { // an *at call: a directory descriptor first
		dirfd, _, _ = strings.Cut(args, ",")
	}
	q, ok := quoted(args)
	if !ok || q == "" {
		return "", false
	}
	if !path.IsAbs(q) {
		if dirfd != "AT_FDCWD" {
			return "", false
		}
		q = path.Join(wd, q)
	}
	return path.Clean(q), true
}

// quoted unquotes the first C string of s, as strace prints it.
func quoted(s string) (string, bool) {
	i := strings.IndexByte(s, '"')
	if i < 0 {
		return "", false
	}
	for j := i + 1; j < len(s); j++ {
		switch s[j] {
		case '\\':
			j++
		case '"':
			u, err := strconv.Unquote(s[i : j+1])
			return u, err == nil
		}
	}
	return "", false
}
