package slim

import (
	"archive/tar"
	"bufio"
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"path"
	"slices"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/dietimage/diet/layerfs"
)

// rewriter writes one new layer for a plan, and counts what it wrote.
type rewriter struct {
	*Plan
	written Written
	packing *Packing // nil without WithUPX
}

// writeLayer streams the kept entries of layers[from:] into one tar in w:
// whiteouts first (they apply to the layers below), then each kept path
// once, in layer and archive order, with its original header.
func (p *rewriter) writeLayer(ctx context.Context, layers []v1.Layer, w io.Writer) error {
	tw := tar.NewWriter(w)
	for _, wh := range p.whiteouts {
		dir, base := path.Split(wh)
		if err := tw.WriteHeader(&tar.Header{Name: rel(path.Join(dir, ".wh."+base)), Typeflag: tar.TypeReg,
			Mode: 0o644, Format: tar.FormatPAX}); err != nil {
			return err
		}
	}
	written := make([]bool, p.tree.Len())
	if err := p.writeDirs(tw, written); err != nil {
		return err
	}
	for i := p.KeepBase; i < len(layers); i++ {
		if err := p.copyLayer(ctx, i, layers[i], tw, written); err != nil {
			return fmt.Errorf("layer %d: %w", i, err)
		}
	}
	return tw.Close()
}

// copyLayer copies from layer i the entries whose version is the final one.
// It reads the layer whole anyway, so it hashes what it reads on the side:
// a layer whose content is not the diff ID the config names stops the
// rewrite ([layerfs.ErrDigestMismatch]) rather than turning into a fresh
// layer with a fresh digest that hides it.
func (p *rewriter) copyLayer(ctx context.Context, i int, l v1.Layer, tw *tar.Writer, written []bool) error {
	want, err := l.DiffID()
	if err != nil {
		return err
	}
	rc, err := l.Uncompressed()
	if err != nil {
		return err
	}
	defer rc.Close()
	h := newHasher()
	defer h.sum() // the error paths; the goroutine must end
	// A large buffer under the tee, so the hasher gets big chunks, not one
	// per 512-byte header.
	br := bufio.NewReaderSize(io.TeeReader(rc, h), 1<<20)
	tr := tar.NewReader(br)
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		hdr, err := tr.Next()
		if err == io.EOF {
			// What follows the end-of-archive blocks is part of the layer.
			if _, err := io.Copy(io.Discard, br); err != nil {
				return err
			}
			got := v1.Hash{Algorithm: "sha256", Hex: fmt.Sprintf("%x", h.sum())}
			if got != want {
				return fmt.Errorf("%w: content hashes to %s, the config's diff ID is %s", layerfs.ErrDigestMismatch, got, want)
			}
			return nil
		}
		if err != nil {
			return err
		}
		switch hdr.Typeflag {
		case tar.TypeXGlobalHeader:
			continue // the engine ignores it, and its name may be a kept file's
		case tar.TypeReg, tar.TypeLink, tar.TypeSymlink, tar.TypeChar, tar.TypeBlock, tar.TypeDir, tar.TypeFifo:
		default:
			if !whiteout(hdr.Name) { // layerfs refused it first; this keeps the writer honest
				return &layerfs.EntryError{Name: hdr.Name, Err: fmt.Errorf("%w (typeflag %q)", layerfs.ErrUnsupportedType, rune(hdr.Typeflag))}
			}
		}
		name := path.Clean("/" + hdr.Name)
		id, ok := p.tree.Lookup(name)
		if !ok || !p.keep[id] || written[id] {
			continue // whiteouts, and what is deleted, replaced or left out
		}
		if p.tree.Layer(id) != i || p.tree.Implicit(id) {
			continue
		}
		if hdr.Typeflag == tar.TypeLink {
			target, ok := p.tree.Lookup(path.Clean("/" + hdr.Linkname))
			if !ok || !written[target] {
				continue // its target was left out: the link would not load
			}
			hdr.Linkname = rel(p.tree.Path(target))
		}
		h := *hdr
		h.Name = rel(name)
		if h.Typeflag == tar.TypeDir {
			h.Name += "/"
		}
		var body io.Reader = tr
		if (p.opts.strip || p.opts.upx) && (h.Typeflag == tar.TypeReg || h.Typeflag == tar.TypeRegA) && h.Size > 1024 {
			t, err := transform(ctx, p.opts.tempDir, &h, tr, p.opts.strip, p.opts.upx)
			if err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			defer t.f.Close() // the error paths; closed below once copied
			p.count(name, h.Size, t)
			body, h.Size = t.f, t.size
		}
		if err := tw.WriteHeader(&h); err != nil {
			return &layerfs.EntryError{Name: hdr.Name, Err: err}
		}
		switch h.Typeflag {
		case tar.TypeReg, tar.TypeRegA:
			if _, err := io.Copy(tw, body); err != nil {
				return &layerfs.EntryError{Name: hdr.Name, Err: err}
			}
			if c, ok := body.(io.Closer); ok {
				c.Close() // a transformed copy: one open file at a time
			}
			p.written.FileBytes += h.Size
		case tar.TypeSymlink:
			p.written.SymlinkBytes += int64(len(h.Linkname))
		}
		p.written.Entries++
		written[id] = true
	}
}

