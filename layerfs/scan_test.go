package layerfs

import (
	"archive/tar"
	"bytes"
	"testing"
)

func TestChecksum(t *testing.T) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	tw.WriteHeader(&tar.Header{Name: "usr/lib/ünïcödé/\xff\xfe-high-bytes", Typeflag: tar.TypeReg, Mode: 0o644, Size: 0, Uname: "root"})
	tw.Close()
	var blk [512]byte
	copy(blk[:], buf.Bytes())
	if _, bad := parseBlock(&blk); bad != "" {
		t.Fatalf("parseBlock rejects a header archive/tar wrote: %s", bad)
	}
	blk[0] ^= 1
	if _, bad := parseBlock(&blk); bad == "" {
		t.Fatalf("parseBlock accepts a corrupted header")
	}
}

func TestParseNumeric(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
		ok   bool
	}{
		{"0000644\x00", 0o644, true}, {"     17 ", 0o17, true}, {"\x00\x00\x00", 0, true}, {"00000001750\x00", 0o1750, true},
		{"12 3", 0, false}, {"9", 0, false}, {" 12\x0034", 0o12, true}, {"\xff\xff\xff\xff\xff\xff\xff\xfe", -2, true}, {"\x80\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x00", 1 << 32, true},
	} {
		got, err := parseNumeric([]byte(tc.in))
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("parseNumeric(%q) = %d, %v; want %d, ok=%v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}
