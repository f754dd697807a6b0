package elfdeps

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
)

// This file builds realistic image roots from this machine's own files,
// and runs programs inside them with chroot: the real ld.so is the oracle.

// rootChain follows p through the symlinks under root, clamped to root as a
// chroot would, and returns every symlink passed and the final path, all
// slash-rooted. It is written apart from tree.resolve, on purpose: it uses
// os.Lstat and os.Readlink and restarts from the top after every link.
func rootChain(t *testing.T, root, p string) []string {
	t.Helper()
	var out []string
	for hops := 0; ; hops++ {
		if hops > 40 {
			t.Fatalf("rootChain(%q, %q): link loop", root, p)
		}
		parts := strings.Split(strings.Trim(filepath.Clean("/"+p), "/"), "/")
		followed := false
		for i := range parts {
			prefix := "/" + strings.Join(parts[:i+1], "/")
			fi, err := os.Lstat(filepath.Join(root, prefix))
			if err != nil {
				t.Fatalf("rootChain(%q, %q): %v", root, p, err)
			}
			if fi.Mode()&fs.ModeSymlink == 0 {
				continue
			}
			target, err := os.Readlink(filepath.Join(root, prefix))
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, prefix)
			if !filepath.IsAbs(target) {
				target = filepath.Join(filepath.Dir(prefix), target)
			}
			p = filepath.Join(append([]string{"/", target}, parts[i+1:]...)...)
			followed = true
			break
		}
		if !followed {
			return append(out, filepath.Clean("/"+p))
		}
	}
}

// copyChain copies the host's file at p into root with every symlink on
// the way, so root sees the same links as the host.
func copyChain(t *testing.T, root, p string) {
	t.Helper()
	for _, q := range rootChain(t, "/", p) {
		copyEntry(t, "/", root, q)
	}
}

// copyEntry copies one file or symlink from src to dst (two roots), making
// parent directories. An existing entry is left alone.
func copyEntry(t *testing.T, src, dst, p string) {
	t.Helper()
	from, to := filepath.Join(src, p), filepath.Join(dst, p)
	if _, err := os.Lstat(to); err == nil {
		return
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Lstat(from)
	if err != nil {
		t.Fatal(err)
	}
	if fi.IsDir() {
		if err := os.MkdirAll(to, 0o755); err != nil {
			t.Fatal(err)
		}
		return
	}
	if fi.Mode()&fs.ModeSymlink != 0 {
		target, err := os.Readlink(from)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(target, to); err != nil {
			t.Fatal(err)
		}
		return
	}
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, data, fi.Mode().Perm()); err != nil {
		t.Fatal(err)
	}
}

// copyFiles makes a new root holding only files (slash-rooted) from src.
func copyFiles(t *testing.T, src string, files []string) string {
	t.Helper()
	dst := t.TempDir()
	for _, f := range files {
		copyEntry(t, src, dst, f)
	}
	return dst
}

// ldd lists what the host's loader maps for prog: the paths it opened and
// the names it could not find; static is true for a static PIE. It only
// chooses what tests copy and checks what Closure found; the package itself
// never runs it. ok is false when ldd refuses prog.
func ldd(t *testing.T, prog string) (paths, missing []string, static, ok bool) {
	t.Helper()
	out, err := exec.Command("ldd", prog).Output()
	if err != nil {
		return nil, nil, false, false // not a dynamic executable, or not one ldd can run
	}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		name, where, arrow := strings.Cut(line, " => ")
		switch {
		case strings.HasPrefix(line, "linux-vdso") || strings.HasPrefix(line, "linux-gate"):
		case line == "statically linked":
			static = true
		case arrow && strings.HasPrefix(where, "not found"):
			missing = append(missing, name)
		case arrow:
			paths = append(paths, strings.Fields(where)[0])
		case strings.HasPrefix(line, "/"):
			paths = append(paths, strings.Fields(line)[0])
		default:
			t.Fatalf("ldd %s: unexpected line %q", prog, line)
		}
	}
	return paths, missing, static, true
}

// chrootRun runs argv inside root with env and returns its standard output.
// Like a container, root gets a /proc: glibc finds a program's $ORIGIN
// through /proc/self/exe, and drops $ORIGIN paths without it. It skips the
// test when this machine does not allow chroot or mount.
func chrootRun(t *testing.T, root string, env []string, argv ...string) (string, error) {
	t.Helper()
	proc := filepath.Join(root, "proc")
	if err := os.MkdirAll(proc, 0o555); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mount("proc", proc, "proc", syscall.MS_NOSUID|syscall.MS_NODEV|syscall.MS_NOEXEC, ""); err != nil {
		t.Skipf("mount proc on %s: %v: this machine does not let tests build a chroot (run them as root)", proc, err)
	}
	defer func() {
		if err := syscall.Unmount(proc, syscall.MNT_DETACH); err != nil {
			t.Fatalf("unmount %s: %v", proc, err)
		}
	}()
	cmd := exec.CommandContext(t.Context(), argv[0], argv[1:]...)
	cmd.Env = env
	cmd.Dir = "/"
	cmd.SysProcAttr = &syscall.SysProcAttr{Chroot: root}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if errors.Is(err, syscall.EPERM) {
		t.Skipf("chroot %s: %v: this machine does not let tests chroot (run them as root)", root, err)
	}
	if err != nil {
		return string(out), errors.Join(err, errors.New(stderr.String()))
	}
	return string(out), nil
}

// run runs a host command in dir and fails the test on error.
func run(t *testing.T, dir string, env []string, name string, args ...string) {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
}

func need(t *testing.T, tools ...string) {
	t.Helper()
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed: %v", tool, err)
		}
	}
}

func writeFile(t *testing.T, root, p string, data []byte, mode fs.FileMode) {
	t.Helper()
	full := filepath.Join(root, p)
	if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(full, data, mode); err != nil {
		t.Fatal(err)
	}
}

func symlink(t *testing.T, root, target, p string) {
	t.Helper()
	full := filepath.Join(root, p)
	if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, full); err != nil {
		t.Fatal(err)
	}
}

// union returns the sorted union of the chains of paths under root.
func union(t *testing.T, root string, paths ...string) []string {
	t.Helper()
	var all []string
	for _, p := range paths {
		all = append(all, rootChain(t, root, p)...)
	}
	slices.Sort(all)
	return slices.Compact(all)
}

// diff describes how two sorted lists differ, for failure messages.
func diff(want, got []string) string {
	var b strings.Builder
	for _, w := range want {
		if !slices.Contains(got, w) {
			io.WriteString(&b, "\n-"+w)
		}
	}
	for _, g := range got {
		if !slices.Contains(want, g) {
			io.WriteString(&b, "\n+"+g)
		}
	}
	return b.String()
}
