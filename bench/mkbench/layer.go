package main

import (
	"archive/tar"
	"bufio"
	"crypto/sha256"
	"fmt"
	"hash"
	"io"
	"os"
	"path"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// epoch is the modification time of every entry: the images are
// reproducible from the same machine contents.
var epoch = time.Date(2024, 1, 23, 18, 54, 0, 0, time.UTC)

// layerFile is one finished uncompressed layer tar in a temporary file.
type layerFile struct {
	path      string
	diffID    v1.Hash
	size      int64
	createdBy string
}

// countWriter counts the bytes written through it.
type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// layerWriter streams one layer tar to a temporary file, hashing it as it
// goes, and emits each parent directory before the first entry inside it.
type layerWriter struct {
	f     *os.File
	bw    *bufio.Writer
	sum   hash.Hash
	cw    *countWriter
	tw    *tar.Writer
	dirs  map[string]bool
	paths map[string]struct{} // every path of the image so far, shared
	bytes int64               // regular-file bytes written
}

// newLayerWriter opens a temporary layer file in dir. paths collects the
// distinct paths of the whole image across its layers.
func newLayerWriter(dir string, paths map[string]struct{}) (*layerWriter, error) {
	f, err := os.CreateTemp(dir, ".layer-*.tar")
	if err != nil {
		return nil, err
	}
	w := &layerWriter{f: f, bw: bufio.NewWriterSize(f, 1<<20), sum: sha256.New(), dirs: map[string]bool{}, paths: paths}
	w.cw = &countWriter{w: io.MultiWriter(w.bw, w.sum)}
	w.tw = tar.NewWriter(w.cw)
	return w, nil
}

// header writes h after the directories that contain it.
func (w *layerWriter) header(h *tar.Header) error {
	name := strings.TrimSuffix(h.Name, "/")
	if dir := path.Dir(name); dir != "." && !w.dirs[dir] {
		if err := w.dir(dir, 0o755); err != nil {
			return err
		}
	}
	h.ModTime, h.Uid, h.Gid, h.Uname, h.Gname = epoch, 0, 0, "", ""
	if !strings.HasPrefix(path.Base(name), ".wh.") {
		w.paths[name] = struct{}{}
	}
	if err := w.tw.WriteHeader(h); err != nil {
		return fmt.Errorf("%s: %w", h.Name, err)
	}
	return nil
}

// dir adds a directory unless this layer already has it.
func (w *layerWriter) dir(name string, mode int64) error {
	if w.dirs[name] {
		return nil
	}
	w.dirs[name] = true
	return w.header(&tar.Header{Typeflag: tar.TypeDir, Name: name + "/", Mode: mode})
}

// file adds a regular file of size bytes read from r.
func (w *layerWriter) file(name string, mode, size int64, r io.Reader) error {
	if err := w.header(&tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: mode, Size: size}); err != nil {
		return err
	}
	n, err := io.CopyN(w.tw, r, size)
	w.bytes += n
	if err != nil {
		return fmt.Errorf("%s: %d of %d bytes: %w", name, n, size, err)
	}
	return nil
}

// symlink adds a symbolic link.
func (w *layerWriter) symlink(name, target string) error {
	return w.header(&tar.Header{Typeflag: tar.TypeSymlink, Name: name, Linkname: target, Mode: 0o777})
}

// whiteout adds the Docker whiteout that deletes name from lower layers.
func (w *layerWriter) whiteout(name string) error {
	dir, base := path.Split(name)
	return w.header(&tar.Header{Typeflag: tar.TypeReg, Name: dir + ".wh." + base, Mode: 0o600})
}

// close finishes the tar and returns the layer.
func (w *layerWriter) close(createdBy string) (*layerFile, error) {
	err := w.tw.Close()
	if err == nil {
		err = w.bw.Flush()
	}
	if cerr := w.f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(w.f.Name())
		return nil, fmt.Errorf("%s: %w", w.f.Name(), err)
	}
	return &layerFile{
		path:      w.f.Name(),
		diffID:    v1.Hash{Algorithm: "sha256", Hex: fmt.Sprintf("%x", w.sum.Sum(nil))},
		size:      w.cw.n,
		createdBy: createdBy,
	}, nil
}

// abort discards an unfinished layer.
func (w *layerWriter) abort() {
	w.f.Close()
	os.Remove(w.f.Name())
}
