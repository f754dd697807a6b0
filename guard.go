package diet

import (
	"io"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/dietimage/diet/internal/diskspace"
)

// spoolGuard wraps the layers of an image that diet is about to unpack or spool
// onto a disk (the squashed layer's spool, a --level minimal rootfs), so
// that a layer which decompresses to many times its size stops at the
// reserve of free space (WithMinFree) instead of filling the disk. The
// library writes what it reads; checking what is read checks what lands.
type spoolGuard struct {
	v1.Image
	dir     string // the directory the bytes are written under
	reserve int64
	from    int // layers below from are not unpacked: left as they are
}

// Layers implements v1.Image.
func (g *spoolGuard) Layers() ([]v1.Layer, error) {
	ls, err := g.Image.Layers()
	if err != nil {
		return nil, err
	}
	out := make([]v1.Layer, len(ls))
	for i, l := range ls {
		out[i] = l
		if i >= g.from {
			out[i] = &guardedLayer{Layer: l, g: g}
		}
	}
	return out, nil
}

// guardedLayer reads its uncompressed bytes through a free-space check.
type guardedLayer struct {
	v1.Layer
	g *spoolGuard
}

// Uncompressed implements v1.Layer.
func (l *guardedLayer) Uncompressed() (io.ReadCloser, error) {
	d := diskspace.New(l.g.dir, l.g.reserve)
	if err := d.Check(0); err != nil {
		return nil, err
	}
	rc, err := l.Layer.Uncompressed()
	if err != nil {
		return nil, err
	}
	return struct {
		io.Reader
		io.Closer
	}{d.Reader(rc), rc}, nil
}
