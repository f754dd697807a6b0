package debian

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"

	"github.com/dietimage/diet/internal/atomicfile"
	"github.com/dietimage/diet/internal/fixproc"
)

// What Rootfs debootstraps unless told otherwise.
const (
	Suite  = "bookworm"                     // see [WithSuite]
	Mirror = "http://deb.debian.org/debian" // see [WithMirror]
)

// Errors for a machine that cannot make a rootfs at all, whatever the
// options.
var (
	// ErrNoDebootstrap: not Linux, not root, or debootstrap is missing and
	// apt-get could not install it.
	ErrNoDebootstrap = errors.New("no debootstrap")
	// ErrNoNetwork: the mirror's Release file could not be fetched. It is
	// fixproc's, which the other fixtures' probes return too.
	ErrNoNetwork = fixproc.ErrNoNetwork
)

// Rootfs makes out, a tar of a minbase Debian (debootstrap
// --variant=minbase) without apt's lists and downloaded packages and
// without device nodes: a container engine makes /dev, and the next layer's
// apt-get update must be what brings the lists in. The tar keeps numeric
// owners and extended attributes.
//
// An existing out is complete and is kept as it is: remove it to make it
// again. Rootfs works in out+".tree" and a temporary file beside out
// (atomicfile's .NAME.diet-RANDOM) and removes both, and a Rootfs that was
// killed leaves them to the next one.
func Rootfs(ctx context.Context, out string, opts ...Option) error {
	o, err := makeOptions(opts)
	if err == nil {
		err = o.rootfs(ctx, out)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", out, err)
	}
	return nil
}

func (o *options) rootfs(ctx context.Context, out string) error {
	if _, err := os.Stat(out); err == nil {
		o.logf("reusing %s", out)
		return nil
	}
	if runtime.GOOS != "linux" {
		return fmt.Errorf("%w: it needs linux, not %s", ErrNoDebootstrap, runtime.GOOS)
	}
	if uid := os.Geteuid(); uid != 0 {
		return fmt.Errorf("%w: it needs root, and this is uid %d", ErrNoDebootstrap, uid)
	}
	deb, err := o.debootstrap(ctx)
	if err != nil {
		return err
	}
	// A mirror that does not answer is a missing network, not a failing
	// debootstrap.
	if err := fixproc.Probe(ctx, o.mirror+"/dists/"+o.suite+"/Release"); err != nil {
		return err
	}
	// What a killed Rootfs left: no other Rootfs of out runs (doc.go).
	tree := out + ".tree"
	if err := removeTree(tree); err != nil {
		return err
	}
	if err := atomicfile.RemoveTemps(out); err != nil {
		return err
	}
	defer removeTree(tree)
	o.logf("debootstrap --variant=minbase %s from %s (a few minutes)", o.suite, o.mirror)
	c := exec.CommandContext(ctx, deb, "--variant=minbase", o.suite, tree, o.mirror)
	c.Env = append(os.Environ(), "PATH="+os.Getenv("PATH")+":/usr/sbin:/sbin")
	if err := o.run(ctx, c); err != nil {
		return err
	}
	// debootstrap unmounts what it mounted, unless it was interrupted.
	if err := unmountUnder(tree); err != nil {
		return err
	}
	if err := clean(tree); err != nil {
		return err
	}
	f, err := atomicfile.Create(out)
	if err != nil {
		return err
	}
	defer f.Abort()
	c = exec.CommandContext(ctx, "tar", "--numeric-owner", "--xattrs", "-C", tree, "-cf", f.Name(), ".")
	if err := o.run(ctx, c); err != nil {
		return err
	}
	if err := f.Commit(ctx, 0o644); err != nil {
		return err
	}
	if fi, err := os.Stat(out); err == nil {
		o.logf("wrote %s (%d bytes)", out, fi.Size())
	}
	return nil
}

// clean empties what Debian's own base images ship empty: debootstrap
// leaves its downloaded packages, apt's lists and device nodes behind.
func clean(tree string) error {
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

// removeTree removes dir, detaching every mount at or below it first, so
// that removing never reaches into them. A missing dir is no error.
func removeTree(dir string) error {
	if err := unmountUnder(dir); err != nil {
		return err
	}
	return os.RemoveAll(dir)
}
