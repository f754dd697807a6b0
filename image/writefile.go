package image

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Targets are built under a hidden temporary name in their own directory,
// so that the final rename never crosses a filesystem:
// .NAME.diet-RANDOM for the new file or layout, .NAME.diet-old-RANDOM for a
// layout being replaced.
func tempPattern(target string) (dir, pattern string) {
	return filepath.Dir(target), "." + filepath.Base(target) + ".diet-*"
}

// createBeside creates the temporary file that becomes target.
func createBeside(target string) (*os.File, error) {
	if err := checkFileTarget(target); err != nil {
		return nil, err
	}
	dir, pattern := tempPattern(target)
	f, err := os.CreateTemp(dir, pattern)
	return f, noDir(dir, err)
}

// noDir says which directory is missing, not which temporary name.
func noDir(dir string, err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return tag(ErrNotFound, fmt.Errorf("directory %s: %w", dir, fs.ErrNotExist))
	}
	return err
}

// commitFile syncs f and renames it to target; on failure f is removed.
// The directory is synced too, so the rename survives a crash. The sync of
// a large file takes seconds: a cancel that comes meanwhile still stops
// the rename, and the target is left as it was. So does a target that
// became a device or fifo since the write began.
func commitFile(ctx context.Context, f *os.File, target string) error {
	err := f.Chmod(0o644)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = checkFileTarget(target)
	}
	if err == nil {
		err = ctx.Err() // the last moment to abort: after it, the target is replaced
	}
	if err == nil {
		err = os.Rename(f.Name(), target)
	}
	if err != nil {
		os.Remove(f.Name())
		return err
	}
	return syncDir(filepath.Dir(target))
}

// abortFile closes and removes a temporary file.
func abortFile(f *os.File) {
	f.Close()
	os.Remove(f.Name())
}

// writeSynced writes a small file and syncs it.
func writeSynced(name string, b []byte) error {
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	_, err = f.Write(b)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// syncDir makes the names in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

// checkLayoutTarget refuses to replace what is not an OCI layout: a file,
// or a directory that holds anything else (a typo must never cost a home
// directory).
func checkLayoutTarget(dir string) error {
	fi, err := os.Lstat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if !fi.IsDir() {
		return tag(ErrInvalid, fmt.Errorf("%s exists and is not a directory: a docker save tarball is written as docker-archive:%s", dir, dir))
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range ents {
		if n := e.Name(); n == "oci-layout" || n == "index.json" {
			return nil
		}
	}
	if len(ents) > 0 {
		return tag(ErrInvalid, fmt.Errorf("%s exists and is not an OCI layout (no oci-layout or index.json): not replacing it", dir))
	}
	return nil
}

// replaceDir puts the finished layout tmp in place of dir. A new dir is one
// rename. An existing one is renamed aside, tmp renamed in and the old one
// removed: readers see the old layout or the new one, and for an instant
// none; if the second rename fails, the old layout is put back.
func replaceDir(tmp, dir string) error {
	parent, pattern := tempPattern(dir)
	if _, err := os.Lstat(dir); errors.Is(err, fs.ErrNotExist) {
		if err := os.Rename(tmp, dir); err != nil {
			return err
		}
		return syncDir(parent)
	}
	// A fresh directory to move the old layout into: os.Rename will not
	// replace even an empty directory.
	aside, err := os.MkdirTemp(parent, pattern[:len(pattern)-1]+"old-*")
	if err != nil {
		return err
	}
	old := filepath.Join(aside, filepath.Base(dir))
	if err := os.Rename(dir, old); err != nil {
		os.Remove(aside)
		return err
	}
	if err := os.Rename(tmp, dir); err != nil {
		if rerr := os.Rename(old, dir); rerr != nil {
			return fmt.Errorf("%w; the old layout is at %s: %w", err, old, rerr)
		}
		os.Remove(aside)
		return err
	}
	return errors.Join(syncDir(parent), os.RemoveAll(aside))
}
