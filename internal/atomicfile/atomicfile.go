package atomicfile

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
)

// ErrNotRegular is the cause of a [File.Commit] that found its target
// there and not a regular file: a directory, device, fifo or socket, or a
// symbolic link to one. Commit does not replace it.
var ErrNotRegular = errors.New("not a regular file")

// File is a new file being written under a temporary name beside its
// target. Write to it as to the [os.File] it embeds, then [File.Commit]
// it, or [File.Abort] it.
type File struct {
	*os.File
	target string
	done   bool // committed or aborted: the temporary file is gone
}

// TempPattern returns the directory and the [os.CreateTemp] pattern of
// name's temporary files: .NAME.diet-* beside name. A caller that builds
// a directory to rename into place (an OCI layout) takes it for
// [os.MkdirTemp] too.
func TempPattern(name string) (dir, pattern string) {
	return filepath.Dir(name), "." + filepath.Base(name) + ".diet-*"
}

// Create creates an empty temporary file, mode 0600, beside name, which
// [File.Commit] renames to name. Its error is [os.CreateTemp]'s.
func Create(name string) (*File, error) {
	f, err := os.CreateTemp(TempPattern(name))
	if err != nil {
		return nil, err
	}
	return &File{File: f, target: name}, nil
}

// Commit replaces the target with the file: it gives the file the mode
// perm (permission bits, and setuid, setgid and sticky), syncs and closes
// it, renames it to the target and syncs the directory. It syncs the file
// found at [File.Name], so a command may write the file there by name,
// even by replacing it as docker save -o does.
//
// The rename is the last moment to stop: a ctx done by then (the sync of
// a large file takes seconds) or a target that is no longer absent or a
// regular file ([ErrNotRegular]) stops it, the temporary file is removed
// and the target is left as it was. An error from the directory's sync
// comes after the target was replaced.
func (f *File) Commit(ctx context.Context, perm fs.FileMode) error {
	if f.done {
		return &fs.PathError{Op: "commit", Path: f.Name(), Err: fs.ErrClosed}
	}
	f.done = true
	err := f.File.Close()
	if errors.Is(err, fs.ErrClosed) {
		err = nil // the caller closed it to let a command write the file
	}
	if err == nil {
		err = finish(f.Name(), perm)
	}
	if err == nil {
		err = checkTarget(f.target)
	}
	if err == nil {
		err = ctx.Err()
	}
	if err == nil {
		err = os.Rename(f.Name(), f.target)
	}
	if err != nil {
		os.Remove(f.Name())
		return err
	}
	return SyncDir(filepath.Dir(f.target))
}

// Abort closes and removes the temporary file and leaves the target as it
// was. After Commit it does nothing, so a writer defers it.
func (f *File) Abort() {
	if f.done {
		return
	}
	f.done = true
	f.File.Close()
	os.Remove(f.Name())
}

// finish gives the file at name the mode perm and syncs it.
func finish(name string, perm fs.FileMode) error {
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	err = f.Chmod(perm)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// checkTarget refuses a target that a rename would replace and that is
// not a regular file. An absent target, or a dangling symbolic link, is
// fine; another failure to stat it is the rename's to report.
func checkTarget(name string) error {
	fi, err := os.Stat(name)
	if err != nil || fi.Mode().IsRegular() {
		return nil
	}
	return &fs.PathError{Op: "replace", Path: name, Err: ErrNotRegular}
}

// Write writes name, mode perm, with what write writes to the file: the
// target changes only if write and [File.Commit] succeed.
func Write(ctx context.Context, name string, perm fs.FileMode, write func(*os.File) error) error {
	f, err := Create(name)
	if err != nil {
		return err
	}
	defer f.Abort()
	if err := write(f.File); err != nil {
		return err
	}
	return f.Commit(ctx, perm)
}

// WriteFile writes data to name, mode perm, as [Write] does: for small
// files, whose sync is too quick to need a context.
func WriteFile(name string, data []byte, perm fs.FileMode) error {
	return Write(context.Background(), name, perm, func(f *os.File) error {
		_, err := f.Write(data)
		return err
	})
}
