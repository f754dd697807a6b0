package layerfs

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"
	"unsafe"
)

// errFallback sends a layer the fast scanner leaves alone (GNU sparse
// files, in either form) to archive/tar instead.
var errFallback = errors.New("tar feature left to archive/tar")

// maxSpecial bounds PAX records and GNU long names, as archive/tar does.
const maxSpecial = 1 << 20

// scanSection walks a seekable uncompressed tar by reading only its
// headers. archive/tar spends most of its time validating what this walk
// never uses (it scans each header block rune by rune for non-ASCII bytes),
// which matters at half a million entries. It returns the offset where the
// last entry's data ends.
func (w *walked) scanSection(ctx context.Context, sr *io.SectionReader, o *options) (int64, error) {
	return scanHeaders(ctx, sr, func(hdr *tar.Header, dataStart, data int64) error {
		w.layer.PaddingBytes += pad(data)
		before := w.entries.len()
		if err := w.add(hdr, data); err != nil {
			return &EntryError{Name: strings.Clone(hdr.Name), Err: err}
		}
		if o.file != nil && data > 0 && w.entries.len() > before {
			if err := w.inspect(o, io.NewSectionReader(sr, dataStart, data), true); err != nil {
				return &EntryError{Name: strings.Clone(hdr.Name), Err: err}
			}
		}
		return nil
	})
}

// scanHeaders calls fn with each entry archive/tar's Reader.Next would
// return for the tar in sr, global PAX headers included, and where its data
// lies. It follows Next in everything: which of a PAX path and a GNU long
// name wins, what a global header forgets, where the archive ends, what it
// refuses. The header's strings may alias a buffer: fn copies what it keeps.
// It returns the offset where the last entry's data and padding end, which
// is past the end of the file when the file ends inside that padding.
func scanHeaders(ctx context.Context, sr *io.SectionReader, fn func(hdr *tar.Header, dataStart, data int64) error) (int64, error) {
	src := newBufSection(sr)
	size := sr.Size()
	var (
		blk                [512]byte
		hdr                tar.Header
		end                int64
		longName, longLink string
		pax                map[string]string
	)
	for n := 0; ; n++ {
		if n%1024 == 0 && ctx.Err() != nil {
			return 0, ctx.Err()
		}
		start := src.pos
		if _, err := io.ReadFull(src, blk[:]); err == io.EOF {
			return end, nil // archive/tar ends quietly where the file ends between blocks
		} else if err != nil {
			return 0, fmt.Errorf("%w (after %d entries, at byte %d)", io.ErrUnexpectedEOF, n, start)
		}
		if blk == zeroBlock {
			// The end: a second zero block or the end of the file. Anything
			// else archive/tar refuses.
			_, err := io.ReadFull(src, blk[:])
			switch {
			case err == io.EOF:
			case err != nil:
				return 0, fmt.Errorf("%w (after %d entries, at byte %d)", io.ErrUnexpectedEOF, n, start+512)
			case blk != zeroBlock:
				return 0, badHeader("a header after a zero block", start+512)
			}
			return end, nil
		}
		f, bad := parseBlock(&blk)
		if bad != "" {
			return 0, badHeader(bad, start)
		}
		typ := blk[156]
		if f.size < 0 && !isHeaderOnly(typ) {
			return 0, badHeader("negative size", start)
		}
		dataStart := src.pos
		switch typ {
		case tar.TypeXHeader, tar.TypeXGlobalHeader, tar.TypeGNULongName, tar.TypeGNULongLink:
			if f.size > maxSpecial {
				return 0, fmt.Errorf("%w: %d-byte extended header at byte %d", ErrTooLarge, f.size, start)
			}
			if f.size > size-dataStart {
				return 0, fmt.Errorf("%w (after %d entries, at byte %d)", io.ErrUnexpectedEOF, n, size)
			}
			buf := make([]byte, f.size)
			if _, err := io.ReadFull(src, buf); err != nil {
				return 0, fmt.Errorf("%w (after %d entries, at byte %d)", io.ErrUnexpectedEOF, n, src.pos)
			}
			next := dataStart + f.size + pad(f.size)
			var err error
			switch typ {
			case tar.TypeXHeader: // a later one replaces it whole
				pax, err = parsePAX(buf)
			case tar.TypeGNULongName:
				longName = cstring(buf)
			case tar.TypeGNULongLink:
				longLink = cstring(buf)
			default:
				// Next returns a global header as an entry, forgetting the
				// records and long names met before it.
				pax, longName, longLink = nil, "", ""
				if _, err = parsePAX(buf); err == nil {
					hdr = tar.Header{Typeflag: typ, Name: f.name, Linkname: f.link, Size: f.size, Mode: f.mode, Uid: int(f.uid), Gid: int(f.gid)}
					end = next
					if err := fn(&hdr, dataStart, f.size); err != nil {
						return 0, err
					}
				}
			}
			if errors.Is(err, errFallback) {
				return 0, err
			} else if err != nil {
				return 0, badHeader(err.Error(), start)
			}
			src.Seek(next, io.SeekStart)
			continue
		case tar.TypeGNUSparse:
			return 0, errFallback
		}

		// The names alias blk: fn copies what it keeps.
		hdr = tar.Header{Typeflag: typ, Name: f.name, Linkname: f.link, Size: f.size, Mode: f.mode, Uid: int(f.uid), Gid: int(f.gid)}
		if pax != nil {
			if err := mergePAX(&hdr, pax); err != nil {
				return 0, badHeader(err.Error(), start)
			}
		}
		if longName != "" { // a GNU long name wins over a PAX path, as in Next
			hdr.Name = longName
		}
		if longLink != "" {
			hdr.Linkname = longLink
		}
		pax, longName, longLink = nil, "", ""
		if typ == tar.TypeRegA { // legacy archives mark directories with a slash
			hdr.Typeflag = tar.TypeReg
			if strings.HasSuffix(hdr.Name, "/") {
				hdr.Typeflag = tar.TypeDir
			}
		}
		data := hdr.Size
		if isHeaderOnly(hdr.Typeflag) {
			data = 0
		} else if data < 0 {
			return 0, badHeader("negative PAX size", start)
		}
		if data > size-dataStart {
			return 0, &EntryError{Name: strings.Clone(hdr.Name), Err: fmt.Errorf("%w (%w): %d bytes at offset %d", ErrTooLarge, io.ErrUnexpectedEOF, data, dataStart)}
		}
		next := dataStart + data + pad(data)
		end = next // past the end of the file when the file ends inside the padding
		if err := fn(&hdr, dataStart, data); err != nil {
			return 0, err
		}
		src.Seek(next, io.SeekStart)
	}
}

// inspect hands the last entry, a regular file, to the FileFunc.
func (w *walked) inspect(o *options, r io.Reader, seekable bool) error {
	e := w.entries.at(w.entries.len() - 1)
	if e.wh != whNone || e.typ != tar.TypeReg {
		return nil
	}
	f := &File{Layer: w.layer.Index, Path: w.names.str(e.name), Size: e.size, Mode: fs.FileMode(e.mode & 0o777), R: r}
	if seekable {
		f.RA = r.(*io.SectionReader)
	}
	return o.file(f)
}

// view is cstring without the copy: valid only while b is.
func view(b []byte) string {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

func cstring(b []byte) string {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	return string(b)
}
