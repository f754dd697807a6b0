// Package atomicfile finishes files so that a reader sees the old one or
// the whole new one, never a part: the fixtures cached across test runs
// write their archives, stamps and state through it.
package atomicfile

import "os"

// Commit makes the finished file tmp durable and renames it to name. On
// failure tmp is removed.
func Commit(tmp, name string) error {
	f, err := os.Open(tmp)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, name)
	}
	if err != nil {
		os.Remove(tmp)
	}
	return err
}

// WriteFile writes data to name through name+".tmp".
func WriteFile(name string, data []byte) error {
	tmp := name + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		os.Remove(tmp)
		return err
	}
	return Commit(tmp, name)
}
