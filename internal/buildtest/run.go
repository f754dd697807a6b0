package buildtest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"time"

	"github.com/dietimage/diet/internal/fixproc"
)

// runner runs the preparation's commands and keeps their output in a log
// file, so a failure can be read in full without flooding the test log.
type runner struct {
	log io.Writer // prepare.log in the cache directory
	say func(format string, args ...any)
}

// logf writes a step's headline to the test log and to prepare.log.
func (r *runner) logf(format string, args ...any) {
	fmt.Fprintf(r.log, "### "+format+"\n", args...)
	r.say(format, args...)
}

// run runs c, killing its whole process group when ctx ends, and returns
// its standard output. Both outputs go to the log; the error carries the
// end of standard error.
func (r *runner) run(ctx context.Context, c *exec.Cmd) ([]byte, error) {
	fmt.Fprintf(r.log, "$ %s\n", strings.Join(c.Args, " "))
	var stdout, stderr bytes.Buffer
	c.Stdout = io.MultiWriter(&stdout, r.log)
	c.Stderr = io.MultiWriter(&stderr, r.log)
	fixproc.KillGroup(c)
	start := time.Now()
	err := c.Run()
	fmt.Fprintf(r.log, "# %s, %v\n", time.Since(start).Round(time.Millisecond), err)
	if err != nil {
		if ctx.Err() != nil {
			err = fmt.Errorf("%w (%w)", ctx.Err(), err)
		}
		return stdout.Bytes(), fmt.Errorf("%s: %w: %s", c.Args[0], err, tail(stderr.Bytes(), 1500))
	}
	return stdout.Bytes(), nil
}

// docker runs the docker CLI.
func (r *runner) docker(ctx context.Context, args ...string) ([]byte, error) {
	return r.run(ctx, exec.CommandContext(ctx, "docker", args...))
}

// tail returns the last n bytes of b, trimmed.
func tail(b []byte, n int) string {
	b = bytes.TrimSpace(b)
	if len(b) > n {
		b = append([]byte("…"), b[len(b)-n:]...)
	}
	return string(b)
}
