package image

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"golang.org/x/sys/unix"

	"github.com/dietimage/diet/internal/ctxio"
	"github.com/dietimage/diet/internal/diskspace"
)

const blockSize = 512

// zeroBlocks pads members and ends the archive.
var zeroBlocks [2 * blockSize]byte

// tarStream writes an outer tar, such as a docker save archive, whose
// headers carry only a name, a type, a mode, a size and one fixed time: no
// owners, no user names, no clocks. Over a file (f set, and w writes f), a
// layer whose size is unknown gets its header written after its body, so
// the layer is read once; over a stream every size must be known first.
type tarStream struct {
	w     io.Writer
	f     *os.File
	off   int64
	mtime time.Time
	buf   []byte           // the copy buffer: one per stream, whatever the layer sizes
	g     *diskspace.Guard // for a file: the free space it may take, or nil
}

func (t *tarStream) write(p []byte) error {
	n, err := t.w.Write(p)
	t.off += int64(n)
	return err
}

// header writes the header of a member.
func (t *tarStream) header(name string, typ byte, size int64) error {
	b, err := tarHeader(name, typ, size, t.mtime)
	if err != nil {
		return err
	}
	return t.write(b)
}

// tarHeader encodes one header block. Sizes of 8 GiB and more, which USTAR
// cannot hold, are written in GNU's base-256, still in one block.
func tarHeader(name string, typ byte, size int64, mtime time.Time) ([]byte, error) {
	mode, format := int64(0o644), tar.FormatUSTAR
	if typ == tar.TypeDir {
		mode = 0o755
	}
	if size >= 1<<33 {
		format = tar.FormatGNU
	}
	var buf bytes.Buffer
	h := &tar.Header{Typeflag: typ, Name: name, Mode: mode, Size: size, ModTime: mtime, Format: format}
	if err := tar.NewWriter(&buf).WriteHeader(h); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if buf.Len() != blockSize {
		panic("image: tar header of " + name + " is not one block") // names are short and fixed
	}
	return buf.Bytes(), nil
}

// pad fills the last block of a member with zeros.
func (t *tarStream) pad() error {
	if r := t.off % blockSize; r != 0 {
		return t.write(zeroBlocks[:blockSize-r])
	}
	return nil
}

// file writes a small member.
func (t *tarStream) file(name string, b []byte) error {
	if err := t.header(name, tar.TypeReg, int64(len(b))); err != nil {
		return err
	}
	if err := t.write(b); err != nil {
		return err
	}
	return t.pad()
}

// close writes the two zero blocks that end an archive.
func (t *tarStream) close() error { return t.write(zeroBlocks[:]) }

// layer streams l's uncompressed tar as the member name and checks that it
// hashes to want. size is the layer's size when known, or -1: the header
// is then patched once the body is written (t.f only).
func (t *tarStream) layer(ctx context.Context, name string, l v1.Layer, want v1.Hash, size int64) (int64, error) {
	at := t.off
	if err := t.header(name, tar.TypeReg, max(size, 0)); err != nil {
		return 0, err
	}
	rc, err := l.Uncompressed()
	if err != nil {
		return 0, err
	}
	defer rc.Close()
	if src, off, n, ok := fileSection(rc); ok && t.f != nil && (size < 0 || size == n) {
		// A layer a thousand times its compressed size must not fill the
		// disk: copy_file_range passes no check of its own (t.w checks
		// what is copied otherwise).
		if t.g != nil {
			if err := t.g.Check(n); err != nil {
				return 0, err
			}
		}
		if err := t.copyRange(ctx, at, name, src, off, n, want); !errors.Is(err, errNoCopyRange) {
			return n, err
		}
	}
	h := sha256.New()
	var r io.Reader = ctxio.Reader(ctx, rc)
	if size >= 0 {
		r = io.LimitReader(r, size+1) // one more byte shows a layer that grew
	}
	n, err := io.CopyBuffer(io.MultiWriter(t.w, h), r, t.buf)
	t.off += n
	if err != nil {
		return n, fmt.Errorf("after %d bytes: %w", n, err)
	}
	if size >= 0 && n != size {
		return n, tag(ErrMismatch, fmt.Errorf("%d bytes, %d when first read", n, size))
	}
	if err := checkDigest(h, want); err != nil {
		return n, err
	}
	if size < 0 {
		b, err := tarHeader(name, tar.TypeReg, n, t.mtime)
		if err != nil {
			return n, err
		}
		if _, err := t.f.WriteAt(b, at); err != nil {
			return n, err
		}
	}
	return n, t.pad()
}

