package example

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// requireEngine skips the test when no Docker engine answers, or fails it
// when DIET_REQUIRE_ENGINE=1 says one must.
func requireEngine(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "docker", "version", "--format", "{{.Server.Version}}").CombinedOutput()
	if err == nil {
		return
	}
	msg := "no Docker engine (docker version: " + strings.TrimSpace(string(out)) + " " + err.Error() + ")"
	if os.Getenv("DIET_REQUIRE_ENGINE") == "1" {
		t.Fatal(msg + " and DIET_REQUIRE_ENGINE=1")
	}
	t.Skip(msg + "; set DIET_REQUIRE_ENGINE=1 to make this a failure")
}

// docker runs the docker CLI and returns its standard output.
func docker(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, "docker", args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("docker %s: %v: %s", strings.Join(args, " "), err, stderr.Bytes())
	}
	return stdout.String()
}

// TestEngine loads the example into the real engine, runs its binary and
// checks that the engine's merged filesystem agrees with the whiteouts:
// the caches are gone from the view, though not from the image.
func TestEngine(t *testing.T) {
	requireEngine(t)
	out := buildExample(t)
	// Leave an example image the user loaded before the test alone.
	preexisting := exec.CommandContext(t.Context(), "docker", "image", "inspect", RepoTag).Run() == nil
	docker(t, "load", "-i", out)
	if !preexisting {
		t.Cleanup(func() {
			exec.Command("docker", "rmi", "--force", RepoTag).Run()
		})
	}
	if got := strings.TrimSpace(docker(t, "run", "--rm", RepoTag, "--version")); got != VersionLine {
		t.Errorf("docker run %s --version = %q, want %q", RepoTag, got, VersionLine)
	}
	id := strings.TrimSpace(docker(t, "create", RepoTag))
	t.Cleanup(func() { exec.Command("docker", "rm", "--force", id).Run() })
	names := exportedNames(t, id)
	for _, name := range []string{"usr/local/bin/hello", "usr/local/go/VERSION", "var/lib/apt/lists/partial/", "etc/passwd"} {
		if !names[name] {
			t.Errorf("exported container has no %s", name)
		}
	}
	for name := range names {
		for _, gone := range []string{"root/go/", "root/.cache/", "var/lib/apt/lists/deb.", ".deb"} {
			if strings.HasPrefix(name, gone) || strings.HasSuffix(name, gone) {
				t.Errorf("exported container still has %s, which the cleanup layer deletes", name)
			}
		}
		if strings.Contains(name, ".wh.") {
			t.Errorf("exported container has whiteout %s", name)
		}
	}
}

// exportedNames lists the paths of a container's merged filesystem.
func exportedNames(t *testing.T, id string) map[string]bool {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), "docker", "export", id)
	rc, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	names := make(map[string]bool)
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("docker export: %v", err)
		}
		names[h.Name] = true
	}
	io.Copy(io.Discard, rc)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("docker export: %v", err)
	}
	return names
}
