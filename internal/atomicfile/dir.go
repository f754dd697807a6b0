package atomicfile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// SyncDir makes the names in dir durable, so that a rename or removal in
// it survives a crash. A file system that cannot sync a directory (EINVAL,
// ENOTSUP) is no error: the rename is as durable as it can make it.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	if errors.Is(err, syscall.EINVAL) || errors.Is(err, errors.ErrUnsupported) {
		return nil
	}
	return err
}

// RemoveTemps removes the temporary files that writers of name left
// beside it when they were killed before Commit or Abort. Call it only
// where no other writer of name is at work, as under a lock: it would
// remove that writer's file too.
func RemoveTemps(name string) error {
	dir, pattern := TempPattern(name)
	prefix := strings.TrimSuffix(pattern, "*")
	ents, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range ents {
		// os.CreateTemp's random part is decimal digits: that keeps out
		// the temporary files of a target named NAME.diet-x, and the
		// directories (a layout being built, or put aside) of NAME.
		rnd, ok := strings.CutPrefix(e.Name(), prefix)
		if !ok || rnd == "" || strings.Trim(rnd, "0123456789") != "" || !e.Type().IsRegular() {
			continue
		}
		if err := os.Remove(filepath.Join(dir, e.Name())); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	return nil
}
