package image

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// fakeStore is an engine's classic layer store under a temporary root,
// laid out as Engine 20.10 lays out fuse-overlayfs's: what openStore reads,
// with nothing it does not.
type fakeStore struct {
	root   string
	driver string
	id     v1.Hash
	layers []fakeLayer
}

// fakeLayer is one layer's files in the fake store.
type fakeLayer struct {
	db    string // layerdb/sha256/<chain ID>
	diff  string // <driver>/<cache-id>/diff
	split string // db/tar-split.json.gz
}

// newFakeStore stores img as the engine would after docker load: each
// layer's tar split into its tar-split record and its diff directory.
func newFakeStore(t *testing.T, img v1.Image) *fakeStore {
	t.Helper()
	s := &fakeStore{root: t.TempDir(), driver: "fuse-overlayfs"}
	db := filepath.Join(s.root, "image", s.driver)
	raw, err := img.RawConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	if s.id, err = img.ConfigName(); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(db, "imagedb", "content", "sha256", s.id.Hex), raw)
	layers, err := img.Layers()
	if err != nil {
		t.Fatal(err)
	}
	var chain v1.Hash
	for i, l := range layers {
		diffID, err := l.DiffID()
		if err != nil {
			t.Fatal(err)
		}
		chain = chainID(chain, diffID)
		cid := fmt.Sprintf("%064x", i+1)
		fl := fakeLayer{
			db:   filepath.Join(db, "layerdb", "sha256", chain.Hex),
			diff: filepath.Join(s.root, s.driver, cid, "diff"),
		}
		fl.split = filepath.Join(fl.db, "tar-split.json.gz")
		if err := os.MkdirAll(fl.diff, 0o755); err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(fl.db, "diff"), []byte(diffID.String()))
		writeFile(t, filepath.Join(fl.db, "cache-id"), []byte(cid))
		rc, err := l.Uncompressed()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, fl.split, gzipLines(t, splitTar(t, b, fl.diff)))
		s.layers = append(s.layers, fl)
	}
	return s
}

// open opens the fake store's image as docker-daemon: would.
func (s *fakeStore) open(t *testing.T) (v1.Image, error) {
	t.Helper()
	o, err := makeOptions()
	if err != nil {
		t.Fatal(err)
	}
	return openStore(t.Context(), s.root, s.driver, s.id, "", o)
}

// splitTar does what tar-split does as the engine applies a layer: it
// records the raw bytes around each body and the entry each body belongs
// to, and writes the bodies to diff as the engine's applier would.
func splitTar(t *testing.T, b []byte, diff string) []tarSplitEntry {
	t.Helper()
	br := bytes.NewReader(b)
	tr := tar.NewReader(struct{ io.Reader }{br}) // no Seek: it reads exactly up to each body
	var out []tarSplitEntry
	prev := int64(0)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		start := int64(len(b)) - int64(br.Len())
		out = append(out, tarSplitEntry{Type: tarSplitSegment, Payload: b[prev:start]})
		out = append(out, tarSplitEntry{Type: tarSplitFile, Name: hdr.Name, Size: hdr.Size})
		if hdr.Typeflag == tar.TypeReg && hdr.Size > 0 {
			writeFile(t, filepath.Join(diff, filepath.FromSlash(hdr.Name)), b[start:start+hdr.Size])
		}
		prev = start + hdr.Size
	}
	return append(out, tarSplitEntry{Type: tarSplitSegment, Payload: b[prev:]})
}

// splitEntry is tar-split's storage.Entry, fields and tags as it writes them.
type splitEntry struct {
	Type     int    `json:"type"`
	Name     string `json:"name,omitempty"`
	NameRaw  []byte `json:"name_raw,omitempty"`
	Size     int64  `json:"size,omitempty"`
	Payload  []byte `json:"payload"`
	Position int    `json:"position"`
}

// otherEntry is the same record from a writer with another field order:
// the reader must not depend on tar-split's.
type otherEntry struct {
	Position int    `json:"position"`
	Payload  []byte `json:"payload"`
	Size     int64  `json:"size,omitempty"`
	Name     string `json:"name,omitempty"`
	Type     int    `json:"type"`
}

// otherOrder makes gzipLines write otherEntry lines.
var otherOrder = false

// gzipLines writes entries as a tar-split record: gzipped JSON lines.
func gzipLines(t *testing.T, entries []tarSplitEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	enc := json.NewEncoder(zw)
	for i, e := range entries {
		var v any = splitEntry{Type: e.Type, Name: e.Name, NameRaw: e.NameRaw, Size: e.Size, Payload: e.Payload, Position: i}
		if otherOrder {
			v = otherEntry{Type: e.Type, Name: e.Name, Size: e.Size, Payload: e.Payload, Position: i}
		}
		if err := enc.Encode(v); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func writeFile(t *testing.T, p string, b []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// gzipText gzips s.
func gzipText(t *testing.T, s string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write([]byte(s))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
