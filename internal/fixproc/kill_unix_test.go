//go:build unix

package fixproc

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// TestKillGroup cancels a shell whose child holds its output: the cancel
// must kill the child too, so Run returns at once, not after waitDelay.
func TestKillGroup(t *testing.T) {
	started := filepath.Join(t.TempDir(), "started")
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	c := exec.CommandContext(ctx, "sh", "-c", "sleep 300 & touch "+started+"; wait")
	var out []byte
	c.Stdout = writerFunc(func(p []byte) { out = append(out, p...) }) // a pipe, held by sleep too
	KillGroup(c)
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(started); err == nil {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	start := time.Now()
	cancel()
	err := c.Wait()
	if ee, ok := errors.AsType[*exec.ExitError](err); !ok || ee.Success() {
		t.Errorf("Wait after cancel = %v, want the kill", err)
	}
	if d := time.Since(start); d > waitDelay/2 {
		t.Errorf("Wait returned %s after the cancel: the child kept the pipe open", d)
	}
}

// writerFunc makes a function an io.Writer, so that exec copies through a
// pipe.
type writerFunc func([]byte)

func (w writerFunc) Write(p []byte) (int, error) {
	w(p)
	return len(p), nil
}
