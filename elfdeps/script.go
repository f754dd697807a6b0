package elfdeps

import (
	"bytes"
	"debug/elf"
	"io"
	"io/fs"
	"strings"
)

// shebangSize is how much of a script's first line Linux reads
// (BINPRM_BUF_SIZE).
const shebangSize = 256

// Shebang reads the "#!" line of the file at name in fsys, following
// symlinks within the root, and parses it as Linux does: the interpreter is
// the first word after "#!" and everything after it, trimmed, is passed as
// one argument, so args holds at most one string ("#!/bin/sh -e" gives
// "/bin/sh" and ["-e"]). Only spaces and tabs separate words: a carriage
// return stays part of the line, as it does for the kernel. ok is false when
// the file has no "#!" line or its interpreter does not fit in the 256 bytes
// the kernel reads.
func Shebang(fsys fs.FS, name string) (interp string, args []string, ok bool) {
	return NewRoot(fsys).Shebang(name)
}

// IsELF reports whether name in fsys, following symlinks within the root,
// is a regular file that starts with the ELF magic.
func IsELF(fsys fs.FS, name string) bool {
	return NewRoot(fsys).IsELF(name)
}

// Shebang is [Shebang] for name in the root.
func (rt *Root) Shebang(name string) (interp string, args []string, ok bool) {
	real, _, err := rt.Resolve(name)
	if err != nil {
		return "", nil, false
	}
	return rt.shebang(real)
}

// IsELF is [IsELF] for name in the root.
func (rt *Root) IsELF(name string) bool {
	real, _, err := rt.Resolve(name)
	if err != nil {
		return false
	}
	var magic [4]byte
	err = rt.ReadAt(real, func(r io.ReaderAt) error {
		_, err := r.ReadAt(magic[:], 0)
		return err
	})
	return err == nil && string(magic[:]) == elf.ELFMAG
}

// shebang parses the "#!" line of the regular file at a real path.
func (rt *Root) shebang(real string) (string, []string, bool) {
	var buf [shebangSize]byte
	n := 0
	err := rt.ReadAt(real, func(r io.ReaderAt) error {
		var err error
		n, err = r.ReadAt(buf[:], 0)
		return err
	})
	if (err != nil && n == 0) || n < 2 || buf[0] != '#' || buf[1] != '!' {
		return "", nil, false
	}
	line := buf[2:n]
	complete := false
	if i := bytes.IndexByte(line, '\n'); i >= 0 {
		line, complete = line[:i], true
	}
	line = bytes.Trim(line, " \t")
	i := bytes.IndexAny(line, " \t")
	if i < 0 {
		if !complete && n == len(buf) {
			return "", nil, false // the interpreter's name runs past what the kernel reads
		}
		i = len(line)
	}
	interp := string(line[:i])
	if interp == "" {
		return "", nil, false
	}
	var args []string
	if rest := bytes.Trim(line[i:], " \t"); len(rest) > 0 {
		args = []string{string(rest)}
	}
	return interp, args, true
}

// envCommand finds the command in the argument of "#!/usr/bin/env ARG":
// the first word that is neither an option of env nor a NAME=VALUE.
// It understands -S (split the argument) and options taking a value.
func envCommand(arg string) string {
	words := strings.Fields(arg)
	for i := 0; i < len(words); i++ {
		w := words[i]
		switch {
		case w == "--":
			if i+1 < len(words) {
				return words[i+1]
			}
			return ""
		case w == "-u" || w == "-C" || w == "--unset" || w == "--chdir":
			i++ // the option's value
		case strings.HasPrefix(w, "-S") && len(w) > 2:
			return w[2:]
		case strings.HasPrefix(w, "-"), strings.Contains(w, "="):
		default:
			return w
		}
	}
	return ""
}
