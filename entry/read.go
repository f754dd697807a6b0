// This file reads the files of an image that may be hostile, through
// elfdeps.Root: symlinks are followed inside the root only.

package entry

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"
)

// regular reports whether name leads to a regular file (with an execute
// bit, when exec).
func (s *scanner) regular(name string, exec bool) bool {
	real, _, err := s.root.Resolve(name)
	if err != nil {
		return false
	}
	m, _ := s.root.Lstat(real)
	return m.IsRegular() && (!exec || m.Perm()&0o111 != 0)
}

// head reads the first bytes of the regular file at a real path: enough
// for a "#!" line and to tell text from binary.
func (s *scanner) head(real string) ([]byte, error) {
	if err := s.isRegular(real); err != nil {
		return nil, err
	}
	buf := make([]byte, headSize)
	n := 0
	err := s.root.ReadAt(real, func(r io.ReaderAt) error {
		var err error
		n, err = r.ReadAt(buf, 0)
		return err
	})
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		err = nil // a file shorter than the head
	}
	return buf[:n], err
}

// readFile reads the regular file at a real path, refusing one over max bytes.
func (s *scanner) readFile(real string, max int64) ([]byte, error) {
	if err := s.isRegular(real); err != nil {
		return nil, err
	}
	return s.root.ReadFile(real, max)
}

// isRegular refuses what is no regular file at a real path: no script.
func (s *scanner) isRegular(real string) error {
	if m, _ := s.root.Lstat(real); !m.IsRegular() {
		return &fs.PathError{Op: "read", Path: rooted(real), Err: fmt.Errorf("%w: not a regular file", ErrNotShell)}
	}
	return nil
}

// rooted writes a real path as users see it: "/usr/bin/ls".
func rooted(name string) string { return "/" + strings.TrimLeft(name, "/") }
