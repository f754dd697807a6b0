package verify

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/dietimage/diet/internal/test/enginetest"
	"github.com/dietimage/diet/internal/test/tartest"
)

// TestRunEngineMatchesRun runs the same commands in the sandbox and on the
// engine, the oracle: Compare must find them the same.
func TestRunEngineMatchesRun(t *testing.T) {
	enginetest.Require(t)
	requireSandbox(t)
	img := toolsImage(t)
	slim := toolsImage(t, tartest.Step{CreatedBy: "RUN rm libselinux", Entries: entries{tartest.Whiteout(libselinux)}})
	tests := []struct {
		name string
		cmd  Command
		slim bool // run in the image whose libselinux a whiteout deletes
	}{
		{"ls --version", Command{Argv: []string{"ls", "--version"}}, false},
		{"user by name", Command{Argv: []string{"id"}, User: "app"}, false},
		{"user and group numbers", Command{Argv: []string{"id"}, User: "1234:50"}, false},
		{"root", Command{Argv: []string{"id"}}, false},
		{"working directory made", Command{Argv: []string{"sh", "-c", "pwd; ls -d /srv/app"}, WorkingDir: "/srv/app"}, false},
		{"PATH and HOME", Command{Argv: []string{"sh", "-c", "echo $HOME $PATH"}, User: "app"}, false},
		{"env", Command{Argv: []string{"sh", "-c", "echo $A $HOME"}, Env: []string{"A=1 2", "HOME=/h"}}, false},
		{"only loopback", Command{Argv: []string{"cat", "/proc/net/dev"}}, false},
		{"pid 1", Command{Argv: []string{"sh", "-c", "echo $$"}}, false},
		{"dev", Command{Argv: []string{"sh", "-c", "ls -l /dev/null /dev/zero /dev/urandom /dev/random | cut -c1-10"}}, false},
		{"exit status", Command{Argv: []string{"sh", "-c", "echo out; echo err >&2; exit 3"}}, false},
		{"program not found", Command{Argv: []string{"nothere"}}, false},
		{"library deleted by a whiteout", Command{Argv: []string{"ls"}}, true},
	}
	const tag = "diet-verify-test:tools"
	dir := t.TempDir()
	tartest.WriteDockerArchive(t, filepath.Join(dir, "tools.tar"), img, tag)
	tartest.WriteDockerArchive(t, filepath.Join(dir, "slim.tar"), slim, tag)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			archive, image := filepath.Join(dir, "tools.tar"), img
			if tc.slim {
				archive, image = filepath.Join(dir, "slim.tar"), slim
			}
			want, err := RunEngine(t.Context(), archive, tag, tc.cmd)
			if err != nil {
				t.Fatal(err)
			}
			got, err := Run(t.Context(), extracted(t, image), tc.cmd)
			if err != nil {
				t.Fatal(err)
			}
			same, reason := Compare(want, got)
			if reason != "" {
				t.Logf("Compare(engine, sandbox): %s", reason)
			}
			if !same {
				t.Errorf("Run and RunEngine differ: %s\nengine: %d %q %q\nsandbox: %d %q %q", reason,
					want.ExitCode, want.Stdout, want.Stderr, got.ExitCode, got.Stdout, got.Stderr)
			}
		})
	}
	if err := exec.Command("docker", "image", "inspect", tag).Run(); err == nil {
		t.Errorf("RunEngine left %s in the engine", tag)
	}
}

func TestRunEngineTimeout(t *testing.T) {
	enginetest.Require(t)
	img := toolsImage(t)
	archive := filepath.Join(t.TempDir(), "tools.tar")
	const tag = "diet-verify-test:sleep"
	tartest.WriteDockerArchive(t, archive, img, tag)
	start := time.Now()
	r, err := RunEngine(t.Context(), archive, tag, Command{Argv: []string{"sleep", "987600"}}, WithTimeout(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if !r.TimedOut || r.ExitCode != 137 {
		t.Errorf("RunEngine = exit %d, TimedOut %v; want 137, true", r.ExitCode, r.TimedOut)
	}
	if took := time.Since(start); took > 30*time.Second {
		t.Errorf("RunEngine took %v with a 1s timeout", took)
	}
	if left := enginetest.Docker(t, "ps", "--all", "--quiet", "--filter", "name=diet-verify-"); left != "" {
		t.Errorf("RunEngine left containers: %s", left)
	}
}

// TestRunEngineKeepsTag: a tag the engine had before points where it did.
func TestRunEngineKeepsTag(t *testing.T) {
	enginetest.Require(t)
	const tag = "diet-verify-test:kept"
	dir := t.TempDir()
	before := tartest.Layers(t, entries{tartest.File("before", "1")})
	tartest.WriteDockerArchive(t, filepath.Join(dir, "before.tar"), before, tag)
	enginetest.Load(t, filepath.Join(dir, "before.tar"), tag)
	id := enginetest.Docker(t, "image", "inspect", "--format", "{{.Id}}", tag)

	tartest.WriteDockerArchive(t, filepath.Join(dir, "tools.tar"), toolsImage(t), tag)
	if _, err := RunEngine(t.Context(), filepath.Join(dir, "tools.tar"), tag, Command{Argv: []string{"id"}}); err != nil {
		t.Fatal(err)
	}
	if got := enginetest.Docker(t, "image", "inspect", "--format", "{{.Id}}", tag); got != id {
		t.Errorf("after RunEngine %s is %s, want %s as before", tag, got, id)
	}
}

func TestRunEngineBadArchive(t *testing.T) {
	enginetest.Require(t)
	dir := t.TempDir()
	truncated := filepath.Join(dir, "truncated.tar")
	tartest.WriteDockerArchive(t, truncated, toolsImage(t), "diet-verify-test:bad")
	b, _ := os.ReadFile(truncated)
	os.WriteFile(truncated, b[:len(b)/2], 0o644)
	for _, archive := range []string{filepath.Join(dir, "missing.tar"), truncated} {
		t.Run(filepath.Base(archive), func(t *testing.T) {
			_, err := RunEngine(t.Context(), archive, "diet-verify-test:bad", Command{Argv: []string{"id"}})
			if !errors.Is(err, ErrEngine) {
				t.Errorf("RunEngine(%s) = %v, want ErrEngine", archive, err)
			}
		})
	}
	if err := exec.Command("docker", "image", "inspect", "diet-verify-test:bad").Run(); err == nil {
		t.Errorf("RunEngine left diet-verify-test:bad in the engine")
	}
}
