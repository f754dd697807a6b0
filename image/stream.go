package image

import (
	"archive/tar"
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/klauspost/compress/zstd"
	"github.com/klauspost/pgzip"

	"github.com/dietimage/diet/internal/ctxio"
)

// BlobFunc reads one member of an archive read in one pass that may be a
// layer blob, as it passes (see [WithStream]). name is the member's clean
// name in the archive; r ends where the member does. An error is the
// member's: it is reported if the image uses the member as a layer.
type BlobFunc func(ctx context.Context, name string, r io.Reader) error

// maxStreamKept bounds the small members (JSON documents) a one-pass read
// keeps in memory, all together.
const maxStreamKept = 256 << 20

var errKept = fmt.Errorf("more than %d bytes of JSON documents and small members", maxStreamKept)

// openStream reads the archive r in one pass (see [WithStream]) and opens
// the image ref chooses in it.
func openStream(ctx context.Context, r io.Reader, ref imageRef, o *options) (v1.Image, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	plain, err := uncompressing(br)
	if err != nil {
		return nil, err
	}
	defer plain.Close()
	x, err := streamTar(ctx, plain, o.stream)
	if err != nil {
		return nil, err
	}
	return openIndexed(ctx, x, ref, o)
}

// uncompressing reads a gzipped or zstd-compressed archive as its tar. The
// decompressor reads ahead on goroutines of its own: the walks, which hash
// every byte, then share the cores with it instead of waiting on it.
func uncompressing(br *bufio.Reader) (io.ReadCloser, error) {
	head, err := br.Peek(4)
	if err != nil && err != io.EOF {
		return nil, err
	}
	switch {
	case bytes.HasPrefix(head, []byte{0x1f, 0x8b}):
		zr, err := pgzip.NewReaderN(br, 1<<20, 4)
		if err != nil {
			return nil, fmt.Errorf("gzip: %w", err)
		}
		return zr, nil
	case bytes.HasPrefix(head, []byte{0x28, 0xb5, 0x2f, 0xfd}):
		zr, err := zstd.NewReader(br, zstd.WithDecoderConcurrency(2))
		if err != nil {
			return nil, fmt.Errorf("zstd: %w", err)
		}
		return zr.IOReadCloser(), nil
	}
	return io.NopCloser(br), nil
}

// streamTar indexes the tar r in one pass. A member that may be a JSON
// document (a manifest, an index, a config) is kept whole, as is one too
// small to be a tar; any other is handed to walk as it passes, and only its
// first bytes are kept, for sniffing. The index then opens as an archive's
// does, but a layer's body is not there to read.
func streamTar(ctx context.Context, r io.Reader, walk BlobFunc) (*tarIndex, error) {
	x := &tarIndex{members: map[string]member{}}
	cr := &countingReader{r: ctxio.Reader(ctx, r)}
	tr := tar.NewReader(cr)
	body := bufio.NewReaderSize(nil, 64<<10)
	var kept int64
	// archive/tar ends quietly when the stream stops at or inside the last
	// body's padding; a complete archive has two zero blocks after it.
	var bodyEnd, pad int64
	for n := 0; ; n++ {
		h, err := tr.Next()
		if err != nil && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		switch {
		case err == io.EOF && n == 0:
			return nil, errors.New("not a tar archive: no entries")
		case err == io.EOF && cr.n-bodyEnd < pad+1024:
			return nil, tag(ErrTruncated, fmt.Errorf("archive truncated: no end-of-archive blocks after %d entries: %w", n, io.ErrUnexpectedEOF))
		case err == io.EOF:
			return x, nil
		case err != nil && n == 0 && cr.n < 1024:
			return nil, fmt.Errorf("not a tar archive: %d bytes", cr.n)
		case err != nil:
			return nil, tarError(err, cr.n)
		case n >= maxMembers:
			return nil, fmt.Errorf("more than %d entries", maxMembers)
		}
		name, err := cleanName(h.Name)
		if err != nil {
			return nil, err
		}
		if h.Typeflag == tar.TypeGNUSparse || isPAXSparse(h) {
			// Reading its body expands its holes; docker save makes none.
			return nil, fmt.Errorf("entry %q: sparse entries are not supported", h.Name)
		}
		headerEnd := cr.n
		m := member{size: h.Size, typ: h.Typeflag}
		switch h.Typeflag {
		case tar.TypeReg:
			body.Reset(tr)
			if m.body, err = streamMember(ctx, name, h.Size, body, walk, &kept); err != nil {
				switch {
				case ctx.Err() != nil:
					return nil, ctx.Err()
				case errors.Is(err, errKept):
					return nil, err
				}
				return nil, tarError(fmt.Errorf("entry %q: %w", h.Name, err), cr.n)
			}
		case tar.TypeSymlink:
			m.link = h.Linkname
		case tar.TypeLink:
			if m.link, err = cleanName(h.Linkname); err != nil {
				return nil, err
			}
		}
		// The rest of any entry's data (Next would skip it, unread).
		if _, err := io.Copy(io.Discard, tr); err != nil {
			return nil, tarError(fmt.Errorf("entry %q: %w", h.Name, err), cr.n)
		}
		bodyEnd = cr.n
		pad = (512 - (bodyEnd-headerEnd)%512) % 512
		switch m.typ {
		case tar.TypeReg, tar.TypeSymlink, tar.TypeLink:
			x.members[name] = m // a later entry replaces an earlier one, as in extraction
		}
	}
}

