package image

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/dietimage/diet/internal/test/tartest"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/klauspost/compress/zstd"
)

// fixture is the image every transport must return unchanged: an empty
// history step, a whiteout, and a layer that appears twice.
func fixture(t testing.TB) v1.Image {
	t.Helper()
	base := []tartest.Entry{tartest.Dir("etc"), tartest.File("etc/hello", "hello\n")}
	return tartest.Image(t,
		tartest.Step{CreatedBy: "ADD base /", Entries: base},
		tartest.Step{CreatedBy: "ENV A=1", Empty: true},
		tartest.Step{CreatedBy: "RUN build", Entries: []tartest.Entry{
			tartest.Exec("usr/bin/app", []byte("\x7fELF app")), tartest.Whiteout("etc/hello"),
		}},
		tartest.Step{CreatedBy: "ADD base /", Entries: base},
	)
}

// withPlatform sets the platform an image's config records.
func withPlatform(t testing.TB, img v1.Image, p v1.Platform) v1.Image {
	t.Helper()
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture, cf.Variant = p.OS, p.Architecture, p.Variant
	img, err = mutate.ConfigFile(img, cf)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// tarDir writes the files under dir as a tar at out, in walk order: an OCI
// layout becomes an OCI-in-tar archive. skip drops files by slash path.
func tarDir(t testing.TB, dir, out string, skip func(string) bool) {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		if skip != nil && skip(rel) {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if err := tw.WriteHeader(&tar.Header{Name: rel, Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(len(b))}); err != nil {
			return err
		}
		_, err = tw.Write(b)
		return err
	})
	if err == nil {
		err = tw.Close()
	}
	if err == nil {
		err = os.WriteFile(out, buf.Bytes(), 0o644)
	}
	if err != nil {
		t.Fatal(err)
	}
}

// rewriteTar copies the tar at in to out, passing each regular file through
// edit; edit returns nil to drop a member. Extra members are appended.
func rewriteTar(t testing.TB, in, out string, edit func(name string, body []byte) []byte, extra ...tartest.Entry) {
	t.Helper()
	copyTar(t, in, out, func(h *tar.Header, body []byte) []byte {
		if h.Typeflag != tar.TypeReg {
			return body
		}
		if body = edit(h.Name, body); body != nil {
			h.Size = int64(len(body))
		}
		return body
	}, extra...)
}

// copyTar copies the tar at in to out, passing each member through edit,
// which may change its header and returns its body, or nil to drop it.
// Extra members are appended.
func copyTar(t testing.TB, in, out string, edit func(h *tar.Header, body []byte) []byte, extra ...tartest.Entry) {
	t.Helper()
	f, err := os.Open(in)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var buf bytes.Buffer
	tr, tw := tar.NewReader(f), tar.NewWriter(&buf)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		if body = edit(h, body); body == nil {
			continue
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		tw.Write(body)
	}
	for _, e := range extra {
		tw.WriteHeader(e.Header())
		tw.Write(e.Body)
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(out, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// gzipFile writes a gzip of the file in to out.
func gzipFile(t testing.TB, in, out string) {
	t.Helper()
	b, err := os.ReadFile(in)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(b)
	zw.Close()
	if err := os.WriteFile(out, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// sum returns the sha256 of everything r yields.
func sum(t testing.TB, r io.Reader) v1.Hash {
	t.Helper()
	h := sha256.New()
	if _, err := io.Copy(h, r); err != nil {
		t.Fatal(err)
	}
	return v1.Hash{Algorithm: "sha256", Hex: hex.EncodeToString(h.Sum(nil))}
}

// sectioner is the optional method package layerfs looks for.
type sectioner interface {
	UncompressedSection() (*io.SectionReader, bool)
}

// zstdBytes compresses b with zstd.
func zstdBytes(t testing.TB, b []byte) []byte {
	t.Helper()
	enc, err := zstd.NewWriter(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer enc.Close()
	return enc.EncodeAll(b, nil)
}
