package entry_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"

	"github.com/dietimage/diet/entry"
	"github.com/dietimage/diet/internal/test/tartest"
	"github.com/dietimage/diet/layerfs"
	"github.com/dietimage/diet/rootfs"
	"github.com/dietimage/diet/slim"
	"github.com/dietimage/diet/verify"
)

// TestMinimalDynamicProgram takes a Debian program linked against several
// libraries (ls: libselinux, libpcre2, libc), buried in an image with a
// shell, other programs and docs, through --level minimal: the result
// holds the program and its closure only, and runs in the sandbox as the
// original does.
func TestMinimalDynamicProgram(t *testing.T) {
	h := tartest.NewHost(t)
	for _, p := range []string{"/usr/bin/ls", "/bin/sh", "/usr/bin/cat", "/usr/bin/sleep"} {
		h.Program(p)
	}
	h.Etc()
	img := tartest.Image(t,
		tartest.Step{CreatedBy: "COPY host programs /", Entries: h.Entries()},
		tartest.Step{CreatedBy: "RUN apt-get install docs", Entries: []tartest.Entry{tartest.Sized("usr/share/doc/x/README", 50_000)}},
	)
	img, err := mutate.Config(img, v1.Config{Entrypoint: []string{"/usr/bin/ls"}, Cmd: []string{"--version"}})
	if err != nil {
		t.Fatal(err)
	}
	dir, err := verify.TempDir("", "diet-test-*") // a directory the sandbox's user can enter
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	root := filepath.Join(dir, "original")
	if err := rootfs.Extract(t.Context(), img, root); err != nil {
		t.Fatal(err)
	}
	cf, _ := img.ConfigFile()
	needs, err := entry.Needs(os.DirFS(root), cf)
	if err != nil {
		t.Fatal(err)
	}
	tree, err := layerfs.Build(t.Context(), img)
	if err != nil {
		t.Fatal(err)
	}
	p, err := slim.NewPlan(img, tree, slim.Minimal, slim.WithPaths(needs))
	if err != nil {
		t.Fatal(err)
	}
	out, err := p.Rewrite(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	slimRoot := filepath.Join(dir, "slimmed")
	if err := rootfs.Extract(t.Context(), out, slimRoot); err != nil {
		t.Fatal(err)
	}
	for _, gone := range []string{"bin/sh", "usr/bin/cat", "usr/share/doc/x/README"} {
		if _, err := os.Lstat(filepath.Join(slimRoot, gone)); err == nil {
			t.Errorf("minimal kept /%s, which ls does not need", gone)
		}
	}
	c, err := verify.CommandOf(cf, nil)
	if err != nil {
		t.Fatal(err)
	}
	before, err := verify.Run(t.Context(), root, c)
	if errors.Is(err, verify.ErrNoSandbox) && os.Getenv("DIET_REQUIRE_ENGINE") != "1" {
		t.Skipf("no sandbox here (DIET_REQUIRE_ENGINE=1 makes this a failure): %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	after, err := verify.Run(t.Context(), slimRoot, c)
	if err != nil {
		t.Fatal(err)
	}
	if same, reason := verify.Compare(before, after); !same || before.ExitCode != 0 {
		t.Errorf("minimal ls differs from the original: %s (exit %d → %d)", reason, before.ExitCode, after.ExitCode)
	}
	r, err := out.Report()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("ls image: %d -> %d bytes, output %q", r.Before.Bytes, r.After.Bytes, after.Stdout[:20])
}

// TestMinimalShellEntrypoint slims a Debian image whose entrypoint is a
// shell script that sources a file and calls programs, with others beside
// it, at --level minimal: the result runs in the sandbox as the original.
func TestMinimalShellEntrypoint(t *testing.T) {
	h := tartest.NewHost(t)
	for _, p := range []string{"/bin/sh", "/usr/bin/ls", "/usr/bin/cat", "/usr/bin/head", "/usr/bin/uname", "/usr/bin/sleep"} {
		h.Program(p)
	}
	h.Etc()
	h.Put(tartest.Dir("app"))
	h.Put(tartest.Exec("app/entrypoint.sh", []byte("#!/bin/sh\nset -e\n. /app/lib.sh\ngreet \"$(uname -s)\"\n"+
		"cat /etc/group | head -n 1\nexec ls \"$@\"\n")))
	h.Put(tartest.File("app/lib.sh", "greet() { printf 'hello %s\\n' \"$1\"; }\n"))
	img := tartest.Image(t, tartest.Step{CreatedBy: "COPY / /", Entries: h.Entries()})
	img, err := mutate.Config(img, v1.Config{Entrypoint: []string{"/app/entrypoint.sh"}, Cmd: []string{"/app"}})
	if err != nil {
		t.Fatal(err)
	}
	dir, err := verify.TempDir("", "diet-test-*") // a directory the sandbox's user can enter
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	root := filepath.Join(dir, "original")
	if err := rootfs.Extract(t.Context(), img, root); err != nil {
		t.Fatal(err)
	}
	cf, _ := img.ConfigFile()
	needs, err := entry.Needs(os.DirFS(root), cf)
	if err != nil {
		t.Fatal(err)
	}
	tree, err := layerfs.Build(t.Context(), img)
	if err != nil {
		t.Fatal(err)
	}
	p, err := slim.NewPlan(img, tree, slim.Minimal, slim.WithPaths(needs))
	if err != nil {
		t.Fatal(err)
	}
	out, err := p.Rewrite(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	slimRoot := filepath.Join(dir, "slimmed")
	if err := rootfs.Extract(t.Context(), out, slimRoot); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(filepath.Join(slimRoot, "usr/bin/sleep")); err == nil {
		t.Errorf("minimal kept /usr/bin/sleep, which the script does not call")
	}
	c, err := verify.CommandOf(cf, nil)
	if err != nil {
		t.Fatal(err)
	}
	before, err := verify.Run(t.Context(), root, c)
	if errors.Is(err, verify.ErrNoSandbox) && os.Getenv("DIET_REQUIRE_ENGINE") != "1" {
		t.Skipf("no sandbox here (DIET_REQUIRE_ENGINE=1 makes this a failure): %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	after, err := verify.Run(t.Context(), slimRoot, c)
	if err != nil {
		t.Fatal(err)
	}
	if same, reason := verify.Compare(before, after); !same || before.ExitCode != 0 {
		t.Errorf("minimal image differs from the original: %s (exit %d → %d, stderr %q)", reason, before.ExitCode, after.ExitCode, after.Stderr)
	}
	t.Logf("script image output %q", after.Stdout)
}
