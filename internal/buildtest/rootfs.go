package buildtest

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
)

// Suite and DebianMirror are what the rootfs is debootstrapped from, and
// the archive the mirror records.
const (
	Suite        = "bookworm"
	DebianMirror = "http://deb.debian.org/debian"
)

// rootfs makes rootfs.tar in dir: a minbase Debian without apt's lists and
// caches. An existing rootfs.tar is complete, since it is renamed into
// place only once written.
func (r *runner) rootfs(ctx context.Context, dir string) (string, error) {
	out := filepath.Join(dir, "rootfs.tar")
	if _, err := os.Stat(out); err == nil {
		return out, nil
	}
	if os.Geteuid() != 0 {
		return "", errors.New("debootstrap needs root")
	}
	deb, err := r.debootstrapCmd(ctx)
	if err != nil {
		return "", err
	}
	tree := filepath.Join(dir, "rootfs.tmp")
	if err := removeTree(tree); err != nil {
		return "", err
	}
	defer removeTree(tree)
	r.logf("debootstrap --variant=minbase %s from %s", Suite, DebianMirror)
	c := exec.CommandContext(ctx, deb, "--variant=minbase", Suite, tree, DebianMirror)
	c.Env = append(os.Environ(), "PATH="+os.Getenv("PATH")+":/usr/sbin:/sbin")
	if _, err := r.run(ctx, c); err != nil {
		return "", err
	}
	// debootstrap unmounts what it mounted, unless it was interrupted.
	if err := unmountUnder(tree); err != nil {
		return "", err
	}
	if err := cleanRootfs(tree); err != nil {
		return "", err
	}
	tmp := out + ".tmp"
	c = exec.CommandContext(ctx, "tar", "--numeric-owner", "--xattrs", "-C", tree, "-cf", tmp, ".")
	if _, err := r.run(ctx, c); err != nil {
		os.Remove(tmp)
		return "", err
	}
	return out, commit(tmp, out)
}

// debootstrapCmd finds debootstrap, installing it with apt-get if missing.
func (r *runner) debootstrapCmd(ctx context.Context) (string, error) {
	find := func() (string, error) {
		if p, err := exec.LookPath("debootstrap"); err == nil {
			return p, nil
		}
		for _, p := range []string{"/usr/sbin/debootstrap", "/sbin/debootstrap"} {
			if _, err := os.Stat(p); err == nil {
				return p, nil
			}
		}
		return "", exec.ErrNotFound
	}
	if p, err := find(); err == nil {
		return p, nil
	}
	r.logf("apt-get install debootstrap")
	c := exec.CommandContext(ctx, "apt-get", "install", "-y", "--no-install-recommends", "debootstrap")
	c.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
	if _, err := r.run(ctx, c); err != nil {
		return "", fmt.Errorf("no debootstrap: %w", err)
	}
	return find()
}

// cleanRootfs removes what Docker's Debian images do not ship: apt's lists
// and package caches, and device nodes (the engine makes /dev).
func cleanRootfs(tree string) error {
	var doomed []string
	for _, pattern := range []string{
		"var/cache/apt/archives/*.deb", "var/cache/apt/*.bin",
		"var/lib/apt/lists/*", "dev/*",
	} {
		m, err := filepath.Glob(filepath.Join(tree, pattern))
		if err != nil {
			return err
		}
		doomed = append(doomed, m...)
	}
	for _, p := range doomed {
		switch filepath.Base(p) {
		case "partial", "lock", "auxfiles":
			continue // apt's own directories and lock, present in every image
		}
		if err := os.RemoveAll(p); err != nil {
			return err
		}
	}
	return nil
}

// removeTree deletes dir, never following a mount out of it, even when the
// Go module cache made its directories read-only.
func removeTree(dir string) error {
	if err := unmountUnder(dir); err != nil {
		return err
	}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() {
			err = os.Chmod(p, 0o755)
		}
		return err
	})
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return os.RemoveAll(dir)
}

// unmountUnder detaches every mount at or below dir, deepest first: a
// debootstrap that was killed leaves /proc and /sys mounted in its target.
func unmountUnder(dir string) error {
	data, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return err
	}
	dir = filepath.Clean(dir)
	var points []string
	sc := bufio.NewScanner(strings.NewReader(string(data)))
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 5 {
			continue
		}
		// mountinfo escapes spaces as \040; our paths have none.
		if p := fields[4]; p == dir || strings.HasPrefix(p, dir+"/") {
			points = append(points, p)
		}
	}
	slices.SortFunc(points, func(a, b string) int { return len(b) - len(a) })
	for _, p := range points {
		if err := syscall.Unmount(p, syscall.MNT_DETACH); err != nil && !errors.Is(err, syscall.EINVAL) {
			return &os.PathError{Op: "unmount", Path: p, Err: err}
		}
	}
	return nil
}
