package debian_test

import (
	"archive/tar"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dietimage/diet/internal/debian"
)

// fakeDebootstrap puts a debootstrap on PATH that records its arguments
// in calls, runs script with the target in $t, and returns calls.
func fakeDebootstrap(t *testing.T, script string) (calls string) {
	t.Helper()
	bin := t.TempDir()
	calls = filepath.Join(bin, "calls")
	sh := "#!/bin/sh\nset -e\necho \"$@\" >>" + calls + "\nt=$3\n" + script
	if err := os.WriteFile(filepath.Join(bin, "debootstrap"), []byte(sh), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	return calls
}

// fakeMirror serves suite's Release file and nothing else.
func fakeMirror(t *testing.T, suite string) string {
	t.Helper()
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/debian/dists/"+suite+"/Release" {
			http.NotFound(w, r)
			return
		}
		io.WriteString(w, "Suite: "+suite+"\n")
	}))
	t.Cleanup(s.Close)
	return s.URL + "/debian"
}

// needRoot skips t off Linux, and where Rootfs would refuse for want of
// root checks that it does.
func needRoot(t *testing.T) {
	t.Helper()
	if runtime.GOOS != "linux" {
		t.Skipf("debootstrap needs linux, not %s", runtime.GOOS)
	}
	if os.Geteuid() != 0 {
		out := filepath.Join(t.TempDir(), "rootfs.tar")
		if err := debian.Rootfs(t.Context(), out); !errors.Is(err, debian.ErrNoDebootstrap) {
			t.Errorf("Rootfs as uid %d = %v, want ErrNoDebootstrap", os.Geteuid(), err)
		}
		t.Skip("Rootfs needs root")
	}
}

// tarNames lists the entries of the tar file name.
func tarNames(t *testing.T, name string) []string {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var names []string
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return names
		}
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		names = append(names, strings.TrimSuffix(h.Name, "/"))
	}
}

// mountsUnder lists the mount points at or below dir.
func mountsUnder(t *testing.T, dir string) []string {
	t.Helper()
	data, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		t.Fatal(err)
	}
	var points []string
	for line := range strings.Lines(string(data)) {
		if f := strings.Fields(line); len(f) > 4 && (f[4] == dir || strings.HasPrefix(f[4], dir+"/")) {
			points = append(points, f[4])
		}
	}
	return points
}

// left fails t if Rootfs left its work files (the tree, the temporary
// tar file) beside out, which has a directory of its own.
func left(t *testing.T, out string) {
	t.Helper()
	ents, err := os.ReadDir(filepath.Dir(out))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		if e.Name() != filepath.Base(out) {
			t.Errorf("Rootfs left %s behind", e.Name())
		}
	}
	if m := mountsUnder(t, filepath.Dir(out)); len(m) > 0 {
		t.Errorf("Rootfs left mounts: %q", m)
	}
}

// TestRootfs runs Rootfs on a fake debootstrap that leaves what the real
// one leaves, and a mount as a killed one does, and checks the tar, then
// that a second Rootfs reuses it.
func TestRootfs(t *testing.T) {
	needRoot(t)
	calls := fakeDebootstrap(t, `
mkdir -p "$t/etc" "$t/dev" "$t/proc" "$t/var/cache/apt/archives/partial" "$t/var/lib/apt/lists/partial"
echo fake >"$t/etc/hostname"
touch "$t/dev/null" "$t/var/cache/apt/archives/libc6.deb" "$t/var/cache/apt/archives/lock" \
	"$t/var/cache/apt/pkgcache.bin" "$t/var/lib/apt/lists/lock" "$t/var/lib/apt/lists/deb.debian.org_debian_dists_trixie_main_binary-amd64_Packages"
if mount -t tmpfs fake "$t/proc"; then touch "$t/proc/mounted"; fi
`)
	mirror := fakeMirror(t, "trixie")
	out := filepath.Join(t.TempDir(), "rootfs.tar")
	var progress []string
	opts := []debian.Option{
		debian.WithSuite("trixie"), debian.WithMirror(mirror + "/"),
		debian.WithProgress(func(line string) { progress = append(progress, line) }),
	}
	if err := debian.Rootfs(t.Context(), out, opts...); err != nil {
		t.Fatalf("Rootfs: %v", err)
	}
	left(t, out)
	got := tarNames(t, out)
	for _, want := range []string{
		"./etc/hostname", "./dev", "./proc",
		"./var/cache/apt/archives/partial", "./var/cache/apt/archives/lock",
		"./var/lib/apt/lists/partial", "./var/lib/apt/lists/lock",
	} {
		if !slices.Contains(got, want) {
			t.Errorf("the tar has no %s; it has %q", want, got)
		}
	}
	for _, p := range got {
		if strings.HasSuffix(p, ".deb") || strings.HasSuffix(p, ".bin") || strings.HasSuffix(p, "_Packages") ||
			strings.HasPrefix(p, "./dev/") || strings.HasPrefix(p, "./proc/") {
			t.Errorf("the tar has %s, which Rootfs must leave out", p)
		}
	}
	args, err := os.ReadFile(calls)
	if err != nil {
		t.Fatal(err)
	}
	if want := "--variant=minbase trixie " + out + ".tree " + mirror + "\n"; string(args) != want {
		t.Errorf("debootstrap ran with %q, want %q", args, want)
	}

	progress = nil
	if err := debian.Rootfs(t.Context(), out, opts...); err != nil {
		t.Fatalf("second Rootfs: %v", err)
	}
	if again, _ := os.ReadFile(calls); string(again) != string(args) {
		t.Errorf("second Rootfs ran debootstrap again: %q", again)
	}
	if len(progress) != 1 || !strings.HasPrefix(progress[0], "reusing ") {
		t.Errorf("second Rootfs said %q, want one line: reusing …", progress)
	}
}

