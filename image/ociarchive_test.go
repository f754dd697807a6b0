package image

import (
	"archive/tar"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1/layout"

	"github.com/dietimage/diet/internal/test/tartest"
	"github.com/google/go-containerregistry/pkg/v1/validate"
)

// TestOCIArchiveWrite checks what oci-archive: writes: a tar holding an
// OCI layout and nothing else, which ggcr's layout reader, given the tar
// unpacked, validates in full, with the tag as the ref.name annotation.
func TestOCIArchiveWrite(t *testing.T) {
	t.Parallel()
	want := writeFixture(t)
	dir := t.TempDir()
	p := filepath.Join(dir, "x.tar")
	if err := Write(t.Context(), want, "oci-archive:"+p+":v1"); err != nil {
		t.Fatal(err)
	}
	unpacked := filepath.Join(dir, "layout")
	names := untar(t, p, unpacked)
	for _, n := range []string{"manifest.json", "repositories"} {
		if slices.Contains(names, n) {
			t.Errorf("oci-archive holds %s: only an OCI layout belongs there", n)
		}
	}
	ii, err := layout.ImageIndexFromPath(unpacked)
	if err != nil {
		t.Fatal(err)
	}
	im, err := ii.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	if len(im.Manifests) != 1 || im.Manifests[0].Annotations[annotRefName] != "v1" {
		t.Fatalf("index.json = %+v, want one manifest named v1", im.Manifests)
	}
	got, err := ii.Image(im.Manifests[0].Digest)
	if err != nil {
		t.Fatal(err)
	}
	if err := validate.Image(got); err != nil {
		t.Errorf("validate.Image(layout of oci-archive): %v", err)
	}
	sameImage(t, want, got)

	// Open chooses by the same name.
	if _, err := Open(t.Context(), "oci-archive:"+p+":v1"); err != nil {
		t.Errorf("Open(oci-archive:...:v1) = %v", err)
	}
	if _, err := Open(t.Context(), "oci-archive:"+p+":v2"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Open(oci-archive:...:v2) = %v, want ErrNotFound", err)
	}
}

// TestOCIArchiveOpen opens an OCI layout with gzip layers, as skopeo
// writes one, tarred: the image must be the one written and validate in
// full. A classic docker save archive is not one, and the error says what
// to write instead.
func TestOCIArchiveOpen(t *testing.T) {
	t.Parallel()
	want := writeFixture(t)
	dir := t.TempDir()
	if err := Write(t.Context(), want, "oci:"+dir+"/layout:v1"); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "layout.tar")
	tarDir(t, filepath.Join(dir, "layout"), p, nil)
	got, err := Open(t.Context(), "oci-archive:"+p)
	if err != nil {
		t.Fatal(err)
	}
	if err := validate.Image(got); err != nil {
		t.Errorf("validate.Image(oci-archive:%s): %v", p, err)
	}
	sameImage(t, want, got)

	classic := filepath.Join(dir, "classic.tar")
	tartest.WriteDockerArchive(t, classic, want, "")
	_, err = Open(t.Context(), "oci-archive:"+classic)
	if e, ok := errors.AsType[*Error](err); !ok || e.Ref != "oci-archive:"+classic {
		t.Errorf("Open(oci-archive: of a classic archive) = %v, want an *Error naming it", err)
	}
}

// untar unpacks the regular files of the tar at p into dir and returns
// their names in order.
func untar(t *testing.T, p, dir string) []string {
	t.Helper()
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var names []string
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return names
		}
		if err != nil {
			t.Fatal(err)
		}
		if h.Typeflag != tar.TypeReg {
			continue
		}
		names = append(names, h.Name)
		out := filepath.Join(dir, filepath.FromSlash(h.Name))
		if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(out, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
