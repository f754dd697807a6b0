package tartest

import (
	"archive/tar"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"log"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// WriteDockerArchive writes img to path as the classic `docker save` does
// (Docker 24 and older): <id>/layer.tar uncompressed, <id>/json, <id>/VERSION,
// <config hex>.json, manifest.json and repositories. A layer that appears
// twice is written once and linked, as docker does. tag ("name:tag") may be
// empty.
func WriteDockerArchive(t testing.TB, path string, img v1.Image, tag string) {
	t.Helper()
	w := createArchive(t, path)
	layers := must(t, img.Layers)
	cfgName := must(t, img.ConfigName)
	var paths []string
	first := map[v1.Hash]string{}
	parent := ""
	for _, l := range layers {
		diffID := must(t, l.DiffID)
		id := digestHex([]byte(parent + "\n" + diffID.String()))
		w.dir(id + "/")
		w.file(id+"/VERSION", []byte("1.0"))
		w.file(id+"/json", jsonBytes(t, map[string]string{"id": id, "parent": parent}))
		if prev, ok := first[diffID]; ok {
			w.header(&tar.Header{Name: id + "/layer.tar", Typeflag: tar.TypeSymlink, Linkname: "../" + prev + "/layer.tar", Mode: 0o777, ModTime: Epoch})
		} else {
			w.layer(id+"/layer.tar", l)
			first[diffID] = id
		}
		paths = append(paths, id+"/layer.tar")
		parent = id
	}
	w.file(cfgName.Hex+".json", must(t, img.RawConfigFile))
	w.file("manifest.json", jsonBytes(t, []map[string]any{{"Config": cfgName.Hex + ".json", "RepoTags": tags(t, tag), "Layers": paths}}))
	if tag != "" {
		repo, tg, _ := splitTag(t, tag)
		w.file("repositories", jsonBytes(t, map[string]map[string]string{repo: {tg: parent}}))
	}
	w.close()
}

// WriteOCIArchive writes img to path as Docker 25+ `docker save` does: an OCI
// layout in a tar (oci-layout, index.json, blobs/sha256/...) whose layer
// blobs are uncompressed tars, plus a manifest.json pointing into blobs/.
func WriteOCIArchive(t testing.TB, path string, img v1.Image, tag string) {
	t.Helper()
	w := createArchive(t, path)
	w.dir("blobs/")
	w.dir("blobs/sha256/")
	layers := must(t, img.Layers)
	m := v1.Manifest{SchemaVersion: 2, MediaType: types.OCIManifestSchema1, Layers: []v1.Descriptor{}}
	var paths []string
	written := map[v1.Hash]bool{}
	for _, l := range layers {
		diffID := must(t, l.DiffID)
		p := "blobs/sha256/" + diffID.Hex
		var n int64
		if written[diffID] {
			n = size(t, l)
		} else {
			n = w.layer(p, l)
			written[diffID] = true
		}
		m.Layers = append(m.Layers, v1.Descriptor{MediaType: types.OCIUncompressedLayer, Digest: diffID, Size: n})
		paths = append(paths, p)
	}
	cfg := must(t, img.RawConfigFile)
	m.Config = v1.Descriptor{MediaType: types.OCIConfigJSON, Digest: sha(cfg), Size: int64(len(cfg))}
	w.file("blobs/sha256/"+m.Config.Digest.Hex, cfg)
	raw := jsonBytes(t, m)
	w.file("blobs/sha256/"+sha(raw).Hex, raw)
	desc := v1.Descriptor{MediaType: types.OCIManifestSchema1, Digest: sha(raw), Size: int64(len(raw))}
	if tag != "" {
		_, tg, full := splitTag(t, tag)
		desc.Annotations = map[string]string{
			"io.containerd.image.name":          full,
			"org.opencontainers.image.ref.name": tg,
		}
	}
	w.file("index.json", jsonBytes(t, v1.IndexManifest{SchemaVersion: 2, MediaType: types.OCIImageIndex, Manifests: []v1.Descriptor{desc}}))
	w.file("manifest.json", jsonBytes(t, []map[string]any{{"Config": "blobs/sha256/" + m.Config.Digest.Hex, "RepoTags": tags(t, tag), "Layers": paths}}))
	w.file("oci-layout", []byte(`{"imageLayoutVersion":"1.0.0"}`))
	w.close()
}

// WriteOCILayout writes img into the OCI layout directory dir with ggcr's
// layout package (so layers are gzip blobs), tagged with tag as its
// org.opencontainers.image.ref.name when tag is not empty.
func WriteOCILayout(t testing.TB, dir string, img v1.Image, tag string) {
	t.Helper()
	p, err := layout.Write(dir, empty.Index)
	if err != nil {
		t.Fatalf("WriteOCILayout: %v", err)
	}
	var opts []layout.Option
	if tag != "" {
		opts = append(opts, layout.WithAnnotations(map[string]string{"org.opencontainers.image.ref.name": tag}))
	}
	if err := p.AppendImage(img, opts...); err != nil {
		t.Fatalf("WriteOCILayout: %v", err)
	}
}

// ServeRegistry serves the distribution protocol in-process (ggcr's
// registry, quiet) until the test ends, and returns its host:port.
func ServeRegistry(t testing.TB) (host string) {
	t.Helper()
	s := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	t.Cleanup(s.Close)
	return strings.TrimPrefix(s.URL, "http://")
}

// splitTag splits "repo[:tag]" as docker spells it, and gives the full name
// containerd records (docker.io/library/repo:tag).
func splitTag(t testing.TB, s string) (repo, tag, full string) {
	t.Helper()
	n, err := name.NewTag(s)
	if err != nil {
		t.Fatalf("tartest: tag %q: %v", s, err)
	}
	tag = n.TagStr()
	repo = strings.TrimSuffix(s, ":"+tag)
	reg := n.RegistryStr()
	if reg == name.DefaultRegistry {
		reg = "docker.io"
	}
	return repo, tag, reg + "/" + n.RepositoryStr() + ":" + tag
}

// tags is the RepoTags of manifest.json: "repo:tag", as docker spells it.
func tags(t testing.TB, s string) []string {
	if s == "" {
		return nil
	}
	repo, tag, _ := splitTag(t, s)
	return []string{repo + ":" + tag}
}

func sha(b []byte) v1.Hash { return v1.Hash{Algorithm: "sha256", Hex: digestHex(b)} }

func digestHex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func jsonBytes(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("tartest: %v", err)
	}
	return b
}

