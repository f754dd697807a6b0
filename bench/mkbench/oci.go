package main

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/klauspost/pgzip"
)

// writeOCILayout writes layers as an OCI image layout at out, with gzip
// layer blobs compressed by pgzip on all cores. The layout is built in a
// temporary directory beside out and renamed into place.
func writeOCILayout(ctx context.Context, out string, layers []*layerFile) (err error) {
	tmp, err := os.MkdirTemp(filepath.Dir(out), "."+filepath.Base(out)+".tmp-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			os.RemoveAll(tmp)
		}
	}()
	blobs := filepath.Join(tmp, "blobs", "sha256")
	if err := os.MkdirAll(blobs, 0o755); err != nil {
		return err
	}
	m := v1.Manifest{SchemaVersion: 2, MediaType: types.OCIManifestSchema1}
	for _, l := range layers {
		if err := ctx.Err(); err != nil {
			return err
		}
		d, err := gzipBlob(blobs, l.path)
		if err != nil {
			return fmt.Errorf("%s: layer %s: %w", out, l.diffID, err)
		}
		d.MediaType = types.OCILayer
		m.Layers = append(m.Layers, d)
	}
	cfg, err := json.Marshal(imageConfig(layers))
	if err != nil {
		return err
	}
	if m.Config, err = putBlob(blobs, types.OCIConfigJSON, cfg); err != nil {
		return err
	}
	mb, err := json.Marshal(m)
	if err != nil {
		return err
	}
	md, err := putBlob(blobs, types.OCIManifestSchema1, mb)
	if err != nil {
		return err
	}
	md.Annotations = map[string]string{"org.opencontainers.image.ref.name": "latest"}
	index, err := json.Marshal(v1.IndexManifest{SchemaVersion: 2, MediaType: types.OCIImageIndex, Manifests: []v1.Descriptor{md}})
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(tmp, "index.json"), index, 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(tmp, "oci-layout"), []byte(`{"imageLayoutVersion":"1.0.0"}`), 0o644); err != nil {
		return err
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		return err
	}
	return os.Rename(tmp, out)
}

// putBlob stores b as a blob and describes it.
func putBlob(blobs string, mt types.MediaType, b []byte) (v1.Descriptor, error) {
	sum := fmt.Sprintf("%x", sha256.Sum256(b))
	if err := os.WriteFile(filepath.Join(blobs, sum), b, 0o644); err != nil {
		return v1.Descriptor{}, err
	}
	return v1.Descriptor{MediaType: mt, Size: int64(len(b)), Digest: v1.Hash{Algorithm: "sha256", Hex: sum}}, nil
}

// gzipBlob compresses the file src into a blob named by its digest. The
// gzip header has no name and no time, and pgzip cuts blocks at fixed
// offsets, so the blob is the same on every run.
func gzipBlob(blobs, src string) (v1.Descriptor, error) {
	in, err := os.Open(src)
	if err != nil {
		return v1.Descriptor{}, err
	}
	defer in.Close()
	out, err := os.CreateTemp(blobs, ".blob-*")
	if err != nil {
		return v1.Descriptor{}, err
	}
	defer func() {
		out.Close()
		os.Remove(out.Name()) // no-op after the rename
	}()
	sum := sha256.New()
	cw := &countWriter{w: io.MultiWriter(out, sum)}
	bw := bufio.NewWriterSize(cw, 1<<20)
	zw, err := pgzip.NewWriterLevel(bw, pgzip.DefaultCompression)
	if err != nil {
		return v1.Descriptor{}, err
	}
	if err := zw.SetConcurrency(1<<20, 2*runtime.GOMAXPROCS(0)); err != nil {
		return v1.Descriptor{}, err
	}
	if _, err := io.Copy(zw, bufio.NewReaderSize(in, 1<<20)); err != nil {
		return v1.Descriptor{}, err
	}
	if err := zw.Close(); err != nil {
		return v1.Descriptor{}, err
	}
	if err := bw.Flush(); err != nil {
		return v1.Descriptor{}, err
	}
	if err := out.Chmod(0o644); err != nil {
		return v1.Descriptor{}, err
	}
	if err := out.Close(); err != nil {
		return v1.Descriptor{}, err
	}
	hex := fmt.Sprintf("%x", sum.Sum(nil))
	if err := os.Rename(out.Name(), filepath.Join(blobs, hex)); err != nil {
		return v1.Descriptor{}, err
	}
	return v1.Descriptor{Size: cw.n, Digest: v1.Hash{Algorithm: "sha256", Hex: hex}}, nil
}
