// This file reads files inside a rootfs that may be hostile, following its
// symlinks without ever leaving it.

package entry

import (
	"cmp"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strings"
)

// rootTree resolves paths inside the root of an fs.FS as the kernel does in
// a chroot: it follows symlinks itself, one component at a time, so that
// none leads out (an absolute target restarts at the root, ".." stops
// there), and opens only paths without symlinks, which an fs.FS that
// follows links (os.DirFS) never gets to follow. elfdeps has the same
// walk; it does not export it.
type rootTree struct {
	fsys  fs.FS
	nodes map[string]rootNode
}

type rootNode struct {
	mode   fs.FileMode
	target string
	err    error
}

const maxLinks = 40 // symlinks followed in one path, as Linux's MAXSYMLINKS

func newRootTree(fsys fs.FS) *rootTree { return &rootTree{fsys: fsys, nodes: map[string]rootNode{}} }

func (t *rootTree) lstat(name string) rootNode {
	if n, ok := t.nodes[name]; ok {
		return n
	}
	var n rootNode
	fi, err := fs.Lstat(t.fsys, name)
	if err == nil {
		n.mode = fi.Mode()
		if n.mode&fs.ModeSymlink != 0 {
			n.target, err = fs.ReadLink(t.fsys, name)
		}
	}
	n.err = err
	t.nodes[name] = n
	return n
}

// resolve returns the real path of name (root-relative, "." for the
// root) and the symlinks passed on the way, as real paths.
func (t *rootTree) resolve(name string) (real string, links []string, err error) {
	cur, rest := "", name
	for hops := 0; rest != ""; {
		var comp string
		comp, rest, _ = strings.Cut(rest, "/")
		switch comp {
		case "", ".":
			continue
		case "..":
			if cur = path.Dir(cur); cur == "." {
				cur = ""
			}
			continue
		}
		next := path.Join(cur, comp)
		n := t.lstat(next)
		switch {
		case n.err != nil:
			return "", nil, &fs.PathError{Op: "resolve", Path: rooted(name), Err: n.err}
		case n.mode&fs.ModeSymlink == 0:
			if rest != "" && !n.mode.IsDir() {
				return "", nil, &fs.PathError{Op: "resolve", Path: rooted(name), Err: fs.ErrNotExist}
			}
			cur = next
			continue
		}
		if hops++; hops > maxLinks || n.target == "" {
			return "", nil, &fs.PathError{Op: "resolve", Path: rooted(name), Err: fs.ErrInvalid}
		}
		links = append(links, next)
		if strings.HasPrefix(n.target, "/") {
			cur = ""
		}
		rest = n.target + "/" + rest
	}
	return cmp.Or(cur, "."), links, nil
}

// regular reports whether name leads to a regular file (with an execute
// bit, when exec).
func (t *rootTree) regular(name string, exec bool) bool {
	real, _, err := t.resolve(name)
	if err != nil {
		return false
	}
	m := t.lstat(real).mode
	return m.IsRegular() && (!exec || m.Perm()&0o111 != 0)
}

// head reads the first bytes of the regular file at a real path: enough
// for ELF's magic and a "#!" line.
func (t *rootTree) head(real string) ([]byte, error) { return t.readN(real, 256) }

// read reads the regular file at a real path, refusing one over max bytes.
func (t *rootTree) read(real string, max int64) ([]byte, error) {
	b, err := t.readN(real, max+1)
	if err == nil && int64(len(b)) > max {
		err = &fs.PathError{Op: "read script", Path: rooted(real), Err: fmt.Errorf("larger than %d bytes", max)}
	}
	return b, err
}

func (t *rootTree) readN(real string, n int64) ([]byte, error) {
	if m := t.lstat(real).mode; !m.IsRegular() {
		return nil, &fs.PathError{Op: "read", Path: rooted(real), Err: fmt.Errorf("%w: not a regular file", ErrNotShell)}
	}
	f, err := t.fsys.Open(real)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, n))
}

func rooted(name string) string { return "/" + strings.TrimLeft(name, "/") }
