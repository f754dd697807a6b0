package layerfs

import (
	"archive/tar"
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"math"
	"path"
	"strings"
	"unicode/utf8"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/dietimage/diet/internal/ctxio"
	"github.com/dietimage/diet/internal/tarname"
)

// Layer is what the walk learned about one layer.
type Layer struct {
	Index  int
	Digest v1.Hash // the blob digest; the diff ID when the blob is stored uncompressed
	DiffID v1.Hash
	// Compressed is the blob size, or -1 when the layer is stored
	// uncompressed and no compressed size exists.
	Compressed int64
	Seekable   bool // the walk skipped file bodies

	TarBytes     int64 // the uncompressed tar stream
	FileBytes    int64 // regular-file contents (hard links add nothing)
	SymlinkBytes int64 // symlink target lengths, as docker counts them
	HeaderBytes  int64 // headers, PAX and GNU long-name records
	PaddingBytes int64 // padding of file bodies to 512-byte blocks
	TrailerBytes int64 // end-of-archive blocks and anything after them

	Entries  int // tar entries, whiteouts included
	Added    int
	Modified int
	Deleted  int // paths removed, descendants included
}

const (
	whNone = iota
	whFile
	whOpaque
)

type rawEntry struct {
	name, link span
	size       int64
	mode       uint32
	uid, gid   uint32
	typ        byte
	wh         uint8
}

// walked is one layer's entries in tar order, waiting to be merged.
type walked struct {
	layer   Layer
	names   arena
	entries chunked[rawEntry]
}

// walkLayer reads layer idx once. diffID, when the config gave it, saves
// asking the layer, which may mean decompressing it.
func walkLayer(ctx context.Context, idx int, l v1.Layer, diffID v1.Hash, o *options) (*walked, error) {
	w := &walked{layer: Layer{Index: idx, Compressed: -1, DiffID: diffID}}
	if s, ok := l.(sectioner); ok {
		if sr, ok := s.UncompressedSection(); ok {
			if w.layer.DiffID.Hex == "" {
				var err error
				if w.layer.DiffID, err = l.DiffID(); err != nil {
					return nil, fmt.Errorf("diff ID: %w", err)
				}
			}
			w.layer.Digest, w.layer.Seekable = w.layer.DiffID, true
			return w, w.walkSection(ctx, sr, o)
		}
	}
	digest, err := l.Digest()
	if err != nil {
		return nil, fmt.Errorf("digest: %w", err)
	}
	w.layer.Digest = digest
	return w, w.walkStream(ctx, l, o)
}

func (w *walked) walkSection(ctx context.Context, sr *io.SectionReader, o *options) error {
	if o.verify {
		h := sha256.New()
		if _, err := io.Copy(h, io.NewSectionReader(sr, 0, sr.Size())); err != nil {
			return err
		}
		if err := check(fmt.Sprintf("sha256:%x", h.Sum(nil)), w.layer.DiffID); err != nil {
			return err
		}
	}
	start := w.layer
	end, err := w.scanSection(ctx, sr, o)
	if errors.Is(err, errFallback) {
		w.layer, w.entries, w.names = start, chunked[rawEntry]{}, arena{}
		src := newBufSection(sr)
		end, err = w.walkTar(ctx, src, func() int64 { return src.pos }, sr, o)
	}
	if err != nil {
		return err
	}
	w.layer.settle(end, sr.Size())
	return nil
}

func (w *walked) walkStream(ctx context.Context, l v1.Layer, o *options) error {
	rc, err := l.Compressed()
	if err != nil {
		return err
	}
	defer rc.Close()
	return w.walkBlob(ctx, rc, o)
}

