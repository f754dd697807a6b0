package image

import (
	"archive/tar"
	"errors"
	"path/filepath"
	"testing"

	"github.com/dietimage/diet/internal/tarname"
	"github.com/dietimage/diet/internal/test/tartest"
)

// TestMemberNames: member names are read as docker load reads them,
// cleaned and an absolute one from the archive's root, so an archive whose
// writer spelled them "/x" or "./d/../x" opens as the plain one does; a
// name that climbs out is refused.
func TestMemberNames(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	plain := filepath.Join(dir, "plain.tar")
	img := fixture(t)
	tartest.WriteDockerArchive(t, plain, img, "diet-test:names")
	want, err := img.Digest()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		rename func(string) string
		err    error
	}{
		{"absolute", func(n string) string { return "/" + n }, nil},
		{"dotted", func(n string) string { return "./d/../" + n }, nil},
		{"rooted climb", func(n string) string { return "/../" + n }, nil},
		{"climbs out", func(n string) string { return "d/../../" + n }, tarname.ErrOutside},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(dir, tc.name+".tar")
			copyTar(t, plain, p, func(h *tar.Header, body []byte) []byte {
				h.Name = tc.rename(h.Name)
				return body
			})
			got, err := Open(t.Context(), "docker-archive:"+p)
			if tc.err != nil {
				if !errors.Is(err, tc.err) {
					t.Fatalf("Open(%s) = %v, want %v", tc.name, err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Open(%s) = %v", tc.name, err)
			}
			if d, err := got.Digest(); err != nil || d != want {
				t.Errorf("Open(%s).Digest() = %v, %v, want %v", tc.name, d, err, want)
			}
		})
	}
}
