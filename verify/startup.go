package verify

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"
)

// ErrNoExit means a command timed was still running at the timeout: a
// server, whose start-up cannot be timed by its exit.
var ErrNoExit = errors.New("the command was still running at the timeout")

// Startup runs c in the sandbox over rootfs n times, untraced, and returns
// the median wall time of a run: for a command that exits at once (such as
// --version), the cost of starting the program, which packing with UPX
// raises. The first run warms the page cache and is not counted.
func Startup(ctx context.Context, rootfs string, c Command, n int, opts ...Option) (time.Duration, error) {
	if n < 1 {
		return 0, fmt.Errorf("runs must be positive, got %d", n)
	}
	opts = append(slices.Clone(opts), WithTrace(false))
	var times []time.Duration
	for i := range n + 1 {
		r, err := Run(ctx, rootfs, c, opts...)
		if err != nil {
			return 0, err
		}
		if r.TimedOut {
			return 0, fmt.Errorf("time %q: %w", c.Argv, ErrNoExit)
		}
		if i > 0 {
			times = append(times, r.Elapsed)
		}
	}
	slices.Sort(times)
	return times[len(times)/2], nil
}
