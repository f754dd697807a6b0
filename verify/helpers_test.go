package verify

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/dietimage/diet/internal/test/tartest"
	"github.com/dietimage/diet/rootfs"
)

type entries = []tartest.Entry

// toolsImage is an image of host programs: ls, cat, id, sleep and sh, with
// their libraries and an /etc.
func toolsImage(t testing.TB, more ...tartest.Step) v1.Image {
	t.Helper()
	h := tartest.NewHost(t)
	for _, p := range []string{"/usr/bin/ls", "/usr/bin/cat", "/usr/bin/id", "/usr/bin/sleep", "/bin/sh"} {
		h.Program(p)
	}
	h.Etc()
	return tartest.Image(t, append([]tartest.Step{{CreatedBy: "COPY host programs /", Entries: h.Entries()}}, more...)...)
}

// extracted extracts img into a fresh directory.
func extracted(t testing.TB, img v1.Image) string {
	t.Helper()
	tmp, err := TempDir("", "diet-test-*")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { writable(tmp); os.RemoveAll(tmp) })
	dir := filepath.Join(tmp, "rootfs")
	if err := rootfs.Extract(t.Context(), img, dir); err != nil {
		t.Fatalf("rootfs.Extract: %v", err)
	}
	return dir
}

// writable opens the directories under dir to their owner, so that a
// test not running as root can remove the read-only ones an image has.
func writable(dir string) {
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() {
			os.Chmod(p, 0o755)
		}
		return nil
	})
}

// requireSandbox skips t where Run cannot build its sandbox, or fails it
// when DIET_REQUIRE_ENGINE=1 (CI): there nothing may skip silently.
func requireSandbox(t testing.TB) {
	t.Helper()
	msg := ""
	if _, err := exec.LookPath("bwrap"); err != nil {
		msg = "the sandbox needs bubblewrap (bwrap)"
	} else if _, err := exec.LookPath("prlimit"); err != nil {
		msg = "the sandbox needs util-linux prlimit"
	}
	if msg == "" {
		return
	}
	if os.Getenv("DIET_REQUIRE_ENGINE") == "1" {
		t.Fatalf("%s, and DIET_REQUIRE_ENGINE=1 makes it mandatory", msg)
	}
	t.Skipf("%s (DIET_REQUIRE_ENGINE=1 fails instead)", msg)
}