// walkBlob walks the layer blob r to its end. A digest or diff ID the walk
// knows is checked; one it does not is computed.
func (w *walked) walkBlob(ctx context.Context, r io.Reader, o *options) error {
	blob := hashing(ctxio.Reader(ctx, r))
	defer blob.Close()
	br := bufio.NewReaderSize(blob, 64<<10)
	head, _ := br.Peek(len(zstdMagic)) // a short blob is the tar's error to report
	compressed := bytes.HasPrefix(head, gzipMagic) || bytes.HasPrefix(head, zstdMagic)
	// The diff ID is checked when asked to, or computed when unknown:
	// hashing every uncompressed byte costs a fifth of decompressing them.
	// An uncompressed blob's diff ID is its digest, hashed already.
	var diffHash hash.Hash
	if compressed && (o.verify || w.layer.DiffID.Hex == "") {
		diffHash = sha256.New()
	}
	dec := decompressing(br, diffHash)
	defer dec.Close()
	end, err := w.walkTar(ctx, dec, func() int64 { return dec.pos }, nil, o)
	if err != nil {
		return err
	}
	// Count what follows the end-of-archive blocks; the stages then end.
	tarBytes, diffSum, err := dec.wait()
	if err != nil {
		return err
	}
	if _, err := io.Copy(io.Discard, br); err != nil { // a blob may run on past the tar
		return err
	}
	size, sum, err := blob.wait()
	if err != nil {
		return err
	}
	w.layer.settle(end, tarBytes)
	haveDiff := diffHash != nil
	if compressed {
		w.layer.Compressed = size
	} else {
		haveDiff, diffSum = true, sum
	}
	if haveDiff {
		got := fmt.Sprintf("sha256:%x", diffSum)
		if w.layer.DiffID.Hex == "" {
			w.layer.DiffID, _ = v1.NewHash(got)
		} else if o.verify {
			if err := check(got, w.layer.DiffID); err != nil {
				return fmt.Errorf("diff ID: %w", err)
			}
		}
	}
	got := fmt.Sprintf("sha256:%x", sum)
	if w.layer.Digest.Hex == "" {
		w.layer.Digest, _ = v1.NewHash(got)
		return nil
	}
	return check(got, w.layer.Digest)
}

// settle counts the header and trailer bytes once the end of the last
// entry's padding (end) and the tar's size are known. archive/tar accepts a
// file that ends inside that padding. What is neither file data, padding
// nor trailer is headers: PAX and GNU long-name records, and the data of
// global headers and whiteouts.
func (l *Layer) settle(end, size int64) {
	if end > size {
		l.PaddingBytes -= end - size
		end = size
	}
	l.TarBytes = size
	l.HeaderBytes = end - l.FileBytes - l.PaddingBytes
	l.TrailerBytes = size - end
}

func check(got string, want v1.Hash) error {
	if want.Algorithm == "sha256" && got != want.String() {
		return fmt.Errorf("%w: content is %s, want %s", ErrDigestMismatch, got, want)
	}
	return nil
}

// walkTar records every entry of one tar stream and returns the offset
// where the last entry's data (padding included) ends.
func (w *walked) walkTar(ctx context.Context, r io.Reader, pos func() int64, ra io.ReaderAt, o *options) (int64, error) {
	tr := tar.NewReader(r)
	var end int64
	var prev string // the entry whose data Next skips
	for n := 0; ; n++ {
		if n%1024 == 0 && ctx.Err() != nil {
			return 0, ctx.Err()
		}
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			if errors.Is(err, io.EOF) {
				err = fmt.Errorf("%w (after %d entries, at byte %d)", io.ErrUnexpectedEOF, n, pos())
			} else if errors.Is(err, tar.ErrHeader) {
				err = fmt.Errorf("%w (after %d entries, at byte %d)", err, n, pos())
			} else if errors.Is(err, ErrTooLarge) && prev != "" {
				err = &EntryError{Name: prev, Err: err}
			}
			return 0, err
		}
		prev = hdr.Name
		start := pos()
		data := hdr.Size
		switch hdr.Typeflag {
		case tar.TypeLink, tar.TypeSymlink, tar.TypeChar, tar.TypeBlock, tar.TypeDir, tar.TypeFifo:
			data = 0 // header-only types carry no data whatever Size says
		}
		if ra != nil && (data < 0 || start+data > sizeOf(ra)) {
			return 0, &EntryError{Name: hdr.Name, Err: fmt.Errorf("%w (%w): %d bytes at offset %d", ErrTooLarge, io.ErrUnexpectedEOF, hdr.Size, start)}
		}
		end = start + data + pad(data)
		w.layer.PaddingBytes += pad(data)
		before := w.entries.len()
		if err := w.add(hdr, data); err != nil {
			return 0, &EntryError{Name: hdr.Name, Err: err}
		}
		if o.file != nil && data > 0 && w.entries.len() > before {
			var r io.Reader = tr
			if ra != nil {
				r = io.NewSectionReader(ra, start, data)
			}
			if err := w.inspect(o, r, ra != nil); err != nil {
				return 0, &EntryError{Name: hdr.Name, Err: err}
			}
		}
	}
	return end, nil
}

