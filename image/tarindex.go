package image

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/dietimage/diet/internal/tarname"
)

// Limits on hostile archives: the index grows with members, and JSON
// documents (manifests, configs) are the only members ever read whole.
const (
	maxMembers = 1 << 20
	maxJSON    = 32 << 20
	maxLinks   = 16
)

// member is where one entry of the outer tar lives in the file.
type member struct {
	off, size int64
	typ       byte   // tar.TypeReg, TypeSymlink or TypeLink
	link      string // the cleaned target of a link
	sparse    bool
	body      io.ReaderAt // where a member read in one pass stays, from offset 0
}

// tarIndex maps the cleaned names of an outer tar to their data, built in
// one pass over the headers; bodies are skipped with Seek, never read.
type tarIndex struct {
	ra      io.ReaderAt
	size    int64
	members map[string]member
}

// indexTar reads the headers of the tar in ra[0:size].
func indexTar(ctx context.Context, ra io.ReaderAt, size int64) (*tarIndex, error) {
	x := &tarIndex{ra: ra, size: size, members: map[string]member{}}
	// A SectionReader reads and seeks, so tar.Reader skips bodies with Seek
	// and its offset after Next is where the body starts.
	sr := &eofReader{SectionReader: io.NewSectionReader(ra, 0, size)}
	tr := tar.NewReader(sr)
	for n := 0; ; n++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		h, err := tr.Next()
		if err == io.EOF && n == 0 {
			return nil, errors.New("not a tar archive: no entries")
		}
		if err == io.EOF && sr.eof {
			// archive/tar ends quietly when the file stops at a block
			// boundary; a complete archive ends with zero blocks instead.
			return nil, tag(ErrTruncated, fmt.Errorf("archive truncated: no end-of-archive blocks after %d entries: %w", n, io.ErrUnexpectedEOF))
		}
		if err == io.EOF {
			return x, nil
		}
		off, _ := sr.Seek(0, io.SeekCurrent)
		if err != nil && n == 0 && size < 1024 {
			return nil, fmt.Errorf("not a tar archive: %d bytes", size)
		}
		if err != nil {
			return nil, tarError(err, off)
		}
		if n >= maxMembers {
			return nil, fmt.Errorf("more than %d entries", maxMembers)
		}
		name, err := cleanName(h.Name)
		if err != nil {
			return nil, err
		}
		m := member{off: off, size: h.Size, typ: h.Typeflag}
		switch h.Typeflag {
		case tar.TypeReg, tar.TypeGNUSparse:
			m.typ = tar.TypeReg
			m.sparse = h.Typeflag == tar.TypeGNUSparse || isPAXSparse(h)
			if !m.sparse && h.Size > size-off {
				return nil, tag(ErrTruncated, fmt.Errorf("archive truncated: entry %q ends at byte %d, the file has %d: %w",
					h.Name, off+h.Size, size, io.ErrUnexpectedEOF))
			}
		case tar.TypeSymlink:
			m.link = h.Linkname
		case tar.TypeLink:
			if m.link, err = cleanName(h.Linkname); err != nil {
				return nil, err
			}
		default:
			continue // directories and the rest are not looked up
		}
		x.members[name] = m // a later entry replaces an earlier one, as in extraction
	}
}

// eofReader notes whether the file ended under a read.
type eofReader struct {
	*io.SectionReader
	eof bool
}

// Read implements io.Reader.
func (r *eofReader) Read(p []byte) (int, error) {
	n, err := r.SectionReader.Read(p)
	if err == io.EOF {
		r.eof = true
	}
	return n, err
}

func isPAXSparse(h *tar.Header) bool {
	for k := range h.PAXRecords {
		if strings.HasPrefix(k, "GNU.sparse.") {
			return true
		}
	}
	return false
}

// tarError describes err, met at byte off of the archive.
func tarError(err error, off int64) error {
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return tag(ErrTruncated, fmt.Errorf("archive truncated at byte %d: %w", off, err))
	}
	return fmt.Errorf("not a tar archive (at byte %d): %w", off, err)
}

// cleanName reads a member name as docker load does ([tarname.Clean]:
// cleaned, an absolute one from the archive's root) and refuses any that
// climbs out of it.
func cleanName(n string) (string, error) {
	c, err := tarname.Clean(n)
	if err != nil {
		return "", fmt.Errorf("entry %q: %w", n, err)
	}
	return c, nil
}

// open returns the body of the regular file name, following links inside
// the archive. A missing name matches ErrNotFound.
func (x *tarIndex) open(name string) (*io.SectionReader, error) {
	orig := name
	for range maxLinks {
		m, ok := x.members[name]
		switch {
		case !ok:
			return nil, tag(ErrNotFound, fmt.Errorf("%s: not in the archive", orig))
		case m.typ == tar.TypeReg && m.sparse:
			return nil, fmt.Errorf("%s: sparse entries are not supported", orig)
		case m.typ == tar.TypeReg && m.body != nil:
			return io.NewSectionReader(m.body, 0, m.size), nil
		case m.typ == tar.TypeReg:
			return io.NewSectionReader(x.ra, m.off, m.size), nil
		case m.typ == tar.TypeLink:
			name = m.link
		default: // a symlink, relative to its directory
			target := path.Join(path.Dir(name), m.link)
			if strings.HasPrefix(m.link, "/") {
				target = path.Clean(m.link)[1:]
			}
			if target == ".." || strings.HasPrefix(target, "../") {
				return nil, fmt.Errorf("%s: link %q leaves the archive", orig, m.link)
			}
			name = target
		}
	}
	return nil, fmt.Errorf("%s: more than %d links", orig, maxLinks)
}

// has reports whether name can be opened.
func (x *tarIndex) has(name string) bool {
	_, err := x.open(name)
	return err == nil
}

// read returns the whole body of a small member (a JSON document).
func (x *tarIndex) read(name string) ([]byte, error) {
	sr, err := x.open(name)
	if err != nil {
		return nil, err
	}
	if sr.Size() > maxJSON {
		return nil, fmt.Errorf("%s: %d bytes, more than the %d allowed for a JSON document", name, sr.Size(), maxJSON)
	}
	b := make([]byte, sr.Size())
	if _, err := sr.ReadAt(b, 0); err != nil && !(err == io.EOF && len(b) == 0) {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return b, nil
}