// streamMember reads one member's body, r, and returns what stays of it.
// A read error of r (the stream cut short) is returned; walk's error is
// kept for whoever reads the member.
func streamMember(ctx context.Context, name string, size int64, r *bufio.Reader, walk BlobFunc, kept *int64) (io.ReaderAt, error) {
	head, err := r.Peek(int(min(size, 512)))
	if err != nil {
		return nil, err
	}
	if size <= 512 || (size <= maxJSON && mayBeJSON(head)) {
		if *kept += size; *kept > maxStreamKept {
			return nil, fmt.Errorf("%s: %w", name, errKept)
		}
		b := make([]byte, size)
		if _, err := io.ReadFull(r, b); err != nil {
			return nil, err
		}
		// A tar is never valid JSON (its first block holds NUL bytes).
		if !json.Valid(b) && ctx.Err() == nil {
			walk(ctx, name, bytes.NewReader(b)) // small: its bytes stay readable
		}
		return bytes.NewReader(b), nil
	}
	s := &streamed{name: name, head: bytes.Clone(head[:min(len(head), 16)])}
	s.err = walk(ctx, name, r)
	// Whatever walk left unread is skipped; a cut stream fails here.
	if _, err := io.Copy(io.Discard, r); err != nil {
		return nil, err
	}
	return s, nil
}

// mayBeJSON reports whether a member starting with head may be a JSON
// object or array.
func mayBeJSON(head []byte) bool {
	head = bytes.TrimLeft(head, " \t\r\n")
	return len(head) > 0 && (head[0] == '{' || head[0] == '[')
}

// streamed is a member whose body passed once: its first bytes, and the
// error its walk met.
type streamed struct {
	name string
	head []byte
	err  error
}

// ReadAt implements io.ReaderAt over the first bytes only.
func (s *streamed) ReadAt(p []byte, off int64) (int, error) {
	if off+int64(len(p)) <= int64(len(s.head)) {
		return copy(p, s.head[off:]), nil
	}
	if s.err != nil {
		return 0, fmt.Errorf("%s: %w", s.name, s.err)
	}
	return 0, fmt.Errorf("%s: read once from a stream, its body was not kept", s.name)
}

// countingReader counts the bytes read.
type countingReader struct {
	r io.Reader
	n int64
}

// Read implements io.Reader.
func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
