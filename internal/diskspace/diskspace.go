// Package diskspace keeps diet from filling a disk. Spooling a compressed
// archive, squashing layers and extracting a rootfs write as many bytes as
// the input decompresses to, and a small gzip can expand a thousandfold. A
// [Guard] asks the filesystem for its free space (statfs) before and while
// bytes land there, and stops with an [*Error] once writing on would leave
// less than a reserve free.
//
// The reserve is [DefaultReserve] unless the user sets one: the CLI reads
// it from the environment variable DIET_MIN_FREE, parsed by [ParseSize].
package diskspace

import (
	"errors"
	"fmt"
	"io"

	"golang.org/x/sys/unix"
)

// EnvMinFree is the environment variable that sets the reserve, as a size
// for [ParseSize]; 0 turns the check off.
const EnvMinFree = "DIET_MIN_FREE"

// ErrLow is the cause of every [*Error]: writing on would leave less free
// space than the reserve.
var ErrLow = errors.New("not enough free disk space")

// Error reports that the filesystem of Dir is down to its reserve.
type Error struct {
	Dir     string // the directory written to
	Free    int64  // bytes free when the check failed
	Reserve int64  // bytes that must stay free
	Written int64  // bytes this guard had let through
}

// Error implements error.
func (e *Error) Error() string {
	return fmt.Sprintf("%s: %d bytes free after writing %d bytes, below the %d bytes kept free (%s)",
		e.Dir, e.Free, e.Written, e.Reserve, EnvMinFree)
}

// Is reports whether target is [ErrLow].
func (e *Error) Is(target error) bool { return target == ErrLow }

// Auto asks for [DefaultReserve]: max(1 GiB, 5% of the filesystem).
const Auto = -1

// DefaultReserve is the space kept free on a filesystem of total bytes
// when the user sets none: 1 GiB, or 5% of a disk larger than 20 GiB.
func DefaultReserve(total int64) int64 { return max(1<<30, total/20) }

// Guard checks the free space of the filesystem that holds a directory.
// It is not safe for concurrent use; give each stream its own.
type Guard struct {
	dir     string
	reserve int64 // Auto: DefaultReserve of the filesystem
	written int64 // bytes let through
	next    int64 // written at which to ask the filesystem again
	// first is the free space at the first check, less what was written
	// before it: the filesystem may count our writes only once they reach
	// the disk (delayed allocation), so what we wrote counts against it
	// whatever statfs says.
	first   int64
	checked bool
}

// New returns a guard for dir keeping reserve bytes free: [Auto] for
// [DefaultReserve], 0 for no check at all.
func New(dir string, reserve int64) *Guard {
	if dir == "" {
		dir = "." // never used: callers pass os.TempDir() for ""
	}
	return &Guard{dir: dir, reserve: reserve}
}

// Bounds on the bytes between two statfs calls: often enough that a write
// burst cannot overshoot the reserve by much, seldom enough to cost nothing.
const (
	minStep = 1 << 20
	maxStep = 64 << 20
)

// Check asks the filesystem now and fails when fewer than need bytes can
// be written before reaching the reserve. It sets when to ask again: after
// half the headroom left, within [minStep, maxStep] but never past the
// headroom itself.
func (g *Guard) Check(need int64) error {
	if g.reserve == 0 {
		g.next = 1<<63 - 1
		return nil
	}
	var st unix.Statfs_t
	if err := unix.Statfs(g.dir, &st); err != nil {
		return fmt.Errorf("free space of %s: %w", g.dir, err)
	}
	free := int64(st.Bavail) * int64(st.Bsize)
	if !g.checked {
		g.first, g.checked = free+g.written, true
	}
	free = min(free, g.first-g.written)
	reserve := g.reserve
	if reserve == Auto {
		reserve = DefaultReserve(int64(st.Blocks) * int64(st.Bsize))
	}
	if free-need < reserve {
		return &Error{Dir: g.dir, Free: free, Reserve: reserve, Written: g.written}
	}
	h := free - need - reserve // the headroom: never let more through unchecked
	g.next = g.written + min(max(h/2, minStep), maxStep, h)
	return nil
}

// add counts n bytes about to be written and checks when due.
func (g *Guard) add(n int) error {
	if g.written+int64(n) >= g.next {
		if err := g.Check(int64(n)); err != nil {
			return err
		}
	}
	g.written += int64(n)
	return nil
}

// Writer returns w checked by g: a write that the check refuses writes
// nothing and returns the [*Error].
func (g *Guard) Writer(w io.Writer) io.Writer { return &writer{w: w, g: g} }

type writer struct {
	w io.Writer
	g *Guard
}

// Write implements io.Writer.
func (w *writer) Write(p []byte) (int, error) {
	if err := w.g.add(len(p)); err != nil {
		return 0, err
	}
	return w.w.Write(p)
}

// Reader returns r checked by g: for a reader whose bytes are written to
// g's filesystem by code that cannot be given a writer, as when a layer is
// extracted. The check runs on what is read, before it is handed on.
func (g *Guard) Reader(r io.Reader) io.Reader { return &reader{r: r, g: g} }

type reader struct {
	r io.Reader
	g *Guard
}

// Read implements io.Reader.
func (r *reader) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	if n > 0 {
		if gerr := r.g.add(n); gerr != nil {
			return 0, gerr
		}
	}
	return n, err
}
