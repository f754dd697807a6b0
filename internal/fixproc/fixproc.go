package fixproc

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// ErrNoNetwork is the cause of a [Probe] that got no answer, or not 200.
var ErrNoNetwork = errors.New("no network")

// probeTimeout bounds a Probe: a network that does not answer within it
// is missing, not slow.
const probeTimeout = 20 * time.Second

// Probe gets url, so that a fixture tells a missing network (a mirror or
// proxy that does not answer, or answers other than 200 OK) from a
// command that fails: the error is then [ErrNoNetwork]. A url that makes
// no request is another error.
func Probe(ctx context.Context, url string) error {
	ctx, cancel := context.WithTimeout(ctx, probeTimeout)
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

// tailLines is how many lines of a command's output an error quotes.
const tailLines = 12

// Tail formats the last lines of a command's output for the end of an
// error message: "; its output ends:" and the lines, indented, or "" for
// no output. When lines were left out and logName is set, it says the
// rest is in logName.
func Tail(out []byte, logName string) string {
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) == 1 && lines[0] == "" {
		return ""
	}
	more := ""
	if len(lines) > tailLines {
		lines = lines[len(lines)-tailLines:]
		if logName != "" {
			more = fmt.Sprintf(" (the rest is in %s)", logName)
		}
	}
	return fmt.Sprintf("; its output ends%s:\n\t%s", more, strings.Join(lines, "\n\t"))
}

// RemoveAll deletes dir even though the go command made its module
// cache's files and directories read-only. A missing dir is no error.
func RemoveAll(dir string) error {
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
