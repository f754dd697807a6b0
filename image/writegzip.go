package image

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/klauspost/compress/gzip"
	"golang.org/x/sync/errgroup"

	"github.com/dietimage/diet/internal/ctxio"
)

// gzipLevel is fixed: the level is part of the bytes written. klauspost's
// level 6 compresses like zlib's default at several times its speed.
const gzipLevel = gzip.DefaultCompression

// gzBlob is a layer gzipped into a file: the blob oci: and docker:// store.
type gzBlob struct {
	f      *os.File
	digest v1.Hash
	size   int64
	diffID v1.Hash
}

var _ v1.Layer = (*gzBlob)(nil)

// Digest implements v1.Layer.
func (b *gzBlob) Digest() (v1.Hash, error) { return b.digest, nil }

// DiffID implements v1.Layer.
func (b *gzBlob) DiffID() (v1.Hash, error) { return b.diffID, nil }

// Size implements v1.Layer.
func (b *gzBlob) Size() (int64, error) { return b.size, nil }

// MediaType implements v1.Layer.
func (b *gzBlob) MediaType() (types.MediaType, error) { return types.OCILayer, nil }

// Compressed implements v1.Layer: a fresh reader of the file each time, so
// a registry push can retry.
func (b *gzBlob) Compressed() (io.ReadCloser, error) {
	return io.NopCloser(io.NewSectionReader(b.f, 0, b.size)), nil
}

// Uncompressed implements v1.Layer.
func (b *gzBlob) Uncompressed() (io.ReadCloser, error) {
	return gzip.NewReader(io.NewSectionReader(b.f, 0, b.size))
}

// closeBlobs closes the files of blobs (nil entries are skipped).
func closeBlobs(blobs []*gzBlob) {
	for _, b := range blobs {
		if b != nil {
			b.f.Close()
		}
	}
}

// gzManifest is the manifest of s with its layers in blobs.
func (s *source) gzManifest(blobs []*gzBlob) ([]byte, error) {
	byDiffID := make(map[v1.Hash]*gzBlob, len(blobs))
	for _, b := range blobs {
		byDiffID[b.diffID] = b
	}
	descs := make([]v1.Descriptor, len(s.diffIDs))
	for i, id := range s.diffIDs {
		b := byDiffID[id]
		descs[i] = v1.Descriptor{MediaType: types.OCILayer, Digest: b.digest, Size: b.size}
	}
	return s.manifest(descs)
}

// compressLayers gzips each distinct layer of s (s.first) into a new file
// in dir, jobs layers at once, and returns the blobs in s.first's order.
// With unlink the files are unlinked as soon as they are created: nothing
// is left behind, whatever happens. On error no file is left open.
func compressLayers(ctx context.Context, s *source, dir string, jobs int, unlink bool) ([]*gzBlob, error) {
	blobs := make([]*gzBlob, len(s.first))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(jobs)
	for n, i := range s.first {
		g.Go(func() error {
			if err := gctx.Err(); err != nil {
				return err
			}
			f, err := os.CreateTemp(dir, ".layer-*.gz")
			if err != nil {
				return err
			}
			b := &gzBlob{f: f, diffID: s.diffIDs[i]}
			blobs[n] = b // closed by the caller, or below on error
			if unlink {
				if err := os.Remove(f.Name()); err != nil {
					return err
				}
			}
			if err := b.fill(gctx, s.layers[i]); err != nil {
				return s.layerError(i, err)
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		closeBlobs(blobs)
		return nil, err
	}
	return blobs, nil
}

// fill streams l through gzip into b.f, hashing both sides: the layer's
// content is checked against its diff ID, and the blob's digest and size
// are learnt in the same pass. Memory is the gzip state and two buffers.
func (b *gzBlob) fill(ctx context.Context, l v1.Layer) error {
	rc, err := l.Uncompressed()
	if err != nil {
		return err
	}
	defer rc.Close()
	blobHash, diffHash := sha256.New(), sha256.New()
	cw := &countWriter{}
	bw := bufio.NewWriterSize(io.MultiWriter(b.f, blobHash, cw), 256<<10)
	// The zero header has no name, no comment and mtime 0.
	zw, err := gzip.NewWriterLevel(bw, gzipLevel)
	if err != nil {
		return err
	}
	n, err := io.CopyBuffer(io.MultiWriter(zw, diffHash), ctxio.Reader(ctx, rc), make([]byte, 256<<10))
	if err != nil {
		return fmt.Errorf("after %d bytes: %w", n, err)
	}
	if err := zw.Close(); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	if err := checkDigest(diffHash, b.diffID); err != nil {
		return err
	}
	b.size = cw.n
	b.digest = v1.Hash{Algorithm: "sha256", Hex: hex.EncodeToString(blobHash.Sum(nil))}
	return nil
}

// countWriter counts what is written through it.
type countWriter struct{ n int64 }

// Write implements io.Writer.
func (c *countWriter) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	return len(p), nil
}
