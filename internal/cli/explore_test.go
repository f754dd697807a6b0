package cli_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dietimage/diet/internal/fixture/example"
)

// TestExploreInTerminal runs the real binary in a terminal (tmux, 100×30)
// on the example image and drives it as a user would: it selects layer 3,
// filters /root/.cache, opens the wasted view, and quits. Without tmux the
// test is skipped, unless DIET_REQUIRE_ENGINE=1 says this is CI, where
// .ci/run installs it.
func TestExploreInTerminal(t *testing.T) {
	tmux, err := exec.LookPath("tmux")
	if err != nil {
		if os.Getenv("DIET_REQUIRE_ENGINE") == "1" {
			t.Fatal("no tmux on PATH: .ci/run installs it")
		}
		t.Skip("no tmux on PATH: the terminal test is skipped")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "diet")
	build := exec.Command("go", "build", "-o", bin, "github.com/dietimage/diet/cmd/diet")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	img := filepath.Join(dir, "example.tar")
	if err := example.Build(t.Context(), img); err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(dir, "tmux.sock") // a server of its own
	run := func(args ...string) string {
		t.Helper()
		out, err := exec.Command(tmux, append([]string{"-S", sock}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("tmux %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	t.Cleanup(func() { exec.Command(tmux, "-S", sock, "kill-server").Run() })
	run("new-session", "-d", "-s", "x", "-x", "100", "-y", "30", "-e", "TERM=xterm-256color", "-e", "CI=",
		"cd "+dir+" && "+bin+" explore example.tar; echo exited $?; sleep 30")
	screen := func(want string) string {
		t.Helper()
		var s string
		for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
			if s = run("capture-pane", "-p", "-t", "x"); strings.Contains(s, want) {
				return s
			}
		}
		t.Fatalf("the screen never showed %q:\n%s", want, s)
		return ""
	}
	screen("diet explore example.tar — 14.9 MB")
	run("send-keys", "-t", "x", "3")
	screen("filesystem as of layer 3")
	run("send-keys", "-t", "x", "/")
	run("send-keys", "-t", "x", "-l", "/root/.cache")
	run("send-keys", "-t", "x", "Enter")
	s := screen("filter /root/.cache")
	if !strings.Contains(s, "R  1.63 MB   ▾ .cache/") || !strings.Contains(s, "▾ go-build/") {
		t.Errorf("layer 3 filtered to /root/.cache: the cache, removed (R):\n%s", s)
	}
	run("send-keys", "-t", "x", "w")
	s = screen("Wasted: 2.85 MB")
	if !strings.Contains(s, "/root/.cache/go-build/") {
		t.Errorf("the wasted view:\n%s", s)
	}
	run("send-keys", "-t", "x", "q")
	s = screen("exited 0")
	if strings.Contains(s, "Wasted:") {
		t.Errorf("the alternate screen was not left on quitting:\n%s", s)
	}
}
