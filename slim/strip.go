package slim

import (
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
)

var elfMagic = []byte("\x7fELF")

// stripBody copies a file's body into an unlinked temporary file and, when
// it is ELF, runs binutils' strip on it. It returns the file to write —
// stripped, or the original when the body is not ELF or strip refuses it
// (UPX-packed programs, firmware) — open at its start, with its size. The
// body goes through the disk, never through memory.
func stripBody(ctx context.Context, dir string, body io.Reader) (f *os.File, size int64, stripped bool, err error) {
	orig, err := os.CreateTemp(dir, "diet-strip-*")
	if err != nil {
		return nil, 0, false, err
	}
	name := orig.Name()
	defer os.Remove(name)
	n, err := io.Copy(orig, body)
	if err != nil {
		orig.Close()
		return nil, 0, false, err
	}
	head := make([]byte, 4)
	if _, err := orig.ReadAt(head, 0); err == nil && bytes.Equal(head, elfMagic) &&
		exec.CommandContext(ctx, "strip", "--strip-unneeded", name).Run() == nil {
		// strip renames its output over the name: orig still reads the
		// original bytes, the name the stripped ones.
		if s, err := os.Open(name); err == nil {
			if st, err := s.Stat(); err == nil && st.Size() < n {
				orig.Close()
				return s, st.Size(), true, nil
			}
			s.Close()
		}
	}
	if _, err := orig.Seek(0, io.SeekStart); err != nil {
		orig.Close()
		return nil, 0, false, err
	}
	return orig, n, false, nil
}
