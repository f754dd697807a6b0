package tartest

import (
	"bytes"
	"fmt"
	"io"
	"strconv"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// Magic values of the header formats, bytes 257 to 265 of a block.
const (
	MagicUSTAR = "ustar\x0000" // POSIX ustar and PAX: bytes 345-500 are a name prefix
	MagicGNU   = "ustar  \x00" // GNU: bytes 345-369 are access and change times
	MagicV7    = ""            // no magic: nothing after the link name
)

// Raw is one header block written byte by byte, with its data: the headers
// archive/tar's Writer refuses to write (a GNU long name beside a PAX path,
// a prefix under GNU magic, a NUL in a PAX record) are how hostile layers
// disagree with their readers.
type Raw struct {
	Name   string
	Type   byte
	Mode   int64
	Link   string
	Magic  string // MagicUSTAR, MagicGNU or MagicV7
	Prefix string // bytes 345-500, whatever the magic says they are
	// Body follows the block, padded to 512 bytes; the size field is its
	// length unless Size is set.
	Body []byte
	Size *int64
	// Patch changes the block last, before its checksum is computed.
	Patch func(b *[512]byte)
}

// Bytes returns the header block, its checksum computed, and the body.
func (r Raw) Bytes() []byte {
	var b [512]byte
	copy(b[0:100], r.Name)
	octal(b[100:108], r.Mode)
	octal(b[108:116], 0)
	octal(b[116:124], 0)
	size := int64(len(r.Body))
	if r.Size != nil {
		size = *r.Size
	}
	octal(b[124:136], size)
	octal(b[136:148], Epoch.Unix())
	b[156] = r.Type
	copy(b[157:257], r.Link)
	copy(b[257:265], r.Magic)
	copy(b[345:500], r.Prefix)
	if r.Patch != nil {
		r.Patch(&b)
	}
	Checksum(&b)
	out := append(b[:], r.Body...)
	if n := len(r.Body) % 512; n != 0 {
		out = append(out, make([]byte, 512-n)...)
	}
	return out
}

// Checksum writes the checksum of b into its checksum field.
func Checksum(b *[512]byte) {
	copy(b[148:156], "        ")
	var sum int64
	for _, c := range b {
		sum += int64(c)
	}
	copy(b[148:156], fmt.Sprintf("%06o\x00 ", sum))
}

func octal(field []byte, v int64) {
	s := strconv.FormatInt(v, 8)
	for len(s) < len(field)-1 {
		s = "0" + s
	}
	copy(field, s+"\x00")
}

// PAX is an extended header ('x') holding records, each "key=value".
func PAX(records ...string) Raw {
	return Raw{Name: "PaxHeaders/x", Type: 'x', Mode: 0o644, Magic: MagicUSTAR, Body: []byte(paxRecords(records))}
}

// GlobalPAX is a global extended header ('g') holding records.
func GlobalPAX(records ...string) Raw {
	return Raw{Name: "pax_global_header", Type: 'g', Mode: 0o644, Magic: MagicUSTAR, Body: []byte(paxRecords(records))}
}

func paxRecords(records []string) string {
	var out string
	for _, kv := range records {
		// The length counts its own digits: grow it once if they grow it.
		n := len(kv) + 2 // the space and the newline
		n += len(strconv.Itoa(n))
		rec := strconv.Itoa(n) + " " + kv + "\n"
		if len(rec) != n {
			rec = strconv.Itoa(len(rec)) + " " + kv + "\n"
		}
		out += rec
	}
	return out
}

// LongName is a GNU long-name record ('L') naming the next entry.
func LongName(name string) Raw {
	return Raw{Name: "././@LongLink", Type: 'L', Mode: 0o644, Magic: MagicGNU, Body: []byte(name + "\x00")}
}

// LongLink is a GNU long-link record ('K') giving the next entry's target.
func LongLink(target string) Raw {
	return Raw{Name: "././@LongLink", Type: 'K', Mode: 0o644, Magic: MagicGNU, Body: []byte(target + "\x00")}
}

// RawTar joins raw entries and ends the archive with two zero blocks.
func RawTar(entries ...Raw) []byte {
	var out []byte
	for _, e := range entries {
		out = append(out, e.Bytes()...)
	}
	return append(out, make([]byte, 1024)...)
}

// BytesLayer serves tar bytes, raw or built, as an uncompressed layer that
// also offers them as a seekable section, as a docker-archive layer does:
// diet then reads its headers with its fast scanner, not archive/tar.
func BytesLayer(t testing.TB, b []byte) v1.Layer {
	t.Helper()
	l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(b)), nil
	})
	if err != nil {
		t.Fatalf("tartest.BytesLayer: %v", err)
	}
	return sectionLayer{l, b}
}

type sectionLayer struct {
	v1.Layer
	b []byte
}

// UncompressedSection is the optional interface layerfs reads headers through.
func (s sectionLayer) UncompressedSection() (*io.SectionReader, bool) {
	return io.NewSectionReader(bytes.NewReader(s.b), 0, int64(len(s.b))), true
}
