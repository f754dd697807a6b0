package entry_test

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/dietimage/diet/entry"
	"github.com/dietimage/diet/internal/test/tartest"
	"github.com/dietimage/diet/rootfs"
)

// TestTraced turns what a run used into a keep set: the files it used
// through a symlinked directory, with the link; a dangling link it read;
// a directory alone, not its other entries; the libraries and loader of
// a program it ran, which a trace does not show; a script's "#!"
// interpreter; the always-kept files; nothing for a file the run made.
func TestTraced(t *testing.T) {
	h := tartest.NewHost(t).Program("/usr/bin/cat").Program("/bin/sh").Etc()
	h.Put(tartest.Dir("app"))
	h.Put(tartest.Dir("app/data"))
	h.Put(tartest.File("app/data/used.txt", "used\n"))
	h.Put(tartest.File("app/data/unused.txt", "unused\n"))
	h.Put(tartest.Symlink("app/current", "data"))
	h.Put(tartest.Symlink("app/lock", "/run/app.pid"))
	h.Put(tartest.Exec("app/run.sh", []byte("#!/bin/sh\ncat /app/current/used.txt\n")))
	img := tartest.Image(t, tartest.Step{CreatedBy: "COPY / /", Entries: h.Entries()})
	root := filepath.Join(t.TempDir(), "rootfs")
	if err := rootfs.Extract(t.Context(), img, root); err != nil {
		t.Fatal(err)
	}
	cf := &v1.ConfigFile{Config: v1.Config{Entrypoint: []string{"/app/run.sh"}, WorkingDir: "/app"}}
	accessed := []string{"/app/current/used.txt", "/app/data", "/app/lock", "/app/run.sh", "/usr/bin/cat", "/var/made.log"}
	got, err := entry.Traced(os.DirFS(root), accessed, cf)
	if err != nil {
		t.Fatal(err)
	}
	libc, err := filepath.EvalSymlinks("/lib/x86_64-linux-gnu/libc.so.6")
	if err != nil {
		t.Skipf("this test looks for glibc where Debian has it: %v", err)
	}
	sh, err := filepath.EvalSymlinks("/bin/sh")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"/app/current", "/app/data/used.txt", "/app/data", "/app/lock", "/app/run.sh", "/usr/bin/cat",
		libc, sh, // the closure: cat's libc, run.sh's interpreter (through the /bin link here)
		"/etc/passwd", "/etc/group", "/tmp", "/app", // always kept
	} {
		if !slices.Contains(got.Paths, want) {
			t.Errorf("Traced(%q) lacks %s: %q", accessed, want, got.Paths)
		}
	}
	for _, not := range []string{"/app/data/unused.txt", "/var/made.log", "/var", "/run/app.pid"} {
		if slices.Contains(got.Paths, not) {
			t.Errorf("Traced(%q) keeps %s: %q", accessed, not, got.Paths)
		}
	}
	cat, err := os.Stat("/usr/bin/cat")
	if err != nil {
		t.Fatal(err)
	}
	script := int64(len("#!/bin/sh\ncat /app/current/used.txt\n"))
	if wantBytes := int64(len("used\n")) + script + cat.Size(); got.Files != 3 || got.Bytes != wantBytes {
		t.Errorf("Traced(%q) saw %d files of %d bytes, want 3 of %d", accessed, got.Files, got.Bytes, wantBytes)
	}
	if !slices.IsSorted(got.Paths) {
		t.Errorf("Traced paths are not sorted: %q", got.Paths)
	}
	if _, err := entry.Traced(os.DirFS(root), []string{"app/run.sh"}, cf); err == nil {
		t.Error("Traced of a relative path: no error")
	}
}
