package debian

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/dietimage/diet/internal/fixproc"
)

// debootstrap finds debootstrap, installing it with apt-get if it is
// missing.
func (o *options) debootstrap(ctx context.Context) (string, error) {
	if p, err := lookSbin("debootstrap"); err == nil {
		return p, nil
	}
	aptGet, err := lookSbin("apt-get")
	if err != nil {
		return "", fmt.Errorf("%w: it is not installed and there is no apt-get to install it", ErrNoDebootstrap)
	}
	o.logf("installing debootstrap with apt-get")
	env := append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
	// With its recommends: gpgv and debian-archive-keyring, with which
	// debootstrap checks the Release file's signature.
	for _, args := range [][]string{{"update"}, {"install", "-y", "debootstrap"}} {
		c := exec.CommandContext(ctx, aptGet, args...)
		c.Env = env
		if err := o.run(ctx, c); err != nil {
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

// run runs c in a process group of its own, which ctx's end kills, and
// appends the command and its output to the log. The error names the
// command and quotes the end of its output.
func (o *options) run(ctx context.Context, c *exec.Cmd) error {
	fmt.Fprintf(o.log, "$ %s\n", strings.Join(c.Args, " "))
	var out bytes.Buffer
	// One writer for both, so that exec writes it from one goroutine.
	w := io.MultiWriter(&out, o.log)
	c.Stdout, c.Stderr = w, w
	fixproc.KillGroup(c)
	err := c.Run()
	if err == nil {
		return nil
	}
	if ctx.Err() != nil {
		err = fmt.Errorf("%w (%w)", ctx.Err(), err)
	}
	logName := ""
	if f, ok := o.log.(interface{ Name() string }); ok {
		logName = f.Name()
	}
	return fmt.Errorf("%s: %w%s", strings.Join(c.Args, " "), err, fixproc.Tail(out.Bytes(), logName))
}
