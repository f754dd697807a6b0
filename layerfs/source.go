package layerfs

import (
	"bufio"
	"bytes"
	"fmt"
	"io"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
)

// sectioner is a layer that can hand out its uncompressed tar as a seekable
// section of a file (an archive that stores layers uncompressed). Package
// image implements it without knowing this package.
type sectioner interface {
	UncompressedSection() (*io.SectionReader, bool)
}

// bufSection reads a section through a small buffer and seeks past file
// bodies: tar.Reader skips data with Seek when its reader has one.
type bufSection struct {
	sr       *io.SectionReader
	buf      []byte
	bufStart int64 // section offset of buf[0]
	pos      int64 // current section offset
}

// After a seek past a body the next header is read with a little around
// it (bodies are often large, and copying them costs what the walk saves);
// reading on sequentially means small files: read further ahead.
const (
	afterSeek = 4 << 10
	readAhead = 64 << 10
)

func newBufSection(sr *io.SectionReader) *bufSection {
	return &bufSection{sr: sr, buf: make([]byte, 0, readAhead)}
}

// Read implements io.Reader.
func (b *bufSection) Read(p []byte) (int, error) {
	if b.pos < b.bufStart || b.pos >= b.bufStart+int64(len(b.buf)) {
		if len(p) >= readAhead { // large reads bypass the buffer
			n, err := b.sr.ReadAt(p, b.pos)
			b.pos += int64(n)
			if err == io.EOF && n > 0 {
				err = nil
			}
			return n, err
		}
		want := afterSeek
		if b.pos == b.bufStart+int64(len(b.buf)) {
			want = readAhead
		}
		n, err := b.sr.ReadAt(b.buf[:want], b.pos)
		b.buf, b.bufStart = b.buf[:n], b.pos
		if n == 0 {
			if err == nil {
				err = io.EOF
			}
			return 0, err
		}
	}
	n := copy(p, b.buf[b.pos-b.bufStart:])
	b.pos += int64(n)
	return n, nil
}

// Seek implements io.Seeker.
func (b *bufSection) Seek(off int64, whence int) (int64, error) {
	switch whence {
	case io.SeekStart:
	case io.SeekCurrent:
		off += b.pos
	case io.SeekEnd:
		off += b.sr.Size()
	}
	if off < 0 {
		return b.pos, fmt.Errorf("seek to negative offset %d", off)
	}
	b.pos = off
	return off, nil
}

var (
	gzipMagic = []byte{0x1f, 0x8b}
	zstdMagic = []byte{0x28, 0xb5, 0x2f, 0xfd}
)

// decompress returns the uncompressed stream of a blob, by its magic bytes.
func decompress(r io.Reader) (io.ReadCloser, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	head, err := br.Peek(4)
	if err != nil && err != io.EOF {
		return nil, err
	}
	switch {
	case bytes.HasPrefix(head, gzipMagic):
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("gzip: %w", err)
		}
		return zr, nil
	case bytes.HasPrefix(head, zstdMagic):
		zr, err := zstd.NewReader(br, zstd.WithDecoderConcurrency(1))
		if err != nil {
			return nil, fmt.Errorf("zstd: %w", err)
		}
		return zr.IOReadCloser(), nil
	}
	return io.NopCloser(br), nil
}
