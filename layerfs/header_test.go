package layerfs

import (
	"archive/tar"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/dietimage/diet/internal/test/tartest"
)

// listing lists the present paths as "path type size link", sorted.
func listing(tr *Tree) []string {
	var out []string
	for id := ID(1); int(id) < tr.Len(); id++ {
		if n := tr.Stat(id); n.Present {
			out = append(out, fmt.Sprintf("%s %c %d %s", n.Path, n.Type, n.Size, n.Link))
		}
	}
	slices.Sort(out)
	return out
}

func size(n int64) *int64 { return &n }

// headerCases are headers the fast scanner once read otherwise than
// archive/tar, the reader of docker load. Each wants what archive/tar makes
// of the bytes, or a refusal where archive/tar or the engine refuses.
var headerCases = []struct {
	name string
	tar  []byte
	want []string // the present paths, when the layer is accepted
	err  error    // the cause, when refused
}{{
	name: "GNU long name beside PAX path",
	tar: tartest.RawTar(tartest.PAX("path=usr/share/doc/README"), tartest.LongName("usr/bin/hidden"),
		tartest.Raw{Name: "x", Type: '0', Mode: 0o755, Magic: tartest.MagicUSTAR, Body: []byte("#!/bin/sh\necho owned\n")}),
	want: []string{"/usr 5 0 ", "/usr/bin 5 0 ", "/usr/bin/hidden 0 21 "},
}, {
	name: "GNU long link beside PAX linkpath",
	tar: tartest.RawTar(tartest.PAX("linkpath=etc/motd"), tartest.LongLink("etc/shadow"),
		tartest.Raw{Name: "l", Type: '2', Mode: 0o777, Magic: tartest.MagicUSTAR}),
	want: []string{"/l 2 0 etc/shadow"},
}, {
	name: "empty PAX path keeps the header name",
	tar:  tartest.RawTar(tartest.PAX("path="), tartest.Raw{Name: "kept", Type: '0', Magic: tartest.MagicUSTAR, Body: []byte("k")}),
	want: []string{"/kept 0 1 "},
}, {
	name: "ustar prefix under GNU magic, not octal (pre-Go 1.8 fallback)",
	tar:  tartest.RawTar(tartest.Raw{Name: "x", Type: '0', Magic: tartest.MagicGNU, Prefix: "hidden", Body: []byte("abc")}),
	want: []string{"/hidden 5 0 ", "/hidden/x 0 3 "},
}, {
	name: "ustar prefix under GNU magic, octal (access time)",
	tar:  tartest.RawTar(tartest.Raw{Name: "x", Type: '0', Magic: tartest.MagicGNU, Prefix: "1234", Body: []byte("abc")}),
	want: []string{"/x 0 3 "},
}, {
	name: "ustar prefix under GNU magic splits a hard link's name, not its target",
	tar: tartest.RawTar(tartest.Raw{Name: "d/f", Type: '0', Magic: tartest.MagicUSTAR, Body: []byte("abc")},
		tartest.Raw{Name: "l", Type: '1', Link: "d/f", Magic: tartest.MagicGNU, Prefix: "d"}),
	want: []string{"/d 5 0 ", "/d/f 0 3 ", "/d/l 1 0 /d/f"},
}, {
	name: "star prefix is 131 bytes",
	tar: tartest.RawTar(tartest.Raw{Name: "x", Type: '0', Magic: tartest.MagicUSTAR, Body: []byte("abc"),
		Patch: func(b *[512]byte) {
			copy(b[345:476], "p")
			copy(b[476:500], "00000000000\x0000000000000\x00") // access and change times
			copy(b[508:512], "tar\x00")
		}}),
	want: []string{"/p 5 0 ", "/p/x 0 3 "},
}, {
	name: "legacy NUL typeflag with trailing slash is a directory",
	tar: tartest.RawTar(tartest.Raw{Name: "d/", Type: 0, Mode: 0o755, Magic: tartest.MagicUSTAR},
		tartest.Raw{Name: "d/f", Type: '0', Magic: tartest.MagicUSTAR, Body: []byte("abc")}),
	want: []string{"/d 5 0 ", "/d/f 0 3 "},
}, {
	name: "legacy NUL typeflag with trailing slash has no data",
	tar: tartest.RawTar(tartest.Raw{Name: "d/", Type: 0, Mode: 0o755, Magic: tartest.MagicUSTAR, Size: size(600)},
		tartest.Raw{Name: "d/f", Type: '0', Magic: tartest.MagicUSTAR, Body: []byte("abc")}),
	want: []string{"/d 5 0 ", "/d/f 0 3 "},
}, {
	name: "NUL inside PAX path",
	tar:  tartest.RawTar(tartest.PAX("path=bin/sh\x00.txt"), tartest.Raw{Name: "x", Type: '0', Magic: tartest.MagicUSTAR}),
	err:  tar.ErrHeader,
}, {
	name: "PAX size does not size a GNU long-name record",
	tar: tartest.RawTar(tartest.PAX("size=3"), tartest.LongName("long/name"),
		tartest.Raw{Name: "x", Type: '0', Magic: tartest.MagicGNU, Size: size(0), Body: []byte("abc")}),
	want: []string{"/long 5 0 ", "/long/name 0 3 "},
}, {
	name: "global header drops the PAX records before it",
	tar: tartest.RawTar(tartest.PAX("path=evil"), tartest.GlobalPAX("comment=x"),
		tartest.Raw{Name: "benign", Type: '0', Magic: tartest.MagicUSTAR}),
	want: []string{"/benign 0 0 "},
}, {
	name: "bad modification time",
	tar:  tartest.RawTar(tartest.Raw{Name: "x", Type: '0', Magic: tartest.MagicUSTAR, Patch: func(b *[512]byte) { copy(b[136:148], "9999\x00") }}),
	err:  tar.ErrHeader,
}, {
	name: "bad PAX modification time",
	tar:  tartest.RawTar(tartest.PAX("mtime=soon"), tartest.Raw{Name: "x", Type: '0', Magic: tartest.MagicUSTAR}),
	err:  tar.ErrHeader,
}, {
	name: "zero block then a header",
	tar: append(append(tartest.Raw{Name: "x", Type: '0', Magic: tartest.MagicUSTAR}.Bytes(), make([]byte, 512)...),
		tartest.RawTar(tartest.Raw{Name: "hidden", Type: '0', Magic: tartest.MagicUSTAR})...),
	err: tar.ErrHeader,
}, {
	name: "no end-of-archive blocks",
	tar:  tartest.Raw{Name: "x", Type: '0', Magic: tartest.MagicUSTAR, Body: []byte("abc")}.Bytes(),
	want: []string{"/x 0 3 "},
}, {
	name: "no padding after the last entry",
	tar:  tartest.Raw{Name: "x", Type: '0', Magic: tartest.MagicUSTAR, Body: []byte("abc")}.Bytes()[:515],
	want: []string{"/x 0 3 "},
}, {
	name: "contiguous file (7)",
	tar:  tartest.RawTar(tartest.Raw{Name: "c", Type: '7', Magic: tartest.MagicUSTAR, Body: []byte("data")}),
	err:  ErrUnsupportedType,
}, {
	name: "GNU volume label (V)",
	tar:  tartest.RawTar(tartest.Raw{Name: "label", Type: 'V', Magic: tartest.MagicGNU}),
	err:  ErrUnsupportedType,
}, {
	name: "GNU dump directory (D)",
	tar:  tartest.RawTar(tartest.Raw{Name: "d", Type: 'D', Magic: tartest.MagicGNU, Body: []byte("Yfile\x00\x00")}),
	err:  ErrUnsupportedType,
}, {
	name: "GNU sparse file (S)",
	tar: tartest.RawTar(tartest.Raw{Name: "s", Type: 'S', Magic: tartest.MagicGNU, Body: []byte("data"),
		Patch: func(b *[512]byte) { copy(b[483:495], "00000000004\x00") }}), // real size; no holes
	err: ErrUnsupportedType,
}, {
	name: "unknown type (Z)",
	tar:  tartest.RawTar(tartest.Raw{Name: "z", Type: 'Z', Magic: tartest.MagicUSTAR, Body: []byte("data")}),
	err:  ErrUnsupportedType,
}}

