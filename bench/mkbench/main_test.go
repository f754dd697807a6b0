package main

import (
	"archive/tar"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/validate"
)

// testOptions makes every image at a small scale.
func testOptions(dir string) options {
	return options{dir: dir, bigSize: 20_000_000, manyFiles: 5_000, smallFiles: 300, only: []string{"big", "many", "many2", "small"}}
}

func TestImages(t *testing.T) {
	dir := t.TempDir()
	if err := run(t.Context(), testOptions(dir), os.Stderr); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		layers int
		paths  int // at least
	}{
		{"big", 6, 100}, {"many", 3, 5_000}, {"many2", 3, 4_500}, {"small", 2, 300},
	} {
		t.Run(tc.name, func(t *testing.T) {
			img, err := tarball.ImageFromPath(filepath.Join(dir, tc.name+".tar"), nil)
			if err != nil {
				t.Fatal(err)
			}
			if err := validate.Image(img); err != nil {
				t.Fatalf("validate.Image(%s.tar): %v", tc.name, err)
			}
			layers, err := img.Layers()
			if err != nil {
				t.Fatal(err)
			}
			if len(layers) != tc.layers {
				t.Errorf("%s.tar has %d layers, want %d", tc.name, len(layers), tc.layers)
			}
			b, err := os.ReadFile(filepath.Join(dir, tc.name+".paths"))
			if err != nil {
				t.Fatal(err)
			}
			var paths int
			if _, err := fmt.Sscan(string(b), &paths); err != nil || paths < tc.paths {
				t.Errorf("%s.paths = %q, want a number ≥ %d", tc.name, b, tc.paths)
			}
		})
	}
	t.Run("big.oci", func(t *testing.T) {
		idx, err := layout.ImageIndexFromPath(filepath.Join(dir, "big.oci"))
		if err != nil {
			t.Fatal(err)
		}
		if err := validate.Index(idx); err != nil {
			t.Fatalf("validate.Index(big.oci): %v", err)
		}
		m, err := idx.IndexManifest()
		if err != nil {
			t.Fatal(err)
		}
		oci, err := idx.Image(m.Manifests[0].Digest)
		if err != nil {
			t.Fatal(err)
		}
		docker, err := tarball.ImageFromPath(filepath.Join(dir, "big.tar"), nil)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(diffIDs(t, docker), diffIDs(t, oci)); diff != "" {
			t.Errorf("big.tar and big.oci differ in diff IDs (-tar +oci):\n%s", diff)
		}
		checkBigLayers(t, docker)
	})
	t.Run("many2 is many's next version", func(t *testing.T) {
		var ids [2][]v1.Hash
		for i, name := range []string{"many", "many2"} {
			img, err := tarball.ImageFromPath(filepath.Join(dir, name+".tar"), nil)
			if err != nil {
				t.Fatal(err)
			}
			ids[i] = diffIDs(t, img)
		}
		if !cmp.Equal(ids[0][:2], ids[1][:2]) || ids[0][2] == ids[1][2] {
			t.Errorf("diff IDs of many %v and many2 %v: want the first two shared, the third not", ids[0], ids[1])
		}
	})
}

func diffIDs(t *testing.T, img v1.Image) []v1.Hash {
	cfg, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	return cfg.RootFS.DiffIDs
}

// checkBigLayers checks that layer 5 overwrites files of layer 1 and that
// layer 6 deletes the toolchain with a whiteout.
func checkBigLayers(t *testing.T, img v1.Image) {
	layers, err := img.Layers()
	if err != nil {
		t.Fatal(err)
	}
	first, patched, last := names(t, layers[0]), names(t, layers[4]), names(t, layers[5])
	overwritten := 0
	for n := range patched {
		if first[n] && !strings.HasSuffix(n, "/") {
			overwritten++
		}
	}
	if overwritten == 0 {
		t.Error("layer 5 overwrites no file of layer 1")
	}
	if !last["usr/local/.wh.go"] {
		t.Errorf("layer 6 has no usr/local/.wh.go: %v", last)
	}
}

func names(t *testing.T, l v1.Layer) map[string]bool {
	rc, err := l.Uncompressed()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	out := make(map[string]bool)
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out[h.Name] = true
	}
}

// TestDeterministic makes the images twice and compares every file.
func TestDeterministic(t *testing.T) {
	sums := make([]map[string]string, 2)
	for i := range sums {
		dir := t.TempDir()
		if err := run(t.Context(), testOptions(dir), io.Discard); err != nil {
			t.Fatal(err)
		}
		sums[i] = treeSums(t, dir)
	}
	if diff := cmp.Diff(sums[0], sums[1]); diff != "" {
		t.Errorf("two runs differ (-first +second):\n%s", diff)
	}
}

// treeSums maps each file under dir to its sha256.
func treeSums(t *testing.T, dir string) map[string]string {
	out := make(map[string]string)
	err := filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil || !fi.Mode().IsRegular() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		out[rel] = fmt.Sprintf("%x", sha256.Sum256(b))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
