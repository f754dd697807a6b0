package rootfs

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"strings"
	"syscall"

	"github.com/dietimage/diet/internal/tarname"
	"github.com/dietimage/diet/layerfs"
)

// entry applies one tar entry. The name is read as the engine reads it
// (cleaned, an absolute one from the root) and refused if it climbs out;
// os.Root checks every symlink on the way.
func (x *extractor) entry(hdr *tar.Header, body io.Reader) error {
	if hdr.Typeflag == tar.TypeXGlobalHeader {
		return nil
	}
	name, err := tarname.Clean(hdr.Name)
	if err != nil {
		return err
	}
	dir, base := path.Split(name)
	switch {
	case base == ".wh..wh..opq":
		return x.opaque(path.Clean(dir))
	case strings.HasPrefix(base, ".wh..wh."):
		return nil // aufs bookkeeping (.wh..wh.plnk and the like)
	case strings.HasPrefix(base, ".wh."):
		target := strings.TrimPrefix(base, ".wh.")
		if target == "" || target == "." || target == ".." {
			return fmt.Errorf("%w: whiteout names no file", layerfs.ErrUnsafePath)
		}
		return x.whiteout(path.Join(dir, target))
	case name == ".":
		if hdr.Typeflag != tar.TypeDir {
			return fmt.Errorf("%w: the root is not a directory", layerfs.ErrUnsafePath)
		}
		x.dirs["."] = dirMeta{mode: modeOf(hdr), mtime: hdr.ModTime}
		return nil
	}
	x.mark(name)
	if d := path.Dir(name); d != "." {
		if err := x.root.MkdirAll(d, 0o755); err != nil {
			return err
		}
	}
	keep, err := x.replace(name, hdr.Typeflag == tar.TypeDir)
	if err != nil {
		return err
	}
	switch hdr.Typeflag {
	case tar.TypeDir:
		if !keep {
			if err := x.root.Mkdir(name, 0o700); err != nil {
				return err
			}
		}
		x.dirs[name] = dirMeta{mode: modeOf(hdr), mtime: hdr.ModTime}
		return x.chown(name, hdr)
	case tar.TypeSymlink:
		if err := x.root.Symlink(hdr.Linkname, name); err != nil {
			return err
		}
		return x.chown(name, hdr)
	case tar.TypeLink:
		return x.link(name, hdr.Linkname)
	case tar.TypeChar, tar.TypeBlock:
		return nil // we do not create devices; the sandbox brings its own /dev
	case tar.TypeFifo:
		if err := x.mkfifo(name); err != nil {
			return err
		}
	case tar.TypeReg:
		if err := x.write(name, body); err != nil {
			return err
		}
	default: // the engine refuses the rest: "unhandled tar header type"
		return fmt.Errorf("%w (typeflag %q)", layerfs.ErrUnsupportedType, rune(hdr.Typeflag))
	}
	if err := x.chown(name, hdr); err != nil {
		return err
	}
	if err := x.root.Chmod(name, modeOf(hdr)); err != nil {
		return err
	}
	return x.root.Chtimes(name, hdr.AccessTime, hdr.ModTime)
}

// mark records that this layer wrote name, and so its ancestors.
func (x *extractor) mark(name string) {
	for ; name != "." && !x.seen[name]; name = path.Dir(name) {
		x.seen[name] = true
	}
}

// replace clears the way for a new entry at name: what a lower layer put
// there goes, except a directory where a directory comes, which merges
// (keep is then true). The new entry is never written through an old one.
func (x *extractor) replace(name string, dir bool) (keep bool, err error) {
	fi, err := x.root.Lstat(name)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return false, nil
	case err != nil:
		return false, err
	case fi.IsDir() && dir:
		return true, nil
	case fi.IsDir():
		delete(x.dirs, name)
		return false, x.root.RemoveAll(name)
	}
	return false, x.root.Remove(name)
}

// write creates name afresh (O_EXCL: never through a symlink) with body.
func (x *extractor) write(name string, body io.Reader) error {
	f, err := x.root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	_, err = io.Copy(f, body)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// link makes name a hard link to target, a name in the same root (an
// absolute one from the root, as the engine reads it).
func (x *extractor) link(name, target string) error {
	t, err := tarname.Clean(target)
	if err != nil {
		return fmt.Errorf("hard link to %q: %w", target, err)
	}
	err = x.root.Link(t, name)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%w: %q", layerfs.ErrBadLink, target)
	}
	return err
}

// mkfifo makes a FIFO in a directory opened through the root, so the
// last component is the only name the kernel resolves.
func (x *extractor) mkfifo(name string) error {
	d, err := x.root.Open(path.Dir(name))
	if err != nil {
		return err
	}
	defer d.Close()
	if err := syscall.Mknodat(int(d.Fd()), path.Base(name), syscall.S_IFIFO|0o600, 0); err != nil {
		return &fs.PathError{Op: "mkfifo", Path: name, Err: err}
	}
	return nil
}

// whiteout deletes name as the extraction has it so far. Like the engines
// (moby's and containerd's unpackers), and unlike the OCI text, which has
// whiteouts apply to lower layers only, it deletes an entry its own layer
// wrote before it: verify must see what the engine runs. (layerfs follows
// the OCI text; only a layer that names a path twice can tell them apart.)
func (x *extractor) whiteout(name string) error {
	if name == "." {
		return nil
	}
	delete(x.dirs, name)
	return x.root.RemoveAll(name)
}

// opaque empties dir of everything the layers below put in it, at any
// depth, and keeps what this layer wrote.
func (x *extractor) opaque(dir string) error {
	if dir != "." {
		x.mark(dir)
		if err := x.root.MkdirAll(dir, 0o755); err != nil {
			return err
		}
	}
	f, err := x.root.Open(dir)
	if err != nil {
		return err
	}
	names, err := f.Readdirnames(-1)
	f.Close()
	if err != nil {
		return err
	}
	for _, n := range names {
		p := path.Join(dir, n)
		if !x.seen[p] {
			delete(x.dirs, p)
			if err := x.root.RemoveAll(p); err != nil {
				return err
			}
			continue
		}
		if fi, err := x.root.Lstat(p); err == nil && fi.IsDir() {
			if err := x.opaque(p); err != nil {
				return err
			}
		}
	}
	return nil
}

// chown applies the entry's owner when we run as root.
func (x *extractor) chown(name string, hdr *tar.Header) error {
	if !x.owner {
		return nil
	}
	return x.root.Lchown(name, hdr.Uid, hdr.Gid)
}

// modeOf is the permission bits of hdr, setuid, setgid and sticky kept.
func modeOf(hdr *tar.Header) fs.FileMode {
	return hdr.FileInfo().Mode() & (fs.ModePerm | fs.ModeSetuid | fs.ModeSetgid | fs.ModeSticky)
}
