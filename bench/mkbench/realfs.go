package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
)

// copyTree adds the tree at src on this machine to the layer under dst, in
// walk order, skipping files that no longer fit in budget bytes of file
// content (0: no limit). Directories, regular files and symlinks are copied; sockets,
// devices and pipes are skipped. When suffix is set it is appended to every
// file, so that a later layer overwrites files with different content.
// It returns the file bytes written.
func copyTree(ctx context.Context, w *layerWriter, src, dst string, budget int64, suffix []byte) (int64, error) {
	var written int64
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if budget > 0 && budget-written < 4096 {
			return filepath.SkipAll
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		name := path.Join(dst, filepath.ToSlash(rel))
		info, err := d.Info()
		if err != nil {
			return err
		}
		mode := int64(info.Mode().Perm())
		if info.Mode()&fs.ModeSetuid != 0 {
			mode |= 0o4000
		}
		if info.Mode()&fs.ModeSetgid != 0 {
			mode |= 0o2000
		}
		if info.Mode()&fs.ModeSticky != 0 {
			mode |= 0o1000
		}
		switch {
		case d.IsDir():
			return w.dir(name, mode)
		case d.Type()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			return w.symlink(name, target)
		case d.Type().IsRegular():
			if budget > 0 && written+info.Size() > budget {
				return nil // too big for what is left; smaller files may fit
			}
			n, err := copyFile(w, p, name, mode, info.Size(), suffix)
			written += n
			return err
		}
		return nil
	})
	if err != nil {
		return written, fmt.Errorf("copying %s: %w", src, err)
	}
	return written, nil
}

// copyFile adds one file of the machine, with suffix appended.
func copyFile(w *layerWriter, p, name string, mode, size int64, suffix []byte) (int64, error) {
	f, err := os.Open(p)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	r := io.MultiReader(f, bytes.NewReader(suffix))
	if err := w.file(name, mode, size+int64(len(suffix)), r); err != nil {
		return 0, err
	}
	return size + int64(len(suffix)), nil
}