// TestHeadersAsArchiveTar reads each case's layer seekable (the fast
// scanner) and streamed (archive/tar): both must give archive/tar's entries,
// or refuse it with the cause named.
func TestHeadersAsArchiveTar(t *testing.T) {
	for _, tc := range headerCases {
		t.Run(tc.name, func(t *testing.T) {
			for _, seekable := range []bool{true, false} {
				tr, err := BuildLayers(t.Context(), []v1.Layer{bytesLayer(t, tc.tar, seekable)}, WithJobs(1))
				if tc.err != nil {
					if !errors.Is(err, tc.err) {
						t.Fatalf("seekable=%v: BuildLayers = %v, want %v", seekable, err, tc.err)
					}
					if tc.err == ErrUnsupportedType {
						if e, ok := errors.AsType[*EntryError](err); !ok || e.Name == "" {
							t.Errorf("seekable=%v: error %v does not name the entry", seekable, err)
						}
					}
					continue
				}
				if err != nil {
					t.Fatalf("seekable=%v: BuildLayers: %v", seekable, err)
				}
				if diff := cmp.Diff(tc.want, listing(tr)); diff != "" {
					t.Errorf("seekable=%v: entries (-want +got):\n%s", seekable, diff)
				}
				l := tr.Layers[0]
				if l.FileBytes+l.HeaderBytes+l.PaddingBytes+l.TrailerBytes != l.TarBytes || l.TrailerBytes < 0 {
					t.Errorf("seekable=%v: parts of the layer do not add up: %+v", seekable, l)
				}
			}
		})
	}
}
