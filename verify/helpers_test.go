package verify

import (
	"archive/tar"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/dietimage/diet/internal/tartest"
)

// hostRoot collects tar entries that copy files of this host, with the
// directories and symlinks on their way, so that a program copied with the
// libraries ldd names runs in a chroot as it runs here (merged /usr and the
// loader's absolute symlink included).
type hostRoot struct {
	t       testing.TB
	entries []tartest.Entry
	have    map[string]bool
}

func newHostRoot(t testing.TB) *hostRoot {
	return &hostRoot{t: t, have: map[string]bool{}}
}

// program adds the host program at p and the libraries `ldd p` lists
// (the loader among them). The test skips when p is not on this host.
func (h *hostRoot) program(p string) *hostRoot {
	h.t.Helper()
	if _, err := os.Stat(p); err != nil {
		h.t.Skipf("this test copies %s from the host: %v", p, err)
	}
	h.add(p)
	out, err := exec.Command("ldd", p).Output() // fails for a static program: no libraries then
	if err == nil {
		for _, f := range strings.Fields(string(out)) {
			if strings.HasPrefix(f, "/") {
				h.add(f)
			}
		}
	}
	return h
}

// add adds host path p, recording each symlink met on the way and going on
// from its target, as the kernel resolves it.
func (h *hostRoot) add(p string) {
	h.t.Helper()
	cur := "/"
	parts := strings.Split(strings.Trim(path.Clean(p), "/"), "/")
	for i, el := range parts {
		q := path.Join(cur, el)
		fi, err := os.Lstat(q)
		if err != nil {
			h.t.Fatal(err)
		}
		name := strings.TrimPrefix(q, "/")
		switch {
		case fi.Mode()&fs.ModeSymlink != 0:
			target, err := os.Readlink(q)
			if err != nil {
				h.t.Fatal(err)
			}
			h.put(tartest.Symlink(name, target))
			if !path.IsAbs(target) {
				target = path.Join(cur, target)
			}
			h.add(path.Join(append([]string{target}, parts[i+1:]...)...))
			return
		case fi.IsDir():
			h.put(tartest.Dir(name))
			cur = q
		default:
			body, err := os.ReadFile(q)
			if err != nil {
				h.t.Fatal(err)
			}
			h.put(tartest.Entry{Name: name, Type: tar.TypeReg, Mode: int64(fi.Mode().Perm()), Body: body})
			return
		}
	}
}

func (h *hostRoot) put(e tartest.Entry) *hostRoot {
	if !h.have[e.Name] {
		h.have[e.Name] = true
		h.entries = append(h.entries, e)
	}
	return h
}

// etc adds the /etc/passwd and /etc/group every sandbox test uses.
func (h *hostRoot) etc() *hostRoot {
	h.put(tartest.Dir("etc"))
	h.put(tartest.File("etc/passwd", "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/home/app:/bin/sh\n"))
	h.put(tartest.File("etc/group", "root:x:0:\nstaff:x:50:\napp:x:1000:\n"))
	return h.put(tartest.Entry{Name: "tmp", Type: tar.TypeDir, Mode: 0o1777})
}

// toolsImage is an image of host programs: ls, cat, id, sleep and sh, with
// their libraries and an /etc.
func toolsImage(t testing.TB, more ...tartest.Step) v1.Image {
	t.Helper()
	h := newHostRoot(t)
	for _, p := range []string{"/usr/bin/ls", "/usr/bin/cat", "/usr/bin/id", "/usr/bin/sleep", "/bin/sh"} {
		h.program(p)
	}
	h.etc()
	return tartest.Image(t, append([]tartest.Step{{CreatedBy: "COPY host programs /", Entries: h.entries}}, more...)...)
}

// extracted extracts img into a fresh directory.
func extracted(t testing.TB, img v1.Image) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "rootfs")
	t.Cleanup(func() { writable(dir) })
	if err := Extract(t.Context(), img, dir); err != nil {
		t.Fatalf("Extract: %v", err)
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
	if os.Geteuid() != 0 {
		msg = "the sandbox needs root"
	} else if _, err := exec.LookPath("unshare"); err != nil {
		msg = "the sandbox needs util-linux unshare"
	}
	if msg == "" {
		return
	}
	if os.Getenv("DIET_REQUIRE_ENGINE") == "1" {
		t.Fatalf("%s, and DIET_REQUIRE_ENGINE=1 makes it mandatory", msg)
	}
	t.Skipf("%s (DIET_REQUIRE_ENGINE=1 fails instead)", msg)
}
