package image

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestStore opens an image from a layer store laid out as the engine's and
// checks that every layer reads, as a section and as a stream, as the very
// tar it was made from.
func TestStore(t *testing.T) {
	for _, other := range []bool{false, true} {
		t.Run(map[bool]string{false: "tar-split's field order", true: "another field order"}[other], func(t *testing.T) {
			otherOrder = other
			defer func() { otherOrder = false }()
			testStore(t)
		})
	}
}

func testStore(t *testing.T) {
	want := fixture(t)
	s := newFakeStore(t, want)
	got, err := s.open(t)
	if err != nil {
		t.Fatalf("openStore = %v", err)
	}
	sameImage(t, want, got)
	wl, _ := want.Layers()
	gl, _ := got.Layers()
	for i, l := range gl {
		wantTar := readAll(t, wl[i].Uncompressed)
		sr, ok := l.(sectioner).UncompressedSection()
		if !ok {
			t.Fatalf("layer %d: UncompressedSection not ok", i)
		}
		if b, err := io.ReadAll(sr); err != nil || !bytes.Equal(b, wantTar) {
			t.Errorf("layer %d: section = %d bytes, %v; want the layer's %d bytes", i, len(b), err, len(wantTar))
		}
		if b := readAll(t, l.Uncompressed); !bytes.Equal(b, wantTar) {
			t.Errorf("layer %d: Uncompressed = %d bytes; want the layer's %d bytes", i, len(b), len(wantTar))
		}
		// A reader that skips bodies asks for ranges across segments.
		for _, off := range []int64{0, 1, 511, 512, 513, int64(len(wantTar)) - 3} {
			p := make([]byte, 700)
			n, err := sr.ReadAt(p, off)
			end := min(off+700, int64(len(wantTar)))
			if !bytes.Equal(p[:n], wantTar[off:end]) || (end < off+700) != (err == io.EOF) {
				t.Errorf("layer %d: ReadAt(700 bytes, %d) = %d, %v; want %d bytes", i, off, n, err, end-off)
			}
		}
	}
}

