package image

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/klauspost/compress/gzip"
	"golang.org/x/sys/unix"
)

// Causes of a layer store the package will not read, for errors.Is in tests.
var (
	errTarSplit    = errors.New("bad tar-split record")
	errNameEscapes = errors.New("name climbs out of the layer")
)

// storeTar is a layer's tar rebuilt the way the engine's own docker save
// rebuilds it: the headers and padding recorded in the layer's tar-split
// (vbatts/tar-split, kept in layerdb), and the file bodies read from the
// layer's diff directory. The bytes are those of the tar the layer was
// made from, so they hash to its diff ID.
//
// Its ReadAt serves any range, so a reader can skip bodies: a body is read
// only when asked for. The headers are spilled to an unlinked temporary
// file as they are decoded, not kept in memory: they are most of a
// record's bytes (34 MB for the story's 61,000 entries), and the page
// cache holds them as well for the one pass analysis makes.
type storeTar struct {
	layer  string   // the layer's short diff ID, for messages
	dir    *os.File // the diff directory: bodies are opened beneath it
	root   *os.Root // the same, for kernels without openat2
	inline *os.File // every header and padding byte, in order; unlinked
	spill  *bufio.Writer
	spilt  int64 // bytes written to inline
	segs   []segment
	size   int64

	mu   sync.Mutex
	body *bodyFD // the body last read: a file is read in many ReadAt calls
}

// segment is a run of the tar: inline bytes, or the body of a file.
type segment struct {
	off  int64  // where it starts in the tar
	n    int64  // its length
	at   int64  // inline: where its bytes start in inline
	name string // body: the file's clean path in the diff directory
	body bool
}

var _ io.ReaderAt = (*storeTar)(nil)

// tarSplitEntry is one JSON line of a tar-split record: type 2 holds raw
// tar bytes (headers, padding, the end blocks) in Payload; type 1 a file
// entry whose Size bytes of body follow, with its name (NameRaw when it is
// not UTF-8) and a CRC-64 in Payload that this reader does not need.
type tarSplitEntry struct {
	Type    int    `json:"type"`
	Name    string `json:"name"`
	NameRaw []byte `json:"name_raw"`
	Size    int64  `json:"size"`
	Payload []byte `json:"payload"`
}

const (
	tarSplitFile    = 1
	tarSplitSegment = 2
)

// readTarSplit parses a gzipped tar-split record into a storeTar over
// root, spilling its headers to a file in tempDir. A body is named as the
// engine names it (the header's name below the diff directory); a name that
// climbs out of it is refused here.
func readTarSplit(r io.Reader, root *os.Root, layer, tempDir string) (*storeTar, error) {
	dir, err := root.Open(".")
	if err != nil {
		return nil, err
	}
	t, err := parseTarSplit(r, layer, tempDir)
	if err != nil {
		dir.Close()
		return nil, err
	}
	t.dir, t.root, t.body = dir, root, &bodyFD{fd: -1, seg: -1}
	runtime.AddCleanup(t, (*bodyFD).close, t.body)
	return t, nil
}

// parseTarSplit reads the record alone.
func parseTarSplit(r io.Reader, layer, tempDir string) (t *storeTar, err error) {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return nil, tag(errTarSplit, err)
	}
	defer zr.Close()
	f, err := os.CreateTemp(tempDir, "diet-tar-split-*")
	if err != nil {
		return nil, err
	}
	if err := os.Remove(f.Name()); err != nil {
		f.Close()
		return nil, err
	}
	defer func() {
		if err != nil {
			f.Close()
		}
	}()
	t = &storeTar{layer: layer, inline: f, spill: bufio.NewWriterSize(f, 256<<10)}
	sc := bufio.NewScanner(zr)
	sc.Buffer(make([]byte, 64<<10), maxTarSplitLine)
	sc.Split(scanLines)
	var raw []byte // a decoded payload
	for n := 0; sc.Scan(); n++ {
		line := sc.Bytes()
		if p, ok := segmentPayload(line); ok {
			raw = slices.Grow(raw[:0], base64.StdEncoding.DecodedLen(len(p)))[:base64.StdEncoding.DecodedLen(len(p))]
			k, err := base64.StdEncoding.Decode(raw, p)
			if err != nil {
				return nil, tag(errTarSplit, fmt.Errorf("entry %d: %w", n, err))
			}
			if err := t.addInline(raw[:k]); err != nil {
				return nil, err
			}
			continue
		}
		var e tarSplitEntry
		if err := json.Unmarshal(line, &e); err != nil {
			return nil, tag(errTarSplit, fmt.Errorf("entry %d: %w", n, err))
		}
		switch e.Type {
		case tarSplitSegment:
			if err := t.addInline(e.Payload); err != nil {
				return nil, err
			}
		case tarSplitFile:
			if e.Size < 0 {
				return nil, tag(errTarSplit, fmt.Errorf("entry %d: size %d", n, e.Size))
			}
			if e.Size == 0 { // directories, links, devices, empty files
				continue
			}
			name := e.Name
			if len(e.NameRaw) > 0 {
				name = string(e.NameRaw)
			}
			p, err := bodyPath(name)
			if err != nil {
				return nil, err
			}
			t.segs = append(t.segs, segment{off: t.size, n: e.Size, name: p, body: true})
			t.size += e.Size
		default:
			return nil, tag(errTarSplit, fmt.Errorf("entry %d: unknown type %d", n, e.Type))
		}
	}
	if err := sc.Err(); err != nil {
		return nil, tag(errTarSplit, err)
	}
	if t.size == 0 {
		return nil, tag(errTarSplit, errors.New("no entries"))
	}
	if err := t.spill.Flush(); err != nil {
		return nil, err
	}
	t.spill = nil
	return t, nil
}