// TestRootfsKilled cancels a debootstrap that has mounted /proc in its
// target and started a child: Rootfs must return at once, kill the child
// with it and leave no file and no mount behind.
func TestRootfsKilled(t *testing.T) {
	needRoot(t)
	started := filepath.Join(t.TempDir(), "started")
	fakeDebootstrap(t, `
mkdir -p "$t/proc"
mount -t tmpfs fake "$t/proc" || true
touch `+started+`
sleep 300
`)
	out := filepath.Join(t.TempDir(), "rootfs.tar")
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	go func() {
		for ctx.Err() == nil {
			if _, err := os.Stat(started); err == nil {
				cancel()
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
	}()
	start := time.Now()
	err := debian.Rootfs(ctx, out, debian.WithMirror(fakeMirror(t, debian.Suite)))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Rootfs cancelled = %v, want context.Canceled", err)
	}
	// Killing only debootstrap would leave sleep holding its output, and
	// Rootfs waiting the 10 seconds of WaitDelay.
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Rootfs took %s to return after the cancel", d)
	}
	if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Rootfs cancelled left %s (%v)", out, err)
	}
	left(t, out)
}

// TestRootfsNoNetwork: a mirror without the suite's Release file is
// ErrNoNetwork, found before debootstrap runs.
func TestRootfsNoNetwork(t *testing.T) {
	needRoot(t)
	calls := fakeDebootstrap(t, "exit 1")
	out := filepath.Join(t.TempDir(), "rootfs.tar")
	err := debian.Rootfs(t.Context(), out, debian.WithSuite("sid"), debian.WithMirror(fakeMirror(t, debian.Suite)))
	if !errors.Is(err, debian.ErrNoNetwork) {
		t.Errorf("Rootfs from a mirror without sid = %v, want ErrNoNetwork", err)
	}
	if _, err := os.Stat(calls); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("debootstrap ran although the mirror did not answer")
	}
}

// TestRootfsReuses returns an existing file as it is, needing neither
// root, nor debootstrap, nor a network.
func TestRootfsReuses(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	out := filepath.Join(t.TempDir(), "rootfs.tar")
	if err := os.WriteFile(out, []byte("kept"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := debian.Rootfs(t.Context(), out, debian.WithMirror("http://127.0.0.1:1/debian")); err != nil {
		t.Fatalf("Rootfs(%q) existing = %v", out, err)
	}
	if got, _ := os.ReadFile(out); string(got) != "kept" {
		t.Errorf("Rootfs changed the existing %s to %q", out, got)
	}
}

func TestOptions(t *testing.T) {
	for _, tc := range []struct {
		name string
		opt  debian.Option
	}{
		{"empty suite", debian.WithSuite("")},
		{"suite with a slash", debian.WithSuite("../etc")},
		{"ftp mirror", debian.WithMirror("ftp://ftp.debian.org/debian")},
		{"mirror without a host", debian.WithMirror("http:///debian")},
		{"nil log", debian.WithLog(nil)},
		{"nil progress", debian.WithProgress(nil)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "rootfs.tar")
			if err := debian.Rootfs(t.Context(), out, tc.opt); err == nil {
				t.Errorf("Rootfs with %s = nil, want an error", tc.name)
			}
			if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("Rootfs with %s made %s", tc.name, out)
			}
		})
	}
}