func must[T any](t testing.TB, f func() (T, error)) T {
	t.Helper()
	v, err := f()
	if err != nil {
		t.Fatalf("tartest: %v", err)
	}
	return v
}

// size counts a layer's uncompressed bytes.
func size(t testing.TB, l v1.Layer) int64 {
	t.Helper()
	rc := must(t, l.Uncompressed)
	defer rc.Close()
	n, err := io.Copy(io.Discard, rc)
	if err != nil {
		t.Fatalf("tartest: layer: %v", err)
	}
	return n
}

// archiveWriter writes an outer tar, failing the test on any error.
type archiveWriter struct {
	t  testing.TB
	f  *os.File
	tw *tar.Writer
}

func createArchive(t testing.TB, path string) *archiveWriter {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatalf("tartest: %v", err)
	}
	return &archiveWriter{t: t, f: f, tw: tar.NewWriter(f)}
}

func (w *archiveWriter) header(h *tar.Header) {
	w.t.Helper()
	if err := w.tw.WriteHeader(h); err != nil {
		w.t.Fatalf("tartest: %s: %v", h.Name, err)
	}
}

func (w *archiveWriter) dir(name string) {
	w.header(&tar.Header{Name: name, Typeflag: tar.TypeDir, Mode: 0o755, ModTime: Epoch})
}

func (w *archiveWriter) file(name string, b []byte) {
	w.t.Helper()
	w.header(&tar.Header{Name: name, Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(len(b)), ModTime: Epoch})
	if _, err := w.tw.Write(b); err != nil {
		w.t.Fatalf("tartest: %s: %v", name, err)
	}
}

// layer streams l's uncompressed tar as name: once to learn its size, once
// to write it, so no layer is held in memory.
func (w *archiveWriter) layer(name string, l v1.Layer) int64 {
	w.t.Helper()
	n := size(w.t, l)
	w.header(&tar.Header{Name: name, Typeflag: tar.TypeReg, Mode: 0o644, Size: n, ModTime: Epoch})
	rc := must(w.t, l.Uncompressed)
	defer rc.Close()
	if _, err := io.Copy(w.tw, rc); err != nil {
		w.t.Fatalf("tartest: %s: %v", name, err)
	}
	return n
}

func (w *archiveWriter) close() {
	w.t.Helper()
	if err := w.tw.Close(); err != nil {
		w.t.Fatalf("tartest: %v", err)
	}
	if err := w.f.Close(); err != nil {
		w.t.Fatalf("tartest: %v", err)
	}
}
