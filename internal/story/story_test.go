package story_test

import (
	"errors"
	"io"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/dietimage/diet/internal/enginetest"
	"github.com/dietimage/diet/internal/story"
)

// build returns the story, built in story.DefaultDir (shared by runs and by
// test packages) or reused from it. A cold build takes a few minutes.
func build(t *testing.T) *story.Story {
	t.Helper()
	enginetest.Require(t)
	dir, err := story.DefaultDir()
	if err != nil {
		t.Fatal(err)
	}
	s, err := story.Build(t.Context(), dir, t.Output())
	if err != nil {
		t.Fatalf("Build(%q): %v", dir, err)
	}
	return s
}

// TestBuild loads both archives into the real engine and checks the story:
// the server runs, v1.01 ships the toolchain and the caches, and the
// mistake's cleanup layer makes the image no smaller.
func TestBuild(t *testing.T) {
	s := build(t)
	// Load without removing the tags afterwards: Build leaves them in the
	// engine anyway, and another package's test may be using them.
	for _, img := range []story.Image{s.V101, s.Mistake} {
		enginetest.Docker(t, "load", "-i", img.Archive)
		if got := enginetest.Docker(t, "image", "inspect", "--format", "{{.Id}}", img.Tag); got != img.ID {
			t.Errorf("docker load -i %s: %s is %s, want %s", img.Archive, img.Tag, got, img.ID)
		}
	}

	if got := enginetest.Docker(t, "run", "--rm", s.V101.ID, "nats-server", "--version"); got != s.Version {
		t.Errorf("docker run %s nats-server --version = %q, want %q", s.V101.Tag, got, s.Version)
	}
	if !strings.HasPrefix(s.Version, "nats-server: v") {
		t.Errorf("Version = %q, want nats-server: v…", s.Version)
	}
	if got := enginetest.Docker(t, "run", "--rm", s.V101.ID, "sh", "-c", "command -v nats-server"); got != s.Binary {
		t.Errorf("nats-server on the image's PATH is %q, want %q", got, s.Binary)
	}

	for _, path := range []string{
		"/root/go/pkg/mod/cache/download", "/root/go/pkg/mod/golang.org/x",
		"/root/.cache/go-build", "/root/go/src/github.com/nats-io/nats-server/main.go",
		"/usr/lib/go-1.19/bin/go", "/usr/bin/gcc", "/usr/bin/git",
	} {
		if _, err := dockerRun(t, s.V101.ID, "ls", "-d", path); err != nil {
			t.Errorf("v1.01 has no %s: %v", path, err)
		}
	}
	for _, glob := range []string{"/var/lib/apt/lists/*_Packages", "/var/cache/apt/archives/*.deb"} {
		if _, err := dockerRun(t, s.V101.ID, "sh", "-c", "ls -d "+glob); err != nil {
			t.Errorf("v1.01 has no %s, which apt-get in its own layer must leave: %v", glob, err)
		}
	}
	if _, err := dockerRun(t, s.Mistake.ID, "ls", "-d", "/root/go/pkg"); err == nil {
		t.Errorf("the mistake still shows /root/go/pkg, which its last layer deletes")
	}
	if got := enginetest.Docker(t, "run", "--rm", s.Mistake.ID, "nats-server", "--version"); got != s.Version {
		t.Errorf("docker run %s nats-server --version = %q, want %q", s.Mistake.Tag, got, s.Version)
	}

	v101, mistake := size(t, s.V101), size(t, s.Mistake)
	if mistake < v101 {
		t.Errorf("%s is %d bytes, smaller than %s at %d: the cleanup layer freed space", s.Mistake.Tag, mistake, s.V101.Tag, v101)
	}
	if v101 < 500e6 {
		t.Errorf("%s is %d bytes, want the story's heavy image (over 500 MB)", s.V101.Tag, v101)
	}
	t.Logf("%s %d bytes, %s %d bytes", s.V101.Tag, v101, s.Mistake.Tag, mistake)
}

// TestBuildReuses checks that a second Build of a complete directory
// returns the same story without building.
func TestBuildReuses(t *testing.T) {
	s := build(t)
	var log strings.Builder
	again, err := story.Build(t.Context(), filepath.Dir(s.V101.Archive), &log)
	if err != nil {
		t.Fatal(err)
	}
	if *again != *s {
		t.Errorf("second Build = %+v, want %+v", *again, *s)
	}
	if !strings.Contains(log.String(), "reusing") || strings.Contains(log.String(), "docker build") {
		t.Errorf("second Build logged %q, want only a reuse", log.String())
	}
}

// dockerRun runs argv in a throwaway container of image and returns its
// output; unlike enginetest.Docker a failure is the caller's to judge.
func dockerRun(t *testing.T, image string, argv ...string) (string, error) {
	t.Helper()
	out, err := execOutput(t, append([]string{"run", "--rm", image}, argv...)...)
	if err != nil {
		return "", errors.New(strings.TrimSpace(out))
	}
	return out, nil
}

// size is the image's size in the engine, as docker reports it.
func size(t *testing.T, img story.Image) int64 {
	t.Helper()
	n, err := strconv.ParseInt(enginetest.Docker(t, "image", "inspect", "--format", "{{.Size}}", img.ID), 10, 64)
	if err != nil {
		t.Fatalf("docker image inspect %s: %v", img.Tag, err)
	}
	return n
}

// TestBuildNoEngine checks that a machine without docker gets an error that
// says so, before anything is built.
func TestBuildNoEngine(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("Build needs linux")
	}
	t.Setenv("PATH", t.TempDir())
	_, err := story.Build(t.Context(), t.TempDir(), io.Discard)
	if !errors.Is(err, story.ErrNoEngine) {
		t.Fatalf("Build without docker on PATH = %v, want %v", err, story.ErrNoEngine)
	}
	if _, ok := errors.AsType[*story.StepError](err); !ok {
		t.Errorf("Build without docker on PATH = %v, want a *story.StepError", err)
	}
}

func execOutput(t *testing.T, args ...string) (string, error) {
	out, err := exec.CommandContext(t.Context(), "docker", args...).CombinedOutput()
	return strings.TrimSpace(string(out)), err
}