// fileSection finds the file under a reader of a file's section: a layer
// stored uncompressed in an archive, or one spooled to a file.
func fileSection(r io.Reader) (f *os.File, off, n int64, ok bool) {
	o, ok := r.(interface {
		Outer() (io.ReaderAt, int64, int64)
	})
	if !ok {
		return nil, 0, 0, false
	}
	ra, off, n := o.Outer()
	f, ok = ra.(*os.File)
	return f, off, n, ok
}

// errNoCopyRange says the kernel cannot copy between the two files.
var errNoCopyRange = errors.New("copy_file_range unsupported")

// copyRange writes the n bytes at off in src as the body of the member
// whose header is at at, copying file to file in the kernel while a second
// goroutine hashes the same bytes (from the page cache) to check want.
// When the kernel refuses the first copy, it returns errNoCopyRange having
// written nothing.
func (t *tarStream) copyRange(ctx context.Context, at int64, name string, src *os.File, off, n int64, want v1.Hash) error {
	hashed := make(chan error, 1)
	hctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		h := sha256.New()
		_, err := io.CopyBuffer(h, ctxio.Reader(hctx, io.NewSectionReader(src, off, n)), make([]byte, 1<<20))
		if err == nil {
			err = checkDigest(h, want)
		}
		hashed <- err
	}()
	if _, err := t.f.Seek(t.off, io.SeekStart); err != nil {
		return err
	}
	var done int64
	for done < n {
		if err := ctx.Err(); err != nil {
			return err
		}
		roff := off + done
		c, err := unix.CopyFileRange(int(src.Fd()), &roff, int(t.f.Fd()), nil, int(min(n-done, 64<<20)), 0)
		if done == 0 && (errors.Is(err, unix.EXDEV) || errors.Is(err, unix.ENOSYS) || errors.Is(err, unix.EINVAL) ||
			errors.Is(err, unix.EOPNOTSUPP)) {
			return errNoCopyRange
		}
		if err != nil {
			return fmt.Errorf("after %d bytes: %w", done, err)
		}
		if c == 0 {
			return tag(ErrTruncated, fmt.Errorf("after %d bytes of %d: %w", done, n, io.ErrUnexpectedEOF))
		}
		done += int64(c)
		t.off += int64(c)
	}
	if err := <-hashed; err != nil {
		return err
	}
	b, err := tarHeader(name, tar.TypeReg, n, t.mtime)
	if err != nil {
		return err
	}
	if _, err := t.f.WriteAt(b, at); err != nil {
		return err
	}
	return t.pad()
}

// checkDigest compares what h has hashed with want, a diff ID.
func checkDigest(h hash.Hash, want v1.Hash) error {
	got := v1.Hash{Algorithm: "sha256", Hex: hex.EncodeToString(h.Sum(nil))}
	if got != want {
		return tag(ErrMismatch, fmt.Errorf("content hashes to %s, the config says %s", short(got), short(want)))
	}
	return nil
}

// knownSize returns the uncompressed size of l when the layer knows it
// without being read: a stored-uncompressed archive layer, or one that
// says (ggcr's optional UncompressedSize). Else it returns -1.
func knownSize(l v1.Layer) int64 {
	if s, ok := l.(interface {
		UncompressedSection() (*io.SectionReader, bool)
	}); ok {
		if sr, ok := s.UncompressedSection(); ok {
			return sr.Size()
		}
	}
	if s, ok := l.(interface{ UncompressedSize() (int64, error) }); ok {
		if n, err := s.UncompressedSize(); err == nil && n >= 0 {
			return n
		}
	}
	return -1
}

// measure reads l once to learn its size (checking its content) when the
// layer does not know it: a stream cannot patch a header.
func measure(ctx context.Context, l v1.Layer, want v1.Hash) (int64, error) {
	if n := knownSize(l); n >= 0 {
		return n, nil
	}
	rc, err := l.Uncompressed()
	if err != nil {
		return 0, err
	}
	defer rc.Close()
	h := sha256.New()
	n, err := io.Copy(h, ctxio.Reader(ctx, rc))
	if err != nil {
		return n, fmt.Errorf("after %d bytes: %w", n, err)
	}
	return n, checkDigest(h, want)
}
