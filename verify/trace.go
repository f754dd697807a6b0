package verify

import (
	"bufio"
	"io"
	"os"
	"os/exec"
	"path"
	"strconv"
	"strings"
)

// trace runs the sandbox under strace and reads what its processes failed
// to find.
type trace struct {
	strace string
	out    *os.File // strace's output: ours, outside the rootfs
	wd     string   // the command's working directory, for relative names
}

// newTrace prepares a trace, or returns nil when strace is not installed.
func newTrace(wd string) (*trace, error) {
	strace, err := exec.LookPath("strace")
	if err != nil {
		return nil, nil
	}
	f, err := os.CreateTemp("", "diet-trace-*")
	if err != nil {
		return nil, err
	}
	return &trace{strace: strace, out: f, wd: wd}, nil
}

// wrap is argv run under strace: every process (-f), file system calls and
// chroot only, non-ASCII in hex (-x), no attach or exit chatter (-qq).
func (t *trace) wrap(argv []string) []string {
	return append([]string{t.strace, "-f", "-qq", "-x", "-e", "trace=%file,chroot", "-o", t.out.Name(), "--"}, argv...)
}

func (t *trace) close() {
	t.out.Close()
	os.Remove(t.out.Name())
}

// missing parses the trace.
func (t *trace) missing() ([]string, error) {
	return parseTrace(t.out, t.wd)
}

// parseTrace reads `strace -f -x` output and returns the paths that
// processes inside the chroot failed to find (ENOENT), in the order of the
// first failure, each once. A process is inside once it has called chroot,
// and so is every process first seen after a chroot (its children): what
// unshare and the loader of the host do before does not count. Names
// relative to the working directory are made absolute; names relative to
// another directory descriptor are dropped.
func parseTrace(r io.Reader, wd string) ([]string, error) {
	var (
		missing  []string
		seen     = map[string]bool{}
		inside   = map[string]bool{}
		known    = map[string]bool{}
		pending  = map[string]string{} // pid -> start of an unfinished call
		chrooted bool
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
			known[pid], inside[pid] = true, chrooted
		}
		if strings.HasPrefix(call, "chroot(") && strings.HasSuffix(call, "= 0") {
			inside[pid], chrooted = true, true
			continue
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
