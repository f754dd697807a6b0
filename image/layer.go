package image

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"sync"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/partial"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"

	"github.com/dietimage/diet/internal/ctxio"
)

// compression is how a blob is stored, from its magic bytes.
type compression int

const (
	uncompressed compression = iota
	gzipped
	zstded
)

// sniff reads the first bytes of a blob.
func sniff(sr *io.SectionReader) (compression, error) {
	var b [4]byte
	n, err := sr.ReadAt(b[:], 0)
	if n < len(b) && err != io.EOF {
		return 0, err
	}
	switch {
	case bytes.HasPrefix(b[:n], []byte{0x1f, 0x8b}):
		return gzipped, nil
	case bytes.HasPrefix(b[:n], []byte{0x28, 0xb5, 0x2f, 0xfd}):
		return zstded, nil
	}
	return uncompressed, nil
}

// archiveLayer is a layer whose blob is a section of an archive file.
type archiveLayer struct {
	ctx    context.Context
	blob   *io.SectionReader
	comp   compression
	diffID v1.Hash
	mt     types.MediaType
	// stored: the blob is the layer's distributable form, as in an OCI
	// manifest or a gzipped classic layer.tar. Otherwise (an uncompressed
	// classic layer) the compressed form is ggcr's gzip of it, made on demand.
	stored bool
	digest v1.Hash // known when an OCI manifest names the blob

	once sync.Once
	gz   v1.Layer // the gzip view of an uncompressed classic layer
	err  error
}

var (
	_ v1.Layer = (*archiveLayer)(nil)
	_ interface {
		UncompressedSection() (*io.SectionReader, bool)
	} = (*archiveLayer)(nil)
)

// UncompressedSection returns the layer's uncompressed tar as a section of
// the archive file when the blob is stored uncompressed; ok is false when it
// is gzip or zstd. Each call returns a fresh reader at offset 0.
func (l *archiveLayer) UncompressedSection() (*io.SectionReader, bool) {
	if l.comp != uncompressed {
		return nil, false
	}
	ra, off, n := l.blob.Outer()
	return io.NewSectionReader(ra, off, n), true
}

// lazy computes what is only known by reading the whole blob: the digest of
// a stored blob that no manifest named, or the gzip view of a classic layer.
func (l *archiveLayer) lazy() error {
	l.once.Do(func() {
		if l.stored {
			l.digest, _, l.err = v1.SHA256(l.reader(l.section()))
			return
		}
		l.gz, l.err = partial.UncompressedToLayer(l)
	})
	return l.err
}

// Digest implements v1.Layer. For an uncompressed classic layer it gzips
// the whole layer once: ask only when a manifest must be produced.
func (l *archiveLayer) Digest() (v1.Hash, error) {
	if l.digest.Hex != "" {
		return l.digest, nil
	}
	if err := l.lazy(); err != nil {
		return v1.Hash{}, err
	}
	if l.stored {
		return l.digest, nil
	}
	return l.gz.Digest()
}

// Size implements v1.Layer.
func (l *archiveLayer) Size() (int64, error) {
	if l.stored {
		return l.blob.Size(), nil
	}
	if err := l.lazy(); err != nil {
		return 0, err
	}
	return l.gz.Size()
}

// Compressed implements v1.Layer: the stored blob, or a gzip stream of an
// uncompressed classic layer.
func (l *archiveLayer) Compressed() (io.ReadCloser, error) {
	if l.stored {
		return l.reader(l.section()), nil
	}
	if err := l.lazy(); err != nil {
		return nil, err
	}
	return l.gz.Compressed()
}

// Uncompressed implements v1.Layer. A layer stored uncompressed reads as a
// [fileReader].
func (l *archiveLayer) Uncompressed() (io.ReadCloser, error) {
	sec := l.section()
	r := l.reader(sec)
	switch l.comp {
	case gzipped:
		zr, err := gzip.NewReader(r)
		if err != nil {
			return nil, fmt.Errorf("layer %s: %w", short(l.diffID), err)
		}
		return zr, nil
	case zstded:
		zr, err := zstd.NewReader(r, zstd.WithDecoderConcurrency(1))
		if err != nil {
			return nil, fmt.Errorf("layer %s: %w", short(l.diffID), err)
		}
		return zr.IOReadCloser(), nil
	}
	return fileReader{r, sec}, nil
}

// fileReader reads a section of a file. Its Outer, as [io.SectionReader]'s,
// lets a writer copy the bytes file to file in the kernel
// (copy_file_range) instead of through memory.
type fileReader struct {
	io.ReadCloser
	sec *io.SectionReader
}

// Outer returns the file, offset and size of the section.
func (r fileReader) Outer() (io.ReaderAt, int64, int64) { return r.sec.Outer() }

// DiffID implements v1.Layer; it comes from the image config.
func (l *archiveLayer) DiffID() (v1.Hash, error) { return l.diffID, nil }

// MediaType implements v1.Layer.
func (l *archiveLayer) MediaType() (types.MediaType, error) { return l.mt, nil }

func (l *archiveLayer) section() *io.SectionReader {
	ra, off, n := l.blob.Outer()
	return io.NewSectionReader(ra, off, n)
}

// reader stops with the open context's error once it is cancelled;
// closing it does nothing, the archive file outlives its readers.
func (l *archiveLayer) reader(r io.Reader) io.ReadCloser {
	return io.NopCloser(ctxio.Reader(l.ctx, r))
}

// short abbreviates a digest for messages: sha256:0123456789ab….
func short(h v1.Hash) string {
	if len(h.Hex) <= 12 {
		return h.String()
	}
	return h.Algorithm + ":" + h.Hex[:12] + "…"
}
