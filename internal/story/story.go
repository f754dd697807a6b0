package story

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/dietimage/diet/internal/debian"
	"github.com/dietimage/diet/internal/flock"
)

// The images' tags and what is in them.
const (
	TagV101    = "diet-story:v1.01"
	TagMistake = "diet-story:mistake"
	// Module is the Go server built into the images, at its version.
	Module = "github.com/nats-io/nats-server/v2@v2.15.2"
	// Binary is the server's path in both images, on their PATH.
	Binary = "/root/go/bin/nats-server"
	// Suite and Mirror are what the base layer is debootstrapped from.
	Suite  = debian.Suite
	Mirror = debian.Mirror
)

// Errors for a machine that cannot build the story at all. Build wraps
// them in a [StepError]. The last two are package debian's, which makes
// the base layer.
var (
	ErrNoEngine      = errors.New("no Docker engine")
	ErrNoDebootstrap = debian.ErrNoDebootstrap
	ErrNoNetwork     = debian.ErrNoNetwork
)

// Story is one complete build: two docker-archives and what they hold.
type Story struct {
	V101    Image // the story's v1.01: toolchain, caches and sources shipped
	Mistake Image // V101 with a later RUN, before CMD, that deletes the caches

	Binary      string // the server's path in the images: [Binary]
	HostBinary  string // the same binary as built, unstripped, inside the build directory
	Version     string // what `nats-server --version` prints, trimmed: "nats-server: v2.15.2"
	Interpreter string // the binary's ELF interpreter, as cgo linked it against glibc
	Module      string // [Module]
	GoVersion   string // the host Go that built the server, "go1.26.8"
}

// Image is one of the story's images.
type Image struct {
	Tag     string // as tagged in the engine and recorded in the archive
	Archive string // the docker-archive (`docker save`) in the build directory
	ID      string // the engine's image ID, "sha256:…" (the config digest)
	Size    int64  // bytes, as `docker image inspect --format {{.Size}}` reported after the build
}

// Build builds the story's images into dir, or returns the build that dir
// already holds. It writes progress lines to log and the output of every
// command it runs to build.log in dir. It leaves the two tags in the
// engine, removes the base image's tag and every intermediate container.
// A Build that reuses dir does not touch the engine: load the archives.
func Build(ctx context.Context, dir string, log io.Writer) (*Story, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("story build in %s: %w", dir, err)
	}
	s, err := build(ctx, abs, log)
	if err != nil {
		return nil, fmt.Errorf("story build in %s: %w", abs, err)
	}
	return s, nil
}

func build(ctx context.Context, dir string, log io.Writer) (*Story, error) {
	if runtime.GOOS != "linux" {
		return nil, &StepError{Step: "platform", Err: fmt.Errorf("needs linux, not %s", runtime.GOOS)}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	unlock, err := flock.Lock(ctx, filepath.Join(dir, ".lock"))
	if err != nil {
		return nil, &StepError{Step: "lock", Err: err}
	}
	defer unlock()
	if s, err := loadStamp(dir); err == nil {
		fmt.Fprintf(log, "story: reusing the build in %s\n", dir)
		return s, nil
	} else if !errors.Is(err, os.ErrNotExist) {
		fmt.Fprintf(log, "story: rebuilding: %v\n", err)
		if err := os.Remove(stampPath(dir)); err != nil {
			return nil, &StepError{Step: "stamp", Err: err}
		}
	}
	start := time.Now()
	b, err := newBuilder(dir, log)
	if err != nil {
		return nil, err
	}
	defer b.close()
	s, err := b.build(ctx)
	if err != nil {
		return nil, err
	}
	if err := writeStamp(dir, s); err != nil {
		return nil, &StepError{Step: "stamp", Err: err}
	}
	fmt.Fprintf(log, "story: done in %s\n", time.Since(start).Round(time.Second))
	return s, nil
}

// build runs the steps in order. Each cached step checks its own output.
func (b *builder) build(ctx context.Context) (*Story, error) {
	if err := b.checkEngine(ctx); err != nil {
		return nil, err
	}
	// The base layer, rootfs.tar: a minbase Debian debootstrapped from
	// [Mirror], without apt's lists and archives, as the story's base had
	// none: the next layer's apt-get update and install bring them in.
	err := debian.Rootfs(ctx, filepath.Join(b.dir, "rootfs.tar"),
		debian.WithLog(b.cmdLog), debian.WithProgress(func(line string) { b.logf("%s", line) }))
	if err != nil {
		return nil, &StepError{Step: "debootstrap", Err: err}
	}
	g, err := b.goBuild(ctx)
	if err != nil {
		return nil, err
	}
	s := &Story{
		V101:        Image{Tag: TagV101, Archive: filepath.Join(b.dir, "v1.01.tar")},
		Mistake:     Image{Tag: TagMistake, Archive: filepath.Join(b.dir, "mistake.tar")},
		Binary:      Binary,
		HostBinary:  g.binary,
		Version:     g.version,
		Interpreter: g.interp,
		Module:      Module,
		GoVersion:   g.goVersion,
	}
	if err := b.images(ctx, s, g.stage); err != nil {
		return nil, err
	}
	return s, nil
}

// StepError says which step of a Build failed.
type StepError struct {
	Step string // "debootstrap", "go build", "docker build v1.01", …
	Err  error
}

func (e *StepError) Error() string { return e.Step + ": " + e.Err.Error() }

// Unwrap returns the cause.
func (e *StepError) Unwrap() error { return e.Err }

// DefaultDir is where tests and mkstory keep the build: $DIET_STORY_DIR
// when set, else diet-story under the user's cache directory, so repeated
// runs and different test packages share one build.
func DefaultDir() (string, error) {
	if d := os.Getenv("DIET_STORY_DIR"); d != "" {
		return d, nil
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(cache, "diet-story"), nil
}
