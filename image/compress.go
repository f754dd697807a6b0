package image

import (
	"compress/gzip"
	"context"
	"fmt"
	"io"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/klauspost/compress/zstd"

	"github.com/dietimage/diet/internal/ctxio"
)

// Compression is how [CompressedSize] finds what pushing, then pulling, a
// layer stored uncompressed would cost.
type Compression string

// Compressions.
const (
	// Gzip compresses each layer as docker push does: Go's compress/gzip
	// at its default level. Exact, and the slowest.
	Gzip Compression = "gzip"
	// Zstd compresses with zstd at its default level, as BuildKit does
	// for zstd layers.
	Zstd Compression = "zstd"
	// Estimate gzips 128 KiB of every MiB and scales the ratio up: a
	// layer of 16 MiB or less is compressed whole.
	Estimate Compression = "estimate"
)

// Sampling of [Estimate]: many small samples follow a layer's mix of
// text and binaries better than a few large ones.
const (
	sampleBytes = 128 << 10
	sampleEvery = 1 << 20
	sampleWhole = 16 << 20 // or less: compressed whole
)

// ParseCompression reads a --compressed value.
func ParseCompression(s string) (Compression, error) {
	switch c := Compression(s); c {
	case Gzip, Zstd, Estimate:
		return c, nil
	}
	return "", fmt.Errorf("unknown compression %q (want gzip, zstd or estimate)", s)
}

// counter counts what is written to it.
type counter int64

func (c *counter) Write(p []byte) (int, error) { *c += counter(len(p)); return len(p), nil }

// CompressedSize is the size of layer l's tar compressed by c; size is
// the tar's length (from a walk), which [Estimate] scales its samples to.
func CompressedSize(ctx context.Context, l v1.Layer, size int64, c Compression) (int64, error) {
	rc, err := l.Uncompressed()
	if err != nil {
		return 0, err
	}
	defer rc.Close()
	return compressedSize(ctxio.Reader(ctx, rc), size, c)
}

func compressedSize(r io.Reader, size int64, c Compression) (int64, error) {
	var n counter
	switch {
	case c == Zstd:
		zw, err := zstd.NewWriter(&n, zstd.WithEncoderConcurrency(1))
		if err != nil {
			return 0, err
		}
		if _, err := io.Copy(zw, r); err != nil {
			zw.Close()
			return 0, err
		}
		return int64(n), zw.Close()
	case c == Gzip || size <= sampleWhole:
		zw := gzip.NewWriter(&n)
		if _, err := io.Copy(zw, r); err != nil {
			return 0, err
		}
		return int64(n), zw.Close()
	}
	// Estimate: each sample compressed alone (its 32 KiB window barely
	// reaches back), the whole stream's ratio taken from theirs.
	var in, out int64
	buf := make([]byte, sampleEvery)
	for {
		k, err := io.ReadFull(r, buf)
		if k > 0 {
			s := buf[:min(k, sampleBytes)]
			var m counter
			zw := gzip.NewWriter(&m)
			zw.Write(s)
			zw.Close()
			in, out = in+int64(len(s)), out+int64(m)-18 // less the gzip header and trailer
		}
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			break
		}
		if err != nil {
			return 0, err
		}
	}
	return int64(float64(size)*float64(out)/float64(in)) + 18, nil
}
