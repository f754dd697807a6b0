package example

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// entry is one member of a layer. Paths are slash-separated, relative to the
// root and carry no trailing slash.
type entry struct {
	name string
	typ  byte
	mode int64
	body []byte
	link string
}

// layer collects the entries of one image layer in memory; the example is
// small enough (≤ 20 MB) that building each layer tar in a buffer is simpler
// than streaming, and it lets us hash and size the tar before writing it.
type layer struct {
	entries map[string]*entry
	mtime   time.Time
}

func newLayer(mtime time.Time) *layer {
	return &layer{entries: make(map[string]*entry), mtime: mtime}
}

// dir adds a directory with the given permission bits (sticky bit included).
func (l *layer) dir(name string, mode int64) {
	l.add(&entry{name: name, typ: tar.TypeDir, mode: mode})
}

// file adds a regular file.
func (l *layer) file(name string, mode int64, body []byte) {
	l.add(&entry{name: name, typ: tar.TypeReg, mode: mode, body: body})
}

// text adds a regular file of mode 0644 with the given content.
func (l *layer) text(name, body string) { l.file(name, 0o644, []byte(body)) }

// symlink adds a symbolic link.
func (l *layer) symlink(name, target string) {
	l.add(&entry{name: name, typ: tar.TypeSymlink, mode: 0o777, link: target})
}

// whiteout records the deletion of name, as Docker writes it: an empty
// regular file named .wh.<base> beside it.
func (l *layer) whiteout(name string) {
	dir, base := path.Split(name)
	l.file(path.Join(dir, ".wh."+base), 0o600, nil)
}

// opaque marks directory name as opaque: it hides everything lower layers had
// in it. Docker writes this when a directory is deleted and made again.
func (l *layer) opaque(name string, mode int64) {
	l.dir(name, mode)
	l.file(path.Join(name, ".wh..wh..opq"), mode&0o777, nil)
}

// add inserts e and any missing parent directories (mode 0755).
func (l *layer) add(e *entry) {
	e.name = strings.Trim(path.Clean(e.name), "/")
	l.entries[e.name] = e
	for p := path.Dir(e.name); p != "." && p != "/"; p = path.Dir(p) {
		if _, ok := l.entries[p]; ok {
			continue
		}
		l.entries[p] = &entry{name: p, typ: tar.TypeDir, mode: 0o755}
	}
}

// tree copies the directory src on disk into the layer at dst, keeping file
// permissions. Only directories and regular files are copied.
func (l *layer) tree(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		name := path.Join(dst, filepath.ToSlash(rel))
		info, err := d.Info()
		if err != nil {
			return err
		}
		switch {
		case d.IsDir():
			l.dir(name, int64(info.Mode().Perm()))
		case d.Type().IsRegular():
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			l.file(name, int64(info.Mode().Perm()), b)
		}
		return nil
	})
}

// walkKey orders paths the way a directory walk visits them: a directory
// before its children, and its children before its next sibling.
func walkKey(name string) string { return strings.ReplaceAll(name, "/", "\x00") }

// size is the sum of the regular-file bytes in the layer.
func (l *layer) size() int64 {
	var n int64
	for _, e := range l.entries {
		n += int64(len(e.body))
	}
	return n
}

// tarball renders the layer as an uncompressed tar in walk order with fixed
// owners and times, and returns it with its sha256 (the layer's diff_id).
func (l *layer) tarball() ([]byte, string, error) {
	names := make([]string, 0, len(l.entries))
	for n := range l.entries {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool { return walkKey(names[i]) < walkKey(names[j]) })
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, n := range names {
		e := l.entries[n]
		h := &tar.Header{
			Typeflag: e.typ, Name: e.name, Mode: e.mode, Linkname: e.link,
			Size: int64(len(e.body)), ModTime: l.mtime,
		}
		if e.typ == tar.TypeDir {
			h.Name += "/"
		}
		if err := tw.WriteHeader(h); err != nil {
			return nil, "", fmt.Errorf("%s: %w", e.name, err)
		}
		if _, err := tw.Write(e.body); err != nil {
			return nil, "", fmt.Errorf("%s: %w", e.name, err)
		}
	}
	if err := tw.Close(); err != nil {
		return nil, "", err
	}
	return buf.Bytes(), fmt.Sprintf("%x", sha256.Sum256(buf.Bytes())), nil
}
