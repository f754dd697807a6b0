package image

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// CheckTarget checks ref as a destination of [Write] without writing
// anything, so that a caller can refuse a bad output before spending
// minutes on the image: the name must parse; a docker-archive target must
// be a regular file or absent (a device, fifo or socket, or a symlink to
// one, is refused: renaming over it would replace the node), in a
// directory that exists and that we may write to; an oci: target must be
// a directory holding an OCI layout, empty, or absent, with the same rule
// for its parent; docker-daemon: needs an engine that answers. Write
// applies the same rules again. Errors are [*Error] naming ref.
func CheckTarget(ctx context.Context, ref string) error {
	if err := checkTarget(ctx, ref); err != nil {
		return &Error{Ref: ref, Err: err}
	}
	return nil
}

func checkTarget(ctx context.Context, ref string) error {
	r, err := parseRef(ref)
	if err != nil {
		return err
	}
	if r, err = r.sink(); err != nil {
		return err
	}
	switch r.transport {
	case transportArchive, transportOCIArchive:
		if err := checkFileTarget(r.path); err != nil {
			return err
		}
		return checkParent(r.path)
	case transportOCI:
		dir, err := filepath.Abs(r.path)
		if err != nil {
			return err
		}
		if err := checkLayoutTarget(dir); err != nil {
			return err
		}
		return checkParent(dir)
	case transportDaemon:
		e, err := newEngine()
		if err != nil {
			return err
		}
		return e.ping(ctx)
	}
	return nil
}

// checkFileTarget refuses a target that renaming a new file over would
// destroy rather than replace: anything but a regular file, followed
// through symlinks (a symlink to a regular file is replaced, as always).
func checkFileTarget(target string) error {
	fi, err := os.Stat(target)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil // absent, or a dangling symlink that the file replaces
	case errors.Is(err, unix.ENOTDIR):
		return tag(ErrInvalid, fmt.Errorf("%s is not a directory", filepath.Dir(target)))
	case err != nil:
		return err
	case fi.IsDir():
		return tag(ErrInvalid, fmt.Errorf("%s is a directory: an OCI layout is written as oci:%s", target, target))
	case !fi.Mode().IsRegular():
		return tag(ErrInvalid, fmt.Errorf("%s is a %s, not a regular file: not replacing it", target, kind(fi.Mode())))
	}
	return nil
}

// checkParent wants the directory of target to exist and be writable: the
// new file or layout is made there and renamed into place.
func checkParent(target string) error {
	dir := filepath.Dir(target)
	fi, err := os.Stat(dir)
	if err != nil {
		return noDir(dir, err)
	}
	if !fi.IsDir() {
		return tag(ErrInvalid, fmt.Errorf("%s is not a directory", dir))
	}
	if err := unix.Access(dir, unix.W_OK|unix.X_OK); err != nil {
		return fmt.Errorf("directory %s: %w", dir, &fs.PathError{Op: "write", Path: dir, Err: err})
	}
	return nil
}

// kind names a file mode's type for messages.
func kind(m fs.FileMode) string {
	switch {
	case m&fs.ModeCharDevice != 0:
		return "character device"
	case m&fs.ModeDevice != 0:
		return "block device"
	case m&fs.ModeNamedPipe != 0:
		return "fifo"
	case m&fs.ModeSocket != 0:
		return "socket"
	}
	return "special file"
}
