package main

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/random"
)

// writeLayout writes a random 3-layer image as an OCI layout and returns
// the directory and the image's total uncompressed layer bytes.
func writeLayout(t *testing.T) (string, int64) {
	t.Helper()
	img, err := random.Image(4096, 3)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	p, err := layout.Write(dir, empty.Index)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.AppendImage(img); err != nil {
		t.Fatal(err)
	}
	layers, err := img.Layers()
	if err != nil {
		t.Fatal(err)
	}
	var want int64
	for _, l := range layers {
		rc, err := l.Uncompressed()
		if err != nil {
			t.Fatal(err)
		}
		n, err := io.Copy(io.Discard, rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		want += n
	}
	return dir, want
}

func TestReadLayout(t *testing.T) {
	dir, want := writeLayout(t)
	for _, jobs := range []int{1, 2, 8} {
		n, layers, err := readLayout(t.Context(), dir, jobs)
		if err != nil {
			t.Fatalf("readLayout(jobs=%d): %v", jobs, err)
		}
		if n != want || layers != 3 {
			t.Errorf("readLayout(jobs=%d) = %d bytes in %d layers, want %d in 3", jobs, n, layers, want)
		}
	}
}

func TestReadLayoutErrors(t *testing.T) {
	t.Run("cancelled", func(t *testing.T) {
		dir, _ := writeLayout(t)
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		if _, _, err := readLayout(ctx, dir, 1); !errors.Is(err, context.Canceled) {
			t.Errorf("readLayout(cancelled) = %v, want context.Canceled", err)
		}
	})
	t.Run("missing blob", func(t *testing.T) {
		dir, _ := writeLayout(t)
		blobs, err := layerBlobs(dir)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.Remove(blobs[1]); err != nil {
			t.Fatal(err)
		}
		if _, _, err := readLayout(t.Context(), dir, 2); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("readLayout(missing blob) = %v, want os.ErrNotExist", err)
		}
	})
	t.Run("not a layout", func(t *testing.T) {
		if _, _, err := readLayout(t.Context(), filepath.Join(t.TempDir(), "none"), 1); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("readLayout(no dir) = %v, want os.ErrNotExist", err)
		}
	})
}
