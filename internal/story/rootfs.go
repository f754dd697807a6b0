package story

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// rootfs makes rootfs.tar, the base layer: a minbase Debian debootstrapped
// from [Mirror]. An existing rootfs.tar is complete, since it is renamed
// into place only once written.
func (b *builder) rootfs(ctx context.Context) error {
	out := filepath.Join(b.dir, "rootfs.tar")
	if _, err := os.Stat(out); err == nil {
		b.logf("reusing %s", out)
		return nil
	}
	if os.Geteuid() != 0 {
		return &StepError{Step: "debootstrap", Err: fmt.Errorf("%w: debootstrap needs root", ErrNoDebootstrap)}
	}
	deb, err := b.debootstrap(ctx)
	if err != nil {
		return &StepError{Step: "debootstrap", Err: err}
	}
	release := Mirror + "/dists/" + Suite + "/Release"
	if err := probe(ctx, release); err != nil {
		return &StepError{Step: "debootstrap", Err: fmt.Errorf("%s: %w", Mirror, err)}
	}
	tree := filepath.Join(b.dir, "rootfs.tmp")
	if err := removeTree(tree); err != nil {
		return &StepError{Step: "debootstrap", Err: err}
	}
	defer removeTree(tree)
	b.logf("debootstrap --variant=minbase %s from %s (a few minutes)", Suite, Mirror)
	c := exec.CommandContext(ctx, deb, "--variant=minbase", Suite, tree, Mirror)
	c.Env = append(os.Environ(), "PATH="+os.Getenv("PATH")+":/usr/sbin:/sbin")
	if _, err := b.run(c); err != nil {
		return &StepError{Step: "debootstrap", Err: err}
	}
	// debootstrap unmounts what it mounted, unless it was interrupted.
	if err := unmountUnder(tree); err != nil {
		return &StepError{Step: "debootstrap", Err: err}
	}
	if err := cleanBase(tree); err != nil {
		return &StepError{Step: "debootstrap", Err: err}
	}
	tmp := out + ".tmp"
	c = exec.CommandContext(ctx, "tar", "--numeric-owner", "--xattrs", "-C", tree, "-cf", tmp, ".")
	if _, err := b.run(c); err != nil {
		os.Remove(tmp)
		return &StepError{Step: "tar rootfs", Err: err}
	}
	if err := commit(tmp, out); err != nil {
		return &StepError{Step: "tar rootfs", Err: err}
	}
	if fi, err := os.Stat(out); err == nil {
		b.logf("wrote %s (%d bytes)", out, fi.Size())
	}
	return nil
}

// debootstrap finds debootstrap, installing it with apt-get if it is
// missing.
func (b *builder) debootstrap(ctx context.Context) (string, error) {
	if p, err := lookSbin("debootstrap"); err == nil {
		return p, nil
	}
	aptGet, err := lookSbin("apt-get")
	if err != nil {
		return "", fmt.Errorf("%w: it is not installed and there is no apt-get to install it", ErrNoDebootstrap)
	}
	b.logf("installing debootstrap with apt-get")
	env := append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
	for _, args := range [][]string{{"update"}, {"install", "-y", "debootstrap"}} {
		c := exec.CommandContext(ctx, aptGet, args...)
		c.Env = env
		if _, err := b.run(c); err != nil {
			return "", fmt.Errorf("%w: installing it: %w", ErrNoDebootstrap, err)
		}
	}
	p, err := lookSbin("debootstrap")
	if err != nil {
		return "", fmt.Errorf("%w: apt-get installed it, but: %w", ErrNoDebootstrap, err)
	}
	return p, nil
}

// lookSbin finds an administrator's command on PATH or in the sbin
// directories a user's PATH may lack.
func lookSbin(name string) (string, error) {
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	for _, dir := range []string{"/usr/sbin", "/sbin", "/usr/bin"} {
		p := filepath.Join(dir, name)
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", &exec.Error{Name: name, Err: exec.ErrNotFound}
}

// cleanBase empties what Debian's own base images ship empty: debootstrap
// leaves its downloaded packages, apt's lists and device nodes behind. The
// story's base had no package lists or archives; the next layer's apt-get
// update and install must be what brings them in.
func cleanBase(tree string) error {
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
