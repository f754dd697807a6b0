package image

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/v1/validate"
)

func TestWriteRoundTrip(t *testing.T) {
	want := fixture(t)
	dir := t.TempDir()
	for _, ref := range []string{
		"docker-archive:" + filepath.Join(dir, "a.tar") + ":diet/out:1",
		filepath.Join(dir, "bare.tar"),
		"oci:" + filepath.Join(dir, "layout") + ":v1",
	} {
		t.Run(ref, func(t *testing.T) {
			if err := Write(t.Context(), want, ref); err != nil {
				t.Fatalf("Write(%q) = %v", ref, err)
			}
			got, err := Open(t.Context(), ref)
			if err != nil {
				t.Fatalf("Open(%q) = %v", ref, err)
			}
			if err := validate.Image(got, validate.Fast); err != nil {
				t.Errorf("validate: %v", err)
			}
			sameImage(t, want, got)
		})
	}
}

func TestWriteDeterministicAndSafe(t *testing.T) {
	img := fixture(t)
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.tar"), filepath.Join(dir, "b.tar")
	for _, p := range []string{a, b} {
		if err := Write(t.Context(), img, "docker-archive:"+p+":x/y:z"); err != nil {
			t.Fatal(err)
		}
	}
	ab, _ := os.ReadFile(a)
	bb, _ := os.ReadFile(b)
	if !bytes.Equal(ab, bb) {
		t.Errorf("two writes of one image differ")
	}

	// Writing over the archive being read: the open image stays readable.
	in, err := Open(t.Context(), "docker-archive:"+a)
	if err != nil {
		t.Fatal(err)
	}
	if err := Write(t.Context(), in, "docker-archive:"+a); err != nil {
		t.Fatalf("Write over its own input = %v", err)
	}
	sameImage(t, img, in)

	// A cancelled write leaves neither the target nor a temporary file.
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	out := filepath.Join(dir, "cancelled.tar")
	if err := Write(ctx, img, "docker-archive:"+out); err == nil {
		t.Fatal("a cancelled Write succeeded")
	}
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if diff := cmp.Diff([]string{"a.tar", "b.tar"}, names); diff != "" {
		t.Errorf("directory after a cancelled write (-want +got):\n%s", diff)
	}
}
