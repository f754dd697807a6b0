package tartest

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/klauspost/compress/gzip"
)

// Bomb is a decompression bomb: a docker save archive whose one layer holds
// a file of N zero bytes, which gzip shrinks about a thousandfold.
type Bomb struct {
	N int64 // the zero bytes of the file /zeros
	// Outer gzips the whole archive (docker save | gzip) and stores the
	// layer uncompressed inside it; otherwise the archive is plain and its
	// layer.tar is gzipped.
	Outer bool
}

// Write writes the bomb to path, streaming: nothing of size N is held in
// memory, and the file on disk is about N/1000 bytes.
func (b Bomb) Write(t testing.TB, path string) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatalf("tartest: %v", err)
	}
	var out io.Writer = f
	var outer *gzip.Writer
	if b.Outer {
		outer, _ = gzip.NewWriterLevel(f, gzip.BestCompression)
		out = outer
	}
	w := &archiveWriter{t: t, f: f, tw: tar.NewWriter(out)}
	const id = "0000000000000000000000000000000000000000000000000000000000000001"
	w.dir(id + "/")
	h := sha256.New()
	if b.Outer {
		size := int64(blockSize) + (b.N+blockSize-1)/blockSize*blockSize + 2*blockSize
		w.header(&tar.Header{Name: id + "/layer.tar", Typeflag: tar.TypeReg, Mode: 0o644, Size: size, ModTime: Epoch})
		b.layer(t, io.MultiWriter(w.tw, h))
	} else {
		var gz bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
		b.layer(t, io.MultiWriter(zw, h))
		if err := zw.Close(); err != nil {
			t.Fatalf("tartest: %v", err)
		}
		w.file(id+"/layer.tar", gz.Bytes())
	}
	diffID := v1.Hash{Algorithm: "sha256", Hex: hex.EncodeToString(h.Sum(nil))}
	cfg := jsonBytes(t, v1.ConfigFile{OS: "linux", Architecture: "amd64", Created: v1.Time{Time: Epoch},
		RootFS:  v1.RootFS{Type: "layers", DiffIDs: []v1.Hash{diffID}},
		Config:  v1.Config{Entrypoint: []string{"/zeros"}},
		History: []v1.History{{CreatedBy: "ADD zeros /", Created: v1.Time{Time: Epoch}}}})
	cfgHex := digestHex(cfg)
	w.file(cfgHex+".json", cfg)
	w.file("manifest.json", jsonBytes(t, []map[string]any{{"Config": cfgHex + ".json", "RepoTags": []string{}, "Layers": []string{id + "/layer.tar"}}}))
	if err := w.tw.Close(); err != nil {
		t.Fatalf("tartest: %v", err)
	}
	if outer != nil {
		if err := outer.Close(); err != nil {
			t.Fatalf("tartest: %v", err)
		}
	}
	if err := f.Close(); err != nil {
		t.Fatalf("tartest: %v", err)
	}
}

const blockSize = 512

// layer writes the layer's tar: one file of N zero bytes.
func (b Bomb) layer(t testing.TB, w io.Writer) {
	t.Helper()
	tw := tar.NewWriter(w)
	if err := tw.WriteHeader(&tar.Header{Name: "zeros", Typeflag: tar.TypeReg, Mode: 0o755, Size: b.N, ModTime: Epoch}); err != nil {
		t.Fatalf("tartest: %v", err)
	}
	zero := make([]byte, 1<<20)
	for left := b.N; left > 0; {
		n, err := tw.Write(zero[:min(left, int64(len(zero)))])
		if err != nil {
			t.Fatalf("tartest: %v", err)
		}
		left -= int64(n)
	}
	if err := tw.Close(); err != nil {
		t.Fatalf("tartest: %v", err)
	}
}
