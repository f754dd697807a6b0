package cli

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/dietimage/diet/internal/atomicfile"
)

// writeBack replaces the file name with data for fix -w, and keeps what
// the file was: its mode bits (setuid, setgid and sticky included), owner
// and group. The new file is written beside it, synced and renamed over
// it, so a reader sees the old file or the new one, never a part; a ctx
// done before the rename leaves the old one. A symbolic link is followed,
// so the file it points to is replaced.
//
// Two kinds of file are refused unless force: a read-only one (no write
// bit for its owner), whose owner asked for it to stay as it is, and one
// with several hard links, since a rename would give this name a new
// file and leave the other names on the old one. With force a read-only
// file is replaced all the same (and stays read-only), and a linked one is
// rewritten in place, not atomically, so every name sees the fix.
func writeBack(ctx context.Context, name string, data []byte, force bool) error {
	target, err := filepath.EvalSymlinks(name)
	if err != nil {
		return err
	}
	fi, err := os.Stat(target)
	if err != nil {
		return err
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("%s: not a regular file", name)
	}
	if fi.Mode().Perm()&0o200 == 0 && !force {
		return fmt.Errorf("%s: read-only (mode %04o); use --force to write it anyway", name, fi.Mode().Perm())
	}
	owner, links := ownerOf(fi)
	if links > 1 {
		if !force {
			return fmt.Errorf("%s: has %d hard links; -w would replace one name and cut the link: use --force to write it in place", name, links)
		}
		return writeInPlace(target, data, fi)
	}
	return replace(ctx, target, data, fi, owner)
}

// modeBits are the bits of a mode that chmod sets.
const modeBits = fs.ModePerm | fs.ModeSetuid | fs.ModeSetgid | fs.ModeSticky

// replace writes data to a temporary file in target's directory, gives it
// target's owner and mode and commits it over target (atomicfile: synced,
// renamed, the directory synced). On any error the temporary file is
// removed and target is left as it was.
func replace(ctx context.Context, target string, data []byte, fi fs.FileInfo, owner *fileOwner) error {
	f, err := atomicfile.Create(target)
	if err != nil {
		return err
	}
	defer f.Abort()
	if _, err := f.Write(data); err != nil {
		return err
	}
	if owner != nil {
		// Before Commit's chmod: chown clears setuid and setgid.
		if err := f.Chown(owner.uid, owner.gid); err != nil {
			return fmt.Errorf("%s: keep owner %d:%d: %w", target, owner.uid, owner.gid, err)
		}
	}
	return f.Commit(ctx, fi.Mode()&modeBits)
}

// writeInPlace rewrites target through its own inode, so its hard links,
// owner and mode stay; a crash can leave it part written.
func writeInPlace(target string, data []byte, fi fs.FileInfo) error {
	mode := fi.Mode()
	if mode.Perm()&0o200 == 0 { // --force on a read-only file: open it for writing a moment
		if err := os.Chmod(target, mode&modeBits|0o200); err != nil {
			return err
		}
		defer os.Chmod(target, mode&modeBits)
	}
	f, err := os.OpenFile(target, os.O_WRONLY|os.O_TRUNC, 0)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if serr := f.Sync(); err == nil {
		err = serr
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// keepCRLF gives fixed the line endings of src: when every line of src
// ends in CRLF, the lines the fix added (ended by a bare LF) get CRLF too.
func keepCRLF(src, fixed []byte) []byte {
	lf := bytes.Count(src, []byte("\n"))
	if lf == 0 || bytes.Count(src, []byte("\r\n")) != lf {
		return fixed
	}
	var b bytes.Buffer
	b.Grow(len(fixed) + bytes.Count(fixed, []byte("\n")))
	for i, c := range fixed {
		if c == '\n' && (i == 0 || fixed[i-1] != '\r') {
			b.WriteByte('\r')
		}
		b.WriteByte(c)
	}
	return b.Bytes()
}
