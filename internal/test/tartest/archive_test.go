package tartest

import (
	"archive/tar"
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/validate"
)

// archiveFixture has a layer that appears twice, which docker save links.
func archiveFixture(t *testing.T) v1.Image {
	base := []Entry{Dir("etc"), File("etc/os-release", "ID=test\n")}
	return Image(t,
		Step{CreatedBy: "ADD base", Entries: base},
		Step{CreatedBy: "ENV A=1", Empty: true},
		Step{CreatedBy: "RUN x", Entries: []Entry{File("x", "x")}},
		Step{CreatedBy: "ADD base", Entries: base},
	)
}

// TestWriteDockerArchive reads the archive back with ggcr's tarball package
// (the oracle) and checks that layers are stored uncompressed.
func TestWriteDockerArchive(t *testing.T) {
	t.Parallel()
	img := archiveFixture(t)
	p := filepath.Join(t.TempDir(), "x.tar")
	WriteDockerArchive(t, p, img, "diet-test:xyz")
	tag, _ := name.NewTag("diet-test:xyz")
	got, err := tarball.ImageFromPath(p, &tag)
	if err != nil {
		t.Fatal(err)
	}
	if err := validate.Image(got); err != nil {
		t.Fatalf("validate.Image: %v", err)
	}
	sameLayers(t, img, got)
	members := readTar(t, p)
	var manifest []struct {
		Config           string
		RepoTags, Layers []string
	}
	if err := json.Unmarshal(members["manifest.json"], &manifest); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"diet-test:xyz"}, manifest[0].RepoTags); diff != "" {
		t.Errorf("RepoTags (-want +got):\n%s", diff)
	}
	for _, l := range manifest[0].Layers {
		if b, ok := members[l]; ok && len(b) > 1 && b[0] == 0x1f && b[1] == 0x8b {
			t.Errorf("%s is gzip, want an uncompressed tar", l)
		}
	}
	if _, ok := members["repositories"]; !ok {
		t.Error("no repositories file")
	}
}

// TestWriteOCIArchive unpacks the archive and reads it as an OCI layout.
func TestWriteOCIArchive(t *testing.T) {
	t.Parallel()
	img := archiveFixture(t)
	p := filepath.Join(t.TempDir(), "x.tar")
	WriteOCIArchive(t, p, img, "diet-test:xyz")
	dir := t.TempDir()
	for n, b := range readTar(t, p) {
		if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(n)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, n), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ii, err := layout.ImageIndexFromPath(dir)
	if err != nil {
		t.Fatal(err)
	}
	im, err := ii.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	if len(im.Manifests) != 1 || im.Manifests[0].Annotations["io.containerd.image.name"] != "docker.io/library/diet-test:xyz" ||
		im.Manifests[0].Annotations["org.opencontainers.image.ref.name"] != "xyz" {
		t.Fatalf("index.json manifests = %+v, want one named docker.io/library/diet-test:xyz", im.Manifests)
	}
	got, err := ii.Image(im.Manifests[0].Digest)
	if err != nil {
		t.Fatal(err)
	}
	// validate gunzips every layer; these are uncompressed, so check blobs exist.
	if err := validate.Image(got, validate.Fast); err != nil {
		t.Fatalf("validate.Image: %v", err)
	}
	sameLayers(t, img, got)
	m, _ := got.Manifest()
	for _, l := range m.Layers {
		if l.MediaType != "application/vnd.oci.image.layer.v1.tar" {
			t.Errorf("layer media type %s, want uncompressed", l.MediaType)
		}
	}
}

func TestWriteOCILayoutAndRegistry(t *testing.T) {
	t.Parallel()
	img := archiveFixture(t)
	dir := filepath.Join(t.TempDir(), "layout")
	WriteOCILayout(t, dir, img, "xyz")
	ii, err := layout.ImageIndexFromPath(dir)
	if err != nil {
		t.Fatal(err)
	}
	im, _ := ii.IndexManifest()
	if len(im.Manifests) != 1 || im.Manifests[0].Annotations["org.opencontainers.image.ref.name"] != "xyz" {
		t.Fatalf("index.json manifests = %+v, want one tagged xyz", im.Manifests)
	}
	got, err := ii.Image(im.Manifests[0].Digest)
	if err != nil {
		t.Fatal(err)
	}
	if err := validate.Image(got); err != nil {
		t.Fatalf("validate.Image: %v", err)
	}
	sameLayers(t, img, got)

	ref, err := name.ParseReference(ServeRegistry(t) + "/diet/x:1")
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(ref, img); err != nil {
		t.Fatal(err)
	}
	pulled, err := remote.Image(ref)
	if err != nil {
		t.Fatal(err)
	}
	sameLayers(t, img, pulled)
}

func sameLayers(t *testing.T, want, got v1.Image) {
	t.Helper()
	wc, _ := want.RawConfigFile()
	gc, err := got.RawConfigFile()
	if err != nil || !bytes.Equal(wc, gc) {
		t.Errorf("config = %s, %v; want %s", gc, err, wc)
	}
	wl, _ := want.Layers()
	gl, err := got.Layers()
	if err != nil || len(gl) != len(wl) {
		t.Fatalf("Layers() = %d layers, %v; want %d", len(gl), err, len(wl))
	}
	for i := range wl {
		a, b := readLayer(t, wl[i]), readLayer(t, gl[i])
		if !bytes.Equal(a, b) {
			t.Errorf("layer %d differs", i)
		}
	}
}

func readLayer(t *testing.T, l v1.Layer) []byte {
	t.Helper()
	rc, err := l.Uncompressed()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// readTar returns the regular files of a tar by name.
func readTar(t *testing.T, p string) map[string][]byte {
	t.Helper()
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string][]byte{}
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		if h.Typeflag == tar.TypeReg {
			out[h.Name], _ = io.ReadAll(tr)
		}
	}
}