// TestStoreHostile: a store whose records climb out of the layer, whose
// files are symlinks out of it or of another size or kind, or whose
// records are cut or garbage, gives a clear error and never a byte from
// outside the diff directory.
func TestStoreHostile(t *testing.T) {
	secret := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(secret, []byte("SECRET"), 0o644); err != nil { // as long as "hello\n"
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		tamper  func(t *testing.T, s *fakeStore)
		openErr error // from openStore
		readErr error // reading layer 0, when openStore succeeds
	}{
		{"../../etc/passwd", func(t *testing.T, s *fakeStore) {
			renameBody(t, s.layers[0], "etc/hello", "../../etc/passwd")
		}, errNameEscapes, nil},
		{"etc/../../../secret", func(t *testing.T, s *fakeStore) {
			renameBody(t, s.layers[0], "etc/hello", "etc/../../../secret")
		}, errNameEscapes, nil},
		{"symlink to an absolute path", func(t *testing.T, s *fakeStore) {
			replace(t, filepath.Join(s.layers[0].diff, "etc/hello"), func(p string) error { return os.Symlink(secret, p) })
		}, nil, errNameEscapes},
		{"symlink climbing out", func(t *testing.T, s *fakeStore) {
			rel, _ := filepath.Rel(filepath.Join(s.layers[0].diff, "etc"), secret)
			replace(t, filepath.Join(s.layers[0].diff, "etc/hello"), func(p string) error { return os.Symlink(rel, p) })
		}, nil, errNameEscapes},
		{"directory symlink climbing out", func(t *testing.T, s *fakeStore) {
			replace(t, filepath.Join(s.layers[0].diff, "etc"), func(p string) error { return os.Symlink(filepath.Dir(secret), p) })
			renameBody(t, s.layers[0], "etc/hello", "etc/secret")
		}, nil, errNameEscapes},
		{"file of another size", func(t *testing.T, s *fakeStore) {
			writeFile(t, filepath.Join(s.layers[0].diff, "etc/hello"), []byte("hello, world\n"))
		}, nil, ErrMismatch},
		{"fifo for a file", func(t *testing.T, s *fakeStore) {
			replace(t, filepath.Join(s.layers[0].diff, "etc/hello"), func(p string) error { return syscall.Mkfifo(p, 0o644) })
		}, nil, ErrMismatch},
		{"missing body", func(t *testing.T, s *fakeStore) {
			os.Remove(filepath.Join(s.layers[0].diff, "etc/hello"))
		}, nil, os.ErrNotExist},
		{"truncated tar-split", func(t *testing.T, s *fakeStore) {
			b, _ := os.ReadFile(s.layers[0].split)
			writeFile(t, s.layers[0].split, b[:len(b)/2])
		}, io.ErrUnexpectedEOF, nil},
		{"garbage tar-split", func(t *testing.T, s *fakeStore) {
			writeFile(t, s.layers[0].split, []byte("{\"type\":2,\"payload\":\"AAAA\"}\n"))
		}, errTarSplit, nil},
		{"garbage inside the gzip", func(t *testing.T, s *fakeStore) {
			writeFile(t, s.layers[0].split, gzipText(t, "{\"type\":2,\"payload\":\"AAAA\"}\n{\"type\":1,\"size\":\"x\"}\n"))
		}, errTarSplit, nil},
		{"empty tar-split", func(t *testing.T, s *fakeStore) {
			writeFile(t, s.layers[0].split, gzipText(t, ""))
		}, errTarSplit, nil},
		{"layerdb names another diff", func(t *testing.T, s *fakeStore) {
			writeFile(t, filepath.Join(s.layers[1].db, "diff"), []byte("sha256:"+string(bytes.Repeat([]byte("0"), 64))))
		}, ErrMismatch, nil},
		{"cache-id climbing out", func(t *testing.T, s *fakeStore) {
			writeFile(t, filepath.Join(s.layers[0].db, "cache-id"), []byte("../../../.."))
		}, errCacheID, nil},
		{"config changed", func(t *testing.T, s *fakeStore) {
			p := filepath.Join(s.root, "image", s.driver, "imagedb", "content", "sha256", s.id.Hex)
			b, _ := os.ReadFile(p)
			writeFile(t, p, append(b, ' '))
		}, ErrMismatch, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newFakeStore(t, fixture(t))
			tc.tamper(t, s)
			img, err := s.open(t)
			if tc.openErr != nil {
				if !errors.Is(err, tc.openErr) {
					t.Fatalf("openStore = %v, want %v", err, tc.openErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("openStore = %v", err)
			}
			layers, _ := img.Layers()
			sr, _ := layers[0].(sectioner).UncompressedSection()
			b, err := io.ReadAll(sr)
			if err == nil {
				t.Fatalf("reading layer 0 = %d bytes, no error", len(b))
			}
			if bytes.Contains(b, []byte("SECRET")) {
				t.Errorf("reading layer 0 read the file outside the diff directory")
			}
			if tc.readErr != nil && !errors.Is(err, tc.readErr) {
				t.Errorf("reading layer 0 = %v, want %v", err, tc.readErr)
			}
			if _, err := io.ReadAll(readerOf(t, layers[0].Uncompressed)); err == nil {
				t.Errorf("Uncompressed of layer 0 read whole, want an error")
			}
			t.Logf("error: %v", err)
		})
	}
}

// renameBody renames the entry from in layer l's tar-split record to to.
func renameBody(t *testing.T, l fakeLayer, from, to string) {
	t.Helper()
	rc, err := os.Open(l.split)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	var entries []tarSplitEntry
	zr, err := gzip.NewReader(rc)
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(zr)
	for {
		var e tarSplitEntry
		if err := dec.Decode(&e); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		if e.Name == from {
			e.Name = to
		}
		entries = append(entries, e)
	}
	writeFile(t, l.split, gzipLines(t, entries))
}

// replace removes p and makes something else there with mk.
func replace(t *testing.T, p string, mk func(string) error) {
	t.Helper()
	if err := os.RemoveAll(p); err != nil {
		t.Fatal(err)
	}
	if err := mk(p); err != nil {
		t.Fatal(err)
	}
}

func readAll(t *testing.T, open func() (io.ReadCloser, error)) []byte {
	t.Helper()
	b, err := io.ReadAll(readerOf(t, open))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func readerOf(t *testing.T, open func() (io.ReadCloser, error)) io.Reader {
	t.Helper()
	rc, err := open()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rc.Close() })
	return rc
}
