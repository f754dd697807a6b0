package layerfs

import (
	"archive/tar"
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/dietimage/diet/internal/test/tartest"
)

// seen is what a reader made of one entry: what the tree is built from.
type seen struct {
	Name, Link string
	Type       byte
	Size, Mode int64
	UID, GID   int
	Data       string
}

// viaScanner reads b with the fast scanner; fallback is true when it
// leaves the layer to archive/tar.
func viaScanner(t *testing.T, b []byte) (entries []seen, fallback bool, err error) {
	sr := io.NewSectionReader(bytes.NewReader(b), 0, int64(len(b)))
	_, err = scanHeaders(t.Context(), sr, func(h *tar.Header, dataStart, data int64) error {
		e := seen{Name: strings.Clone(h.Name), Link: strings.Clone(h.Linkname), Type: h.Typeflag, Size: h.Size, Mode: h.Mode, UID: h.Uid, GID: h.Gid}
		if h.Typeflag == tar.TypeXGlobalHeader {
			e = seen{Type: h.Typeflag} // diet ignores them, and archive/tar names them by map order
		} else {
			body := make([]byte, data)
			if _, err := sr.ReadAt(body, dataStart); err != nil && data > 0 {
				t.Fatalf("scanner placed %q's %d bytes at %d, past the end: %v", h.Name, data, dataStart, err)
			}
			e.Data = string(body)
		}
		entries = append(entries, e)
		return nil
	})
	return entries, errors.Is(err, errFallback), err
}

// viaArchiveTar reads b as docker load does, data included.
func viaArchiveTar(b []byte) ([]seen, error) {
	var entries []seen
	tr := tar.NewReader(bytes.NewReader(b))
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return entries, nil
		}
		if err != nil {
			return entries, err
		}
		e := seen{Name: h.Name, Link: h.Linkname, Type: h.Typeflag, Size: h.Size, Mode: h.Mode, UID: h.Uid, GID: h.Gid}
		body, err := io.ReadAll(tr)
		if err != nil {
			return entries, err
		}
		if h.Typeflag == tar.TypeXGlobalHeader {
			e = seen{Type: h.Typeflag}
		} else {
			e.Data = string(body)
		}
		entries = append(entries, e)
	}
}

// FuzzScanMatchesArchiveTar feeds the same bytes to the fast scanner and to
// archive/tar: both give the same entries (names, types, sizes, modes, link
// targets, owners, data), or both refuse, or the scanner leaves the layer to
// archive/tar. A difference is a layer that shows diet one file and docker
// load another. With sums, every non-zero block gets a valid checksum
// first, so that mutations test the fields behind it.
func FuzzScanMatchesArchiveTar(f *testing.F) {
	for _, tc := range headerCases {
		f.Add(tc.tar, false)
	}
	f.Add(tartest.Tar(tartest.Dir("etc"), tartest.File("etc/passwd", "root:x:0:0::/root:/bin/sh\n"),
		tartest.Symlink("lib", "usr/lib"), tartest.Hardlink("h", "etc/passwd"), tartest.Sized(strings.Repeat("long/", 40)+"x", 700),
		tartest.Entry{Name: "owned", Type: tar.TypeReg, Mode: 0o600, UID: 1000, GID: 3_000_000}), false)
	f.Fuzz(func(t *testing.T, b []byte, sums bool) {
		if sums { // mutations then reach past the checksum to the fields behind it
			b = bytes.Clone(b)
			for i := 0; i+512 <= len(b); i += 512 {
				if blk := (*[512]byte)(b[i:]); *blk != zeroBlock {
					tartest.Checksum(blk)
				}
			}
		}
		got, fallback, gotErr := viaScanner(t, b)
		if fallback {
			return // archive/tar reads it then: nothing to disagree on
		}
		want, wantErr := viaArchiveTar(b)
		switch {
		case gotErr == nil && wantErr != nil:
			t.Fatalf("scanner accepts what archive/tar refuses (%v): %+v", wantErr, got)
		case gotErr != nil && wantErr == nil:
			t.Fatalf("scanner refuses (%v) what archive/tar reads: %+v", gotErr, want)
		case gotErr == nil:
			if diff := cmp.Diff(want, got); diff != "" {
				t.Fatalf("entries differ (-archive/tar +scanner):\n%s", diff)
			}
		}
	})
}