func sizeOf(ra io.ReaderAt) int64 { return ra.(*io.SectionReader).Size() }

func pad(n int64) int64 { return (512 - n%512) % 512 }

// owner is a tar uid or gid as Linux holds it: 32 bits. A larger one
// (base-256 allows it) cannot be chowned to; it reads as the largest.
func owner(n int) uint32 { return uint32(min(max(n, 0), math.MaxUint32)) }

// add validates one header and records it.
func (w *walked) add(hdr *tar.Header, data int64) error {
	w.layer.Entries++
	if hdr.Typeflag == tar.TypeXGlobalHeader {
		return nil // the engine ignores global headers, name and all
	}
	p, err := cleanName(hdr.Name)
	if err != nil {
		return err
	}
	e := rawEntry{mode: uint32(fs.FileMode(hdr.Mode).Perm()) | uint32(hdr.Mode)&0o7000, typ: hdr.Typeflag,
		uid: owner(hdr.Uid), gid: owner(hdr.Gid)}
	if e.typ == tar.TypeRegA {
		e.typ = tar.TypeReg
	}
	dir, base := path.Split(p)
	switch {
	case base == ".wh..wh..opq":
		e.wh, p = whOpaque, path.Clean(dir)
	case strings.HasPrefix(base, ".wh..wh."):
		return nil // aufs bookkeeping (.wh..wh.plnk and the like)
	case strings.HasPrefix(base, ".wh."):
		target := base[len(".wh."):]
		if target == "" || target == "." || target == ".." {
			return fmt.Errorf("%w: whiteout names no file", ErrUnsafePath)
		}
		e.wh, p = whFile, dir+target
	}
	switch e.typ {
	case tar.TypeReg:
		if e.wh == whNone {
			e.size = data
			w.layer.FileBytes += data
		}
	case tar.TypeSymlink:
		if len(hdr.Linkname) > tarname.MaxLen || !utf8.ValidString(hdr.Linkname) {
			return fmt.Errorf("%w: symlink target", ErrBadName)
		}
		e.link = w.names.add(hdr.Linkname)
		w.layer.SymlinkBytes += int64(len(hdr.Linkname))
	case tar.TypeLink:
		target, err := cleanName(hdr.Linkname)
		if err != nil {
			return fmt.Errorf("hard link target: %w", err)
		}
		e.link = w.names.add(target)
	case tar.TypeDir, tar.TypeChar, tar.TypeBlock, tar.TypeFifo:
	default:
		if e.wh == whNone { // the engine reads a whiteout's name, never its type
			return fmt.Errorf("%w (typeflag %q)", ErrUnsupportedType, rune(e.typ))
		}
		e.typ = tar.TypeReg
	}
	e.name = w.names.add(p)
	w.entries.add(e)
	return nil
}

// cleanName turns a tar name into the tree's absolute clean path, by the
// rule every reader of tar names in diet follows ([tarname.Clean]), and
// refuses a name that is not UTF-8: the tree's paths are text.
func cleanName(name string) (string, error) {
	if !utf8.ValidString(name) {
		return "", fmt.Errorf("%w: not UTF-8", ErrBadName)
	}
	c, err := tarname.Clean(name)
	if err != nil {
		return "", err
	}
	if c == "." {
		return "/", nil
	}
	return "/" + c, nil
}
