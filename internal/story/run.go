package story

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
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
	killGroup(c)
	if err := c.Run(); err != nil {
		return nil, fmt.Errorf("%s: %w%s", strings.Join(c.Args, " "), err, tail(both.Bytes(), b.cmdLog.Name()))
	}
	return stdout.Bytes(), nil
}

// tail formats the last lines of a command's output for an error message.
func tail(out []byte, logName string) string {
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) == 1 && lines[0] == "" {
		return ""
	}
	const keep = 12
	more := ""
	if len(lines) > keep {
		lines = lines[len(lines)-keep:]
		more = fmt.Sprintf(" (the rest is in %s)", logName)
	}
	return fmt.Sprintf("; its output ends%s:\n\t%s", more, strings.Join(lines, "\n\t"))
}

// probe gets url to tell a missing network from a failing step.
func probe(ctx context.Context, url string) error {
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrNoNetwork, err)
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%w: GET %s: %s", ErrNoNetwork, url, resp.Status)
	}
	return nil
}

// removeTree deletes dir even though the module cache makes its files and
// directories read-only.
func removeTree(dir string) error {
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() {
			err = os.Chmod(p, 0o755)
		}
		return err
	})
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return os.RemoveAll(dir)
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
