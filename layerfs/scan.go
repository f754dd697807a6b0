package layerfs

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strconv"
	"strings"
	"unsafe"
)

// errFallback sends a layer the fast scanner cannot read (GNU sparse
// files, multi-volume archives) to archive/tar instead.
var errFallback = errors.New("tar feature left to archive/tar")

// maxSpecial bounds PAX records and GNU long names, as archive/tar does.
const maxSpecial = 1 << 20

// scanSection walks a seekable uncompressed tar by reading only its
// headers. archive/tar spends most of its time validating what this walk
// never uses (it scans each header block rune by rune for non-ASCII bytes),
// which matters at half a million entries. It returns the offset where the
// last entry's data ends.
func (w *walked) scanSection(ctx context.Context, sr *io.SectionReader, o *options) (int64, error) {
	src := newBufSection(sr)
	size := sr.Size()
	var (
		blk            [512]byte
		hdr            tar.Header
		end, dataBytes int64
		longName       string
		longLink       string
		pax            map[string]string
	)
	for n := 0; ; n++ {
		if n%1024 == 0 && ctx.Err() != nil {
			return 0, ctx.Err()
		}
		start := src.pos
		if _, err := io.ReadFull(src, blk[:]); err != nil {
			if err == io.EOF && start == size && n == 0 {
				return 0, nil // an empty layer
			}
			return 0, fmt.Errorf("%w (after %d entries, at byte %d)", io.ErrUnexpectedEOF, n, start)
		}
		if blk == [512]byte{} {
			break // end of archive; what follows is trailer
		}
		if !checksumOK(&blk) {
			return 0, fmt.Errorf("%w: bad header checksum at byte %d", io.ErrUnexpectedEOF, start)
		}
		typ := blk[156]
		data, err := parseNumeric(blk[124:136])
		if err != nil || data < 0 {
			return 0, fmt.Errorf("%w: bad size field at byte %d", io.ErrUnexpectedEOF, start)
		}
		dataStart := src.pos
		if p, ok := pax["size"]; ok && typ != 'x' && typ != 'g' {
			if data, err = strconv.ParseInt(p, 10, 64); err != nil || data < 0 {
				return 0, fmt.Errorf("%w: bad PAX size at byte %d", io.ErrUnexpectedEOF, start)
			}
		}
		switch typ {
		case tar.TypeLink, tar.TypeSymlink, tar.TypeChar, tar.TypeBlock, tar.TypeDir, tar.TypeFifo:
			data = 0
		}
		if dataStart+data > size {
			return 0, &EntryError{Name: cstring(blk[:100]), Err: fmt.Errorf("%w (%w): %d bytes at offset %d", ErrTooLarge, io.ErrUnexpectedEOF, data, dataStart)}
		}
		next := dataStart + data + pad(data)
		switch typ {
		case tar.TypeXHeader, tar.TypeGNULongName, tar.TypeGNULongLink:
			if data > maxSpecial {
				return 0, fmt.Errorf("%w: %d-byte extended header at byte %d", ErrTooLarge, data, start)
			}
			buf := make([]byte, data)
			if _, err := io.ReadFull(src, buf); err != nil {
				return 0, fmt.Errorf("%w (after %d entries, at byte %d)", io.ErrUnexpectedEOF, n, src.pos)
			}
			switch typ {
			case tar.TypeXHeader:
				if pax, err = parsePAX(buf); err != nil {
					return 0, err
				}
			case tar.TypeGNULongName:
				longName = cstring(buf)
			default:
				longLink = cstring(buf)
			}
			src.Seek(next, io.SeekStart)
			continue
		case tar.TypeXGlobalHeader, 'V': // global PAX records, GNU volume label
			src.Seek(next, io.SeekStart)
			continue
		case tar.TypeReg, tar.TypeRegA, tar.TypeLink, tar.TypeSymlink, tar.TypeChar, tar.TypeBlock, tar.TypeDir, tar.TypeFifo, tar.TypeCont:
		default:
			return 0, errFallback // GNU sparse and other rarities
		}

		// The names alias blk: add copies what it keeps into the arena.
		hdr = tar.Header{Typeflag: typ, Size: data, Name: view(blk[:100]), Linkname: view(blk[157:257])}
		if mode, err := parseNumeric(blk[100:108]); err == nil {
			hdr.Mode = mode
		}
		if string(blk[257:263]) == "ustar\x00" { // POSIX: a prefix field; GNU uses those bytes for times
			if prefix := view(blk[345:500]); prefix != "" {
				hdr.Name = prefix + "/" + hdr.Name
			}
		}
		if longName != "" {
			hdr.Name, longName = longName, ""
		}
		if longLink != "" {
			hdr.Linkname, longLink = longLink, ""
		}
		if pax != nil {
			if p, ok := pax["path"]; ok {
				hdr.Name = p
			}
			if p, ok := pax["linkpath"]; ok {
				hdr.Linkname = p
			}
			pax = nil
		}
		end = next
		dataBytes += data
		w.layer.PaddingBytes += pad(data)
		before := w.entries.len()
		if err := w.add(&hdr, data); err != nil {
			return 0, &EntryError{Name: strings.Clone(hdr.Name), Err: err}
		}
		if o.file != nil && data > 0 && w.entries.len() > before {
			if err := w.inspect(o, io.NewSectionReader(sr, dataStart, data), true); err != nil {
				return 0, &EntryError{Name: strings.Clone(hdr.Name), Err: err}
			}
		}
		src.Seek(next, io.SeekStart)
	}
	w.layer.HeaderBytes = end - dataBytes - w.layer.PaddingBytes
	return end, nil
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

// checksumOK accepts the unsigned sum POSIX specifies and, failing that,
// the signed sum some old tars wrote.
func checksumOK(blk *[512]byte) bool {
	want, err := parseNumeric(blk[148:156])
	if err != nil {
		return false
	}
	// Sum eight bytes at a time: the per-byte loop was a tenth of the walk.
	var unsigned uint64
	for i := 0; i < 512; i += 8 {
		x := binary.LittleEndian.Uint64(blk[i:])
		x = x&0x00ff00ff00ff00ff + x>>8&0x00ff00ff00ff00ff
		x = x&0x0000ffff0000ffff + x>>16&0x0000ffff0000ffff
		unsigned += x&0xffffffff + x>>32
	}
	chk := binary.LittleEndian.Uint64(blk[148:])
	chk = chk&0x00ff00ff00ff00ff + chk>>8&0x00ff00ff00ff00ff
	chk = chk&0x0000ffff0000ffff + chk>>16&0x0000ffff0000ffff
	unsigned = unsigned - (chk&0xffffffff + chk>>32) + 8*' '
	if want == int64(unsigned) {
		return true
	}
	var signed int64
	for i, c := range blk {
		if i >= 148 && i < 156 {
			c = ' '
		}
		signed += int64(int8(c))
	}
	return want == signed
}

// parseNumeric reads an octal field, or GNU's base-256 form for large values.
func parseNumeric(b []byte) (int64, error) {
	if len(b) > 0 && b[0]&0x80 != 0 {
		if b[0]&0x40 != 0 || len(b) > 9 && bytes.ContainsFunc(b[1:len(b)-8], func(r rune) bool { return r != 0 }) {
			return 0, errors.New("base-256 value out of range")
		}
		var v int64
		for _, c := range b[max(1, len(b)-8):] {
			v = v<<8 | int64(c)
		}
		if v < 0 {
			return 0, errors.New("base-256 value out of range")
		}
		return v, nil
	}
	// Octal digits, padded with spaces or NULs on either side.
	var v int64
	digits := 0
	for i, c := range b {
		switch {
		case c >= '0' && c <= '7':
			if digits == 21 { // 8^21 > 2^63
				return 0, errors.New("octal value out of range")
			}
			v = v<<3 | int64(c-'0')
			digits++
		case c == ' ' || c == 0:
			if digits > 0 && !allPad(b[i:]) {
				return 0, errors.New("bad octal field")
			}
			if digits > 0 {
				return v, nil
			}
		default:
			return 0, errors.New("bad octal field")
		}
	}
	return v, nil
}

func allPad(b []byte) bool {
	for _, c := range b {
		if c != ' ' && c != 0 {
			return false
		}
	}
	return true
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

// parsePAX reads "%d %s=%s\n" records.
func parsePAX(b []byte) (map[string]string, error) {
	m := map[string]string{}
	for len(b) > 0 {
		sp := bytes.IndexByte(b, ' ')
		if sp < 0 {
			return nil, fmt.Errorf("%w: bad PAX record", io.ErrUnexpectedEOF)
		}
		n, err := strconv.Atoi(string(b[:sp]))
		if err != nil || n <= sp+1 || n > len(b) || b[n-1] != '\n' {
			return nil, fmt.Errorf("%w: bad PAX record", io.ErrUnexpectedEOF)
		}
		k, v, ok := bytes.Cut(b[sp+1:n-1], []byte("="))
		if !ok {
			return nil, fmt.Errorf("%w: bad PAX record", io.ErrUnexpectedEOF)
		}
		if bytes.HasPrefix(k, []byte("GNU.sparse.")) {
			return nil, errFallback
		}
		m[string(k)] = string(v)
		b = b[n:]
	}
	return m, nil
}