// scanLines is bufio.ScanLines for a record whose every line ends in a
// newline, as tar-split writes it: a last line without one is cut short.
func scanLines(data []byte, atEOF bool) (int, []byte, error) {
	if i := bytes.IndexByte(data, '\n'); i >= 0 {
		return i + 1, data[:i], nil
	}
	if atEOF && len(data) > 0 {
		return 0, nil, io.ErrUnexpectedEOF
	}
	return 0, nil, nil
}

// maxTarSplitLine bounds a record's line: a header with PAX records
// archive/tar accepts (1 MiB), in base64, with room to spare.
const maxTarSplitLine = 4 << 20

// segmentPrefix starts every raw-bytes line tar-split writes (Go's
// encoding/json of its Entry, fields in order): such lines, nearly all the
// record's bytes, are read without a JSON decoder.
var segmentPrefix = []byte(`{"type":2,"payload":"`)

// segmentPayload returns the base64 payload of a raw-bytes line in
// tar-split's own layout; ok is false for any other line, which is then
// decoded as JSON.
func segmentPayload(line []byte) (p []byte, ok bool) {
	rest, ok := bytes.CutPrefix(line, segmentPrefix)
	if !ok {
		return nil, false
	}
	p, rest, ok = bytes.Cut(rest, []byte{'"'})
	if !ok || !bytes.HasPrefix(rest, []byte(`,"position":`)) || !bytes.HasSuffix(rest, []byte{'}'}) || bytes.IndexByte(p, '\\') >= 0 {
		return nil, false
	}
	return p, true
}

// addInline appends raw tar bytes to the spill.
func (t *storeTar) addInline(b []byte) error {
	start := t.spilt
	if _, err := t.spill.Write(b); err != nil {
		return err
	}
	t.spilt += int64(len(b))
	t.grow(start, len(b))
	return nil
}

// grow accounts n inline bytes appended at start, joining them to an inline
// run just before them so that the table stays one row per header and body.
func (t *storeTar) grow(start int64, n int) {
	if n == 0 {
		return
	}
	if k := len(t.segs) - 1; k >= 0 && !t.segs[k].body {
		t.segs[k].n += int64(n)
	} else {
		t.segs = append(t.segs, segment{off: t.size, n: int64(n), at: start})
	}
	t.size += int64(n)
}

// bodyPath is where the engine keeps the body of the entry name: its path
// below the diff directory. The engine's applier refuses a name that climbs
// out of the layer, so the store holds none: one here is refused too.
func bodyPath(name string) (string, error) {
	p := path.Clean(strings.TrimLeft(name, "/"))
	if p == ".." || strings.HasPrefix(p, "../") {
		return "", tag(errNameEscapes, fmt.Errorf("%q", name))
	}
	return p, nil
}

