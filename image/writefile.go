package image

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/dietimage/diet/internal/atomicfile"
)

// createBeside creates the temporary file that becomes target, under a
// hidden name in target's directory (atomicfile.TempPattern), so that the
// final rename never crosses a filesystem: .NAME.diet-RANDOM, as for a
// new layout; a layout being replaced is moved to .NAME.diet-old-RANDOM.
func createBeside(target string) (*atomicfile.File, error) {
	if err := checkFileTarget(target); err != nil {
		return nil, err
	}
	f, err := atomicfile.Create(target)
	return f, noDir(filepath.Dir(target), err)
}

// noDir says which directory is missing, not which temporary name.
func noDir(dir string, err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return tag(ErrNotFound, fmt.Errorf("directory %s: %w", dir, fs.ErrNotExist))
	}
	return err
}

// commitFile syncs f and renames it to target, mode 0644; on failure f is
// removed. The directory is synced too, so the rename survives a crash.
// The sync of a large file takes seconds: a cancel that comes meanwhile
// still stops the rename, and the target is left as it was. So does a
// target that became a device or fifo since the write began.
func commitFile(ctx context.Context, f *atomicfile.File) error {
	err := f.Commit(ctx, 0o644)
	if errors.Is(err, atomicfile.ErrNotRegular) {
		return tag(ErrInvalid, err)
	}
	return err
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
	parent, pattern := atomicfile.TempPattern(dir)
	if _, err := os.Lstat(dir); errors.Is(err, fs.ErrNotExist) {
		if err := os.Rename(tmp, dir); err != nil {
			return err
		}
		return atomicfile.SyncDir(parent)
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
	return errors.Join(atomicfile.SyncDir(parent), os.RemoveAll(aside))
}
