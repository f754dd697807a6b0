package elfdeps

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strings"
)

// maxLinks bounds the symlinks followed while resolving one path, as Linux's
// MAXSYMLINKS does.
const maxLinks = 40

// node is what Lstat said about one real path.
type node struct {
	mode   fs.FileMode
	target string // where a symlink points
	err    error
}

// Root resolves and reads paths inside the root of an fs.FS, an image's
// filesystem, as the kernel would inside a chroot of it. It follows symlinks
// itself, one component at a time, so a link can never lead out of the root,
// and it opens only paths that hold no symlink, so an fs.FS that follows
// links on Open (os.DirFS follows them on the host) never gets the chance.
// It remembers every Lstat, so the same directories cost one call each; it
// is not safe for concurrent use.
//
// A real path is what [Root.Resolve] returns: root-relative, clean, with no
// symlink before its last component. The methods that read take real paths.
type Root struct {
	fsys  fs.FS
	nodes map[string]node
}

// NewRoot returns a Root over fsys, whose root is the image's "/".
func NewRoot(fsys fs.FS) *Root {
	return &Root{fsys: fsys, nodes: map[string]node{}}
}

// Lstat gives the mode of the file at a real path, without following a
// symlink there.
func (rt *Root) Lstat(real string) (fs.FileMode, error) {
	n := rt.lstat(real)
	return n.mode, n.err
}

// lstat describes a real path, with a symlink's target.
func (rt *Root) lstat(name string) node {
	if n, ok := rt.nodes[name]; ok {
		return n
	}
	var n node
	fi, err := fs.Lstat(rt.fsys, name)
	if err != nil {
		n.err = err
	} else {
		n.mode = fi.Mode()
		if n.mode&fs.ModeSymlink != 0 {
			n.target, n.err = fs.ReadLink(rt.fsys, name)
		}
	}
	rt.nodes[name] = n
	return n
}

// Resolve follows name (slash-separated; absolute or not, both start at the
// root) through every symlink, as the kernel would inside a chroot: an
// absolute target restarts at the root and ".." stops there. It returns the
// real path ("." for the root itself) and the symlinks it passed, as real
// paths of the links, in the order met. The error is a *fs.PathError naming
// name; it wraps [ErrLinkLoop] past 40 links.
func (rt *Root) Resolve(name string) (real string, links []string, err error) {
	cur, rest := "", name
	for hops := 0; rest != ""; {
		var comp string
		comp, rest, _ = strings.Cut(rest, "/")
		switch comp {
		case "", ".":
			continue
		case "..":
			cur = parent(cur)
			continue
		}
		next := comp
		if cur != "" {
			next = cur + "/" + comp
		}
		n := rt.lstat(next)
		if n.err != nil {
			return "", nil, pathError("resolve", name, n.err)
		}
		if n.mode&fs.ModeSymlink == 0 {
			if rest != "" && !n.mode.IsDir() {
				return "", nil, pathError("resolve", name, fs.ErrNotExist)
			}
			cur = next
			continue
		}
		if hops++; hops > maxLinks {
			return "", nil, pathError("resolve", name, ErrLinkLoop)
		}
		if n.target == "" {
			return "", nil, pathError("resolve", name, fs.ErrNotExist)
		}
		links = append(links, next)
		if strings.HasPrefix(n.target, "/") {
			cur = ""
		}
		rest = n.target + "/" + rest
	}
	if cur == "" {
		cur = "."
	}
	return cur, links, nil
}

// parent is the directory of a real path, the root being its own parent.
func parent(p string) string {
	if d := path.Dir(p); d != "." && d != "/" {
		return d
	}
	return ""
}

// pathError names the input, not the component that failed: the user gave
// the input. An inner *fs.PathError is unwrapped so the path appears once.
func pathError(op, name string, err error) error {
	if pe, ok := errors.AsType[*fs.PathError](err); ok {
		err = pe.Err
	}
	return &fs.PathError{Op: op, Path: rooted(name), Err: err}
}

// rooted writes a root-relative path the way users see it: "/usr/bin/ls".
func rooted(name string) string {
	return "/" + strings.TrimLeft(name, "/")
}

// ReadAt calls fn with random access to the regular file at the real path
// name; any other file is an error wrapping [ErrNotExecutable]. An fs.File that is an io.ReaderAt is used as is; one that can seek
// is read by seeking; any other is reopened and skipped forward for each
// read, which costs time, never memory.
func (rt *Root) ReadAt(name string, fn func(io.ReaderAt) error) error {
	if n := rt.lstat(name); n.err == nil && !n.mode.IsRegular() {
		return pathError("open", name, ErrNotExecutable)
	}
	f, err := rt.fsys.Open(name)
	if err != nil {
		return pathError("open", name, err)
	}
	defer f.Close()
	switch r := f.(type) {
	case io.ReaderAt:
		return fn(r)
	case io.ReadSeeker:
		return fn(seekReaderAt{r})
	default:
		return fn(reopenReaderAt{rt.fsys, name})
	}
}

// ReadFile reads the regular file at a real path, refusing one of more than
// max bytes; any other file is an error wrapping [io/fs.ErrInvalid].
func (rt *Root) ReadFile(real string, max int64) ([]byte, error) {
	if n := rt.lstat(real); n.err != nil || !n.mode.IsRegular() {
		return nil, pathError("read", real, fs.ErrInvalid)
	}
	f, err := rt.fsys.Open(real)
	if err != nil {
		return nil, pathError("read", real, err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, pathError("read", real, err)
	}
	if int64(len(data)) > max {
		return nil, pathError("read", real, fmt.Errorf("larger than %d bytes", max))
	}
	return data, nil
}

type seekReaderAt struct{ r io.ReadSeeker }

// ReadAt implements io.ReaderAt.
func (s seekReaderAt) ReadAt(p []byte, off int64) (int, error) {
	if _, err := s.r.Seek(off, io.SeekStart); err != nil {
		return 0, err
	}
	return io.ReadFull(s.r, p)
}

type reopenReaderAt struct {
	fsys fs.FS
	name string
}

// ReadAt implements io.ReaderAt.
func (o reopenReaderAt) ReadAt(p []byte, off int64) (int, error) {
	f, err := o.fsys.Open(o.name)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	if _, err := io.CopyN(io.Discard, f, off); err != nil {
		if errors.Is(err, io.EOF) {
			return 0, io.EOF
		}
		return 0, err
	}
	return io.ReadFull(f, p)
}
