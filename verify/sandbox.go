package verify

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// SandboxID is the user and group id, on the host, that the sandbox's
// processes run as when diet runs as root: an id no account should have, so
// that the image's root is nobody on the host and the process limit counts
// only the sandbox's processes. Without root, the sandbox runs as the
// invoking user.
const SandboxID = 1999999999

// hostID is the id the sandbox runs as on the host, and whether diet must
// switch to it.
func hostID() (id int, switchTo bool) {
	if os.Geteuid() == 0 {
		return SandboxID, true
	}
	return os.Geteuid(), false
}

// TempDir is [os.MkdirTemp] for a directory to extract a rootfs into and
// [Run] it: it belongs to the sandbox's user (see [SandboxID]) and nobody
// else may enter it, so that the sandbox can reach the rootfs while nothing
// of the host above it can be reached from inside.
func TempDir(dir, pattern string) (string, error) {
	d, err := os.MkdirTemp(dir, pattern)
	if err != nil {
		return "", err
	}
	if id, switchTo := hostID(); switchTo {
		if err := os.Chown(d, id, id); err != nil {
			os.Remove(d)
			return "", err
		}
	}
	return d, nil
}

// reachable checks that the sandbox's user may walk down to dir: bwrap,
// running as that user, mounts dir by its path.
func reachable(dir string, id int) error {
	for d := filepath.Dir(dir); ; d = filepath.Dir(d) {
		fi, err := os.Stat(d)
		if err != nil {
			return err
		}
		st := statOf(fi)
		ok := fi.Mode()&0o001 != 0 || (int(st.Uid) == id && fi.Mode()&0o100 != 0) || (int(st.Gid) == id && fi.Mode()&0o010 != 0)
		if !ok {
			return fmt.Errorf("%w: the sandbox's user (uid %d) cannot enter %s, above the rootfs: extract into a directory made by verify.TempDir", ErrNoSandbox, id, d)
		}
		if d == filepath.Dir(d) {
			return nil
		}
	}
}

// prepare makes root ready for the sandbox: /proc and /dev real directories
// for bwrap to mount on (whatever the image had at those names goes, so that
// no symlink of the image can send a mount elsewhere), the working directory
// made, and every file owned by the sandbox's user, which the command then
// sees as its own (the sandbox maps one id only). Ownership changes clear
// the setuid and setgid bits, as they do everywhere.
func prepare(root *os.Root, wd string, id int, chown bool) error {
	if err := realDir(root, "proc", 0o555); err != nil {
		return err
	}
	if err := realDir(root, "dev", 0o755); err != nil {
		return err
	}
	if wd != "/" {
		if err := root.MkdirAll(strings.TrimPrefix(wd, "/"), 0o755); err != nil {
			return err
		}
	}
	if !chown {
		return nil
	}
	return fs.WalkDir(root.FS(), ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		return root.Lchown(name, id, id)
	})
}

// realDir makes name a directory with mode, replacing anything else there.
func realDir(root *os.Root, name string, mode fs.FileMode) error {
	fi, err := root.Lstat(name)
	switch {
	case err == nil && fi.IsDir():
		return root.Chmod(name, mode)
	case err == nil:
		if err := root.RemoveAll(name); err != nil {
			return err
		}
	case !errors.Is(err, fs.ErrNotExist):
		return err
	}
	if err := root.Mkdir(name, mode.Perm()); err != nil {
		return err
	}
	return root.Chmod(name, mode) // Mkdir obeyed our umask
}

// statOf is the owner and group of fi.
func statOf(fi fs.FileInfo) *syscall.Stat_t {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return st
	}
	return &syscall.Stat_t{}
}
