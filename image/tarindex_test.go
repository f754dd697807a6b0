package image

import (
	"archive/tar"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/dietimage/diet/internal/tarname"
	"github.com/dietimage/diet/internal/tartest"
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
			renameMembers(t, plain, p, tc.rename)
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

// renameMembers copies the tar in to out with every member renamed.
func renameMembers(t *testing.T, in, out string, rename func(string) string) {
	t.Helper()
	f, err := os.Open(in)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	o, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	defer o.Close()
	tr, tw := tar.NewReader(f), tar.NewWriter(o)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		h.Name = rename(h.Name)
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(tw, tr); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
}
