package story

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/dietimage/diet/internal/fixproc"
)

// builder holds what the steps of one Build share.
type builder struct {
	dir     string
	log     io.Writer // progress lines
	cmdLog  *os.File  // build.log: every command's output
	started time.Time
}

func newBuilder(dir string, log io.Writer) (*builder, error) {
	f, err := os.OpenFile(filepath.Join(dir, "build.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(f, "\n==== story build %s\n", time.Now().Format(time.RFC3339))
	return &builder{dir: dir, log: log, cmdLog: f, started: time.Now()}, nil
}

func (b *builder) close() { b.cmdLog.Close() }

// logf writes one progress line, stamped with the time since the start.
func (b *builder) logf(format string, args ...any) {
	fmt.Fprintf(b.log, "story: [%4ds] %s\n", int(time.Since(b.started).Seconds()), fmt.Sprintf(format, args...))
}

// run runs c, appending its stdout and stderr to build.log, and returns its
// stdout. The error names the command and quotes the end of its output.
func (b *builder) run(c *exec.Cmd) ([]byte, error) {
	fmt.Fprintf(b.cmdLog, "$ %s\n", strings.Join(c.Args, " "))
	var stdout, both bytes.Buffer
	c.Stdout = io.MultiWriter(&stdout, &both, b.cmdLog)
	c.Stderr = io.MultiWriter(&both, b.cmdLog)
	fixproc.KillGroup(c)
	if err := c.Run(); err != nil {
		return nil, fmt.Errorf("%s: %w%s", strings.Join(c.Args, " "), err, fixproc.Tail(both.Bytes(), b.cmdLog.Name()))
	}
	return stdout.Bytes(), nil
}

// copyTree copies the regular files and directories of src to dst, making
// them writable, the way a checkout under GOPATH/src would be.
func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		switch {
		case d.IsDir():
			return os.MkdirAll(target, 0o755)
		case d.Type().IsRegular():
			fi, err := d.Info()
			if err != nil {
				return err
			}
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			return os.WriteFile(target, data, 0o644|fi.Mode().Perm()&0o111)
		default:
			return fmt.Errorf("%s: not a regular file or directory", p)
		}
	})
}
