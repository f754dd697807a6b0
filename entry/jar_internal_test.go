package entry

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/dietimage/diet/elfdeps"
)

// TestManifestClassPathHostile: a jar that is no zip, one whose central
// directory is past what is read, and one whose manifest inflates past
// its bound give errors wrapping errBadJar, having read what the bounds
// allow; a jar without a manifest names nothing.
func TestManifestClassPathHostile(t *testing.T) {
	write := func(fn func(w *zip.Writer)) []byte {
		var buf bytes.Buffer
		w := zip.NewWriter(&buf)
		fn(w)
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	cases := []struct {
		name string
		jar  []byte
		bad  bool
	}{
		{"garbage", []byte("PK\x03\x04 and nothing a zip has"), true},
		{"directory-past-bound", write(func(w *zip.Writer) {
			long := strings.Repeat("n", 60000)
			for i := range maxJarRead/60000 + 10 {
				if _, err := w.CreateHeader(&zip.FileHeader{Name: long + string(rune('a'+i%26)), Method: zip.Store}); err != nil {
					t.Fatal(err)
				}
			}
		}), true},
		{"manifest-bomb", write(func(w *zip.Writer) {
			w.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) { return flate.NewWriter(out, flate.BestCompression) })
			f, _ := w.Create("META-INF/MANIFEST.MF")
			f.Write([]byte("Class-Path: a.jar\n"))
			f.Write(bytes.Repeat([]byte("X"), 64<<20))
		}), true},
		{"no-manifest", write(func(w *zip.Writer) { w.Create("Main.class") }), false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "x.jar"), tc.jar, 0o644); err != nil {
				t.Fatal(err)
			}
			fsys := os.DirFS(dir)
			k := newPacker(elfdeps.NewRoot(fsys), fsys, nil, &v1.ConfigFile{})
			cp, err := k.manifestClassPath("x.jar")
			if got := errors.Is(err, errBadJar); got != tc.bad || len(cp) != 0 {
				t.Errorf("manifestClassPath(%s) = %q, %v; want an error wrapping errBadJar: %v", tc.name, cp, err, tc.bad)
			}
			t.Logf("%s (%d bytes): %v", tc.name, len(tc.jar), err)
		})
	}
}