// ReadAt implements io.ReaderAt.
func (t *storeTar) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, fmt.Errorf("layer %s: read at negative offset %d", t.layer, off)
	}
	i, _ := slices.BinarySearchFunc(t.segs, off, func(s segment, off int64) int {
		switch {
		case s.off+s.n <= off:
			return -1
		case s.off > off:
			return 1
		}
		return 0
	})
	n := 0
	for ; n < len(p) && i < len(t.segs); i++ {
		s := &t.segs[i]
		within := off - s.off
		want := min(int64(len(p)-n), s.n-within)
		if s.body {
			if err := t.readBody(i, p[n:n+int(want)], within); err != nil {
				return n, err
			}
		} else if k, err := t.inline.ReadAt(p[n:n+int(want)], s.at+within); k < int(want) {
			return n + k, fmt.Errorf("layer %s: its headers: %w", t.layer, cmp.Or(err, io.ErrUnexpectedEOF))
		}
		n += int(want)
		off += want
	}
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// readBody fills p from offset off of the body segs[i].
func (t *storeTar) readBody(i int, p []byte, off int64) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.body.seg != i {
		t.body.close()
		fd, err := t.openBody(&t.segs[i])
		if err != nil {
			return err
		}
		t.body.fd, t.body.seg = fd, i
	}
	for len(p) > 0 {
		n, err := unix.Pread(t.body.fd, p, off)
		if err == unix.EINTR {
			continue
		}
		if err == nil && n == 0 {
			err = io.ErrUnexpectedEOF // shrunk since openBody checked its size
		}
		if err != nil {
			return fmt.Errorf("layer %s: %q: %w", t.layer, t.segs[i].name, err)
		}
		p, off = p[n:], off+int64(n)
	}
	return nil
}

// bodyFD is the descriptor of the body last read; a layer's reader
// frees it when it is garbage, as an *os.File would.
type bodyFD struct {
	fd  int
	seg int // index in segs; -1 for none
}

func (b *bodyFD) close() {
	if b.seg >= 0 {
		unix.Close(b.fd)
		b.fd, b.seg = -1, -1
	}
}

// openBody opens the file holding a body, beneath the diff directory: a
// symlink that leads out of it, or a name that climbs, fails in the kernel
// (openat2 RESOLVE_BENEATH; os.Root's walk where the kernel has no
// openat2). It must be a regular file of the size the record gives: a FIFO
// is opened without blocking and refused, and a file of another size
// would shift every byte after it.
func (t *storeTar) openBody(s *segment) (int, error) {
	const flags = unix.O_RDONLY | unix.O_NONBLOCK | unix.O_CLOEXEC | unix.O_NOCTTY
	fd, err := unix.Openat2(int(t.dir.Fd()), s.name, &unix.OpenHow{Flags: flags, Resolve: unix.RESOLVE_BENEATH | unix.RESOLVE_NO_MAGICLINKS})
	if err == unix.ENOSYS {
		var f *os.File
		if f, err = t.root.OpenFile(s.name, flags, 0); err == nil {
			fd, err = unix.Dup(int(f.Fd()))
			f.Close()
		}
	}
	if err == unix.EXDEV { // openat2's word for a path that resolves outside
		return -1, tag(errNameEscapes, fmt.Errorf("layer %s: %q leads out of the layer's directory", t.layer, s.name))
	}
	if err != nil {
		return -1, fmt.Errorf("layer %s: open %q: %w", t.layer, s.name, err)
	}
	var st unix.Stat_t
	err = unix.Fstat(fd, &st)
	switch {
	case err != nil:
		err = fmt.Errorf("layer %s: %q: %w", t.layer, s.name, err)
	case st.Mode&unix.S_IFMT != unix.S_IFREG:
		err = tag(ErrMismatch, fmt.Errorf("layer %s: %q is a %s in the layer store, a file of %d bytes in its tar-split record", t.layer, s.name, fileKind(st.Mode), s.n))
	case st.Size != s.n:
		err = tag(ErrMismatch, fmt.Errorf("layer %s: %q is %d bytes in the layer store, %d in its tar-split record", t.layer, s.name, st.Size, s.n))
	}
	if err != nil {
		unix.Close(fd)
		return -1, err
	}
	return fd, nil
}

// fileKind names what a file is that is not a regular file.
func fileKind(mode uint32) string {
	switch mode & unix.S_IFMT {
	case unix.S_IFDIR:
		return "directory"
	case unix.S_IFIFO:
		return "named pipe"
	case unix.S_IFSOCK:
		return "socket"
	case unix.S_IFCHR, unix.S_IFBLK:
		return "device"
	case unix.S_IFLNK:
		return "symlink"
	}
	return "special file"
}
