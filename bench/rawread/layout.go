package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/klauspost/compress/gzip"
)

// descriptor is the part of an OCI descriptor rawread needs.
type descriptor struct {
	MediaType string `json:"mediaType"`
	Digest    string `json:"digest"`
}

// layerBlobs returns the paths of the layer blobs of every manifest that
// index.json in dir lists, nested indexes included, in order.
func layerBlobs(dir string) ([]string, error) {
	var index struct{ Manifests []descriptor }
	if err := readJSON(dir, "index.json", &index); err != nil {
		return nil, err
	}
	var out []string
	for _, m := range index.Manifests {
		var doc struct {
			Manifests []descriptor
			Layers    []descriptor
		}
		if err := readJSON(dir, blobPath(m.Digest), &doc); err != nil {
			return nil, err
		}
		for _, l := range doc.Layers {
			out = append(out, filepath.Join(dir, blobPath(l.Digest)))
		}
		for _, nested := range doc.Manifests {
			var man struct{ Layers []descriptor }
			if err := readJSON(dir, blobPath(nested.Digest), &man); err != nil {
				return nil, err
			}
			for _, l := range man.Layers {
				out = append(out, filepath.Join(dir, blobPath(l.Digest)))
			}
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no layers in index.json", dir)
	}
	return out, nil
}

// blobPath maps "sha256:abc" to "blobs/sha256/abc".
func blobPath(digest string) string {
	for i := range len(digest) {
		if digest[i] == ':' {
			return filepath.Join("blobs", digest[:i], digest[i+1:])
		}
	}
	return filepath.Join("blobs", digest)
}

func readJSON(dir, name string, v any) error {
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s: %w", filepath.Join(dir, name), err)
	}
	return nil
}

// gunzip decompresses the blob at path to io.Discard and returns its
// uncompressed size. It uses the reader's WriteTo, the fastest path the
// decompressor has, and stops with ctx.Err() once ctx is cancelled.
func gunzip(ctx context.Context, path string) (int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	zr, err := gzip.NewReader(bufio.NewReaderSize(f, 1<<20))
	if err != nil {
		return 0, err
	}
	defer zr.Close()
	return zr.WriteTo(discard{ctx})
}

// discard is io.Discard that fails once its context is cancelled.
type discard struct{ ctx context.Context }

// Write implements io.Writer.
func (d discard) Write(p []byte) (int, error) {
	if err := d.ctx.Err(); err != nil {
		return 0, err
	}
	return len(p), nil
}