// writeDirs writes first the directories no layer entry names (a layer
// made them for a file that may be gone now) and, on an empty base, every
// directory kept, with its mode: what is kept then has its parents.
func (p *rewriter) writeDirs(tw *tar.Writer, written []bool) error {
	type dir struct {
		path string
		id   layerfs.ID
	}
	var dirs []dir
	for id := layerfs.ID(1); int(id) < p.tree.Len(); id++ {
		n := p.tree.Stat(id)
		if p.keep[id] && n.Type == tar.TypeDir && (n.Implicit || p.Level == Minimal) {
			dirs = append(dirs, dir{n.Path, id})
		}
	}
	slices.SortFunc(dirs, func(a, b dir) int { return strings.Compare(a.path, b.path) })
	for _, d := range dirs {
		n := p.tree.Stat(d.id)
		mode := int64(n.Mode.Perm()) | 0o100 // a directory must stay searchable
		if n.Implicit {
			mode = 0o755
		}
		if err := tw.WriteHeader(&tar.Header{Name: rel(d.path) + "/", Typeflag: tar.TypeDir, Mode: mode,
			ModTime: p.opts.created, Format: tar.FormatPAX}); err != nil {
			return err
		}
		written[d.id] = true
	}
	return nil
}

func rel(p string) string { return p[1:] }

// whiteout reports whether a tar name is a whiteout or opaque marker, which
// the engine reads by name whatever its type.
func whiteout(name string) bool { return strings.HasPrefix(path.Base(name), ".wh.") }

// count records what strip and UPX did to the file at name, of size bytes.
func (p *rewriter) count(name string, size int64, t *transformed) {
	if t.strip > 0 {
		p.written.Stripped++
		p.written.StrippedBytes += t.strip
	}
	switch {
	case t.packed > 0:
		p.packing.Packed = append(p.packing.Packed, Packed{Path: name, Before: size - t.strip, After: t.size})
		p.packing.SavedBytes += t.packed
	case t.skip != "":
		p.packing.Skipped = append(p.packing.Skipped, Unpacked{Path: name, Reason: t.skip})
	}
}

// write writes the new layer to w and returns its diff ID and size.
func (p *rewriter) write(ctx context.Context, layers []v1.Layer, w io.Writer) (v1.Hash, int64, error) {
	h := newHasher()
	bw := bufio.NewWriterSize(io.MultiWriter(w, h), 1<<20) // 1 MB a write and a hash step
	cw := &counter{w: bw}
	err := p.writeLayer(ctx, layers, cw)
	if err == nil {
		err = bw.Flush()
	}
	sum := h.sum()
	if err != nil {
		return v1.Hash{}, 0, err
	}
	p.written.TarBytes = cw.n
	return v1.Hash{Algorithm: "sha256", Hex: fmt.Sprintf("%x", sum)}, cw.n, nil
}

// hasher hashes what is written to it on a goroutine of its own, so that
// the layer's diff ID costs the writer a copy, not a sha256 pass.
type hasher struct {
	chunks chan []byte
	free   chan []byte
	done   chan []byte
	result []byte
}

func newHasher() *hasher {
	h := &hasher{chunks: make(chan []byte, 4), free: make(chan []byte, 4), done: make(chan []byte)}
	go func() {
		d := sha256.New()
		for b := range h.chunks {
			d.Write(b)
			select {
			case h.free <- b[:0]:
			default: // enough spares: let this one go
			}
		}
		h.done <- d.Sum(nil)
	}()
	return h
}

// Write implements io.Writer.
func (h *hasher) Write(p []byte) (int, error) {
	var b []byte
	select {
	case b = <-h.free:
	default:
		b = make([]byte, 0, 1<<20)
	}
	h.chunks <- append(b, p...)
	return len(p), nil
}

// sum waits for the hash of everything written. Later calls return the
// same sum.
func (h *hasher) sum() []byte {
	if h.result == nil {
		close(h.chunks)
		h.result = <-h.done
	}
	return h.result
}

type counter struct {
	w io.Writer
	n int64
}

func (c *counter) Write(b []byte) (int, error) {
	n, err := c.w.Write(b)
	c.n += int64(n)
	return n, err
}
