package elfdeps

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
)

// lsRoot builds an image root from this machine's /usr/bin/ls, the
// libraries ldd says it uses and the loader configuration, with Debian's
// merged-usr links (/bin, /lib, /lib64 → usr/...) as they are on the host,
// plus libraries ls does not need, which Closure must leave out.
func lsRoot(t *testing.T) (root string, want []string) {
	t.Helper()
	if _, err := os.Stat("/usr/bin/ls"); err != nil {
		t.Skipf("no /usr/bin/ls on this machine: %v", err)
	}
	paths, missing, _, ok := ldd(t, "/usr/bin/ls")
	if !ok || len(missing) > 0 || len(paths) < 2 {
		t.Skipf("ldd /usr/bin/ls: %v missing %v: not a dynamically linked ls", paths, missing)
	}
	root = t.TempDir()
	for _, p := range append([]string{"/usr/bin/ls"}, paths...) {
		copyChain(t, root, p)
	}
	for _, link := range []string{"/bin", "/lib", "/lib64", "/sbin"} {
		if fi, err := os.Lstat(link); err == nil && fi.Mode()&os.ModeSymlink != 0 {
			copyChain(t, root, link)
		}
	}
	confs, _ := filepath.Glob("/etc/ld.so.conf.d/*.conf")
	for _, p := range append([]string{"/etc/ld.so.conf"}, confs...) {
		copyChain(t, root, p)
	}
	for _, extra := range []string{"/usr/bin/cat", "/lib/x86_64-linux-gnu/libz.so.1", "/lib/x86_64-linux-gnu/libm.so.6"} {
		if _, err := os.Stat(extra); err == nil {
			copyChain(t, root, extra)
		}
	}
	return root, union(t, root, append([]string{"/usr/bin/ls"}, paths...)...)
}

// TestClosureLs checks Closure against ldd on a root made of the host's
// files, then runs ls inside a root holding only what Closure listed.
func TestClosureLs(t *testing.T) {
	root, want := lsRoot(t)
	got, err := Closure(os.DirFS(root), []string{"/usr/bin/ls"})
	if err != nil {
		t.Fatalf("Closure(ls) = %v", err)
	}
	if !slices.Equal(got.Files, want) {
		t.Fatalf("Closure(ls).Files differs from ldd (-want +got):%s", diff(want, got.Files))
	}
	if len(got.Missing) != 0 || len(got.Static) != 0 {
		t.Errorf("Closure(ls) Missing = %v, Static = %v, want none", got.Missing, got.Static)
	}
	if n := got.Needed["/usr/bin/ls"]; !slices.Contains(n, "libc.so.6") {
		t.Errorf("Closure(ls).Needed[/usr/bin/ls] = %q, want libc.so.6 in it", n)
	}

	env := []string{"LC_ALL=C", "PATH=/usr/bin"}
	host, err := exec.Command("/usr/bin/ls", "--version").Output()
	if err != nil {
		t.Fatal(err)
	}
	kept := copyFiles(t, root, got.Files)
	out, err := chrootRun(t, kept, env, "/usr/bin/ls", "--version")
	if err != nil {
		t.Fatalf("chroot %s ls --version: %v", kept, err)
	}
	if out != string(host) {
		t.Errorf("ls --version in the closure = %q, want %q", out, host)
	}

	// The control: the same root less one library must not run, or the
	// chroot proves nothing.
	var less []string
	for _, f := range got.Files {
		if !strings.Contains(f, "libselinux") {
			less = append(less, f)
		}
	}
	if _, err := chrootRun(t, copyFiles(t, root, less), env, "/usr/bin/ls", "--version"); err == nil {
		t.Errorf("ls ran without libselinux: the chroot does not isolate")
	}
}

// TestClosureMatchesLdd compares Closure over this machine's whole root
// with ldd for every dynamically linked program in /usr/bin and /usr/sbin.
// ldd is given the program's real path: run on a symlink, it takes $ORIGIN
// from the link's directory, where an exec takes it from /proc/self/exe
// (ldd /usr/bin/java reports libjli.so missing; java runs).
func TestClosureMatchesLdd(t *testing.T) {
	if testing.Short() {
		t.Skip("runs ldd on every program of the host")
	}
	need(t, "ldd")
	var progs []string
	for _, dir := range []string{"/usr/bin", "/usr/sbin"} {
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			p := filepath.Join(dir, e.Name())
			if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() && IsELF(os.DirFS("/"), p) {
				progs = append(progs, p)
			}
		}
	}
	if len(progs) == 0 {
		t.Skip("no ELF programs in /usr/bin")
	}
	// ldd costs a process each: an even sample keeps the test short while
	// every kind of program (setuid, static PIE, $ORIGIN users) still shows.
	const sample = 300
	if len(progs) > sample {
		var some []string
		for i := range sample {
			some = append(some, progs[i*len(progs)/sample])
		}
		progs = some
	}
	var mu sync.Mutex
	checked := 0
	sem := make(chan struct{}, 4)
	var wg sync.WaitGroup
	for _, p := range progs {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			real, err := filepath.EvalSymlinks(p)
			if err != nil {
				t.Error(err)
				return
			}
			paths, missing, static, ok := ldd(t, real)
			if !ok {
				return
			}
			got, err := Closure(os.DirFS("/"), []string{p})
			if err != nil {
				t.Errorf("Closure(%q) = %v", p, err)
				return
			}
			want := union(t, "/", append([]string{p}, paths...)...)
			var gotMissing []string
			for _, m := range got.Missing {
				gotMissing = append(gotMissing, m.Name)
			}
			slices.Sort(gotMissing)
			slices.Sort(missing)
			if static != (len(got.Static) == 1) {
				t.Errorf("Closure(%q).Static = %q; ldd says static: %v", p, got.Static, static)
			}
			if !slices.Equal(got.Files, want) || !slices.Equal(slices.Compact(gotMissing), slices.Compact(missing)) {
				t.Errorf("Closure(%q) differs from ldd (-want +got):%s\nmissing: want %q, got %q", p, diff(want, got.Files), missing, gotMissing)
			}
			mu.Lock()
			checked++
			mu.Unlock()
		})
	}
	wg.Wait()
	t.Logf("%d programs agree with ldd", checked)
}
