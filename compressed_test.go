package diet_test

import (
	"bytes"
	"compress/gzip"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"

	"github.com/klauspost/compress/zstd"

	"github.com/dietimage/diet"
	"github.com/dietimage/diet/image"
	"github.com/dietimage/diet/internal/test/tartest"
)

// TestCompressedSizes: for a docker-archive, which stores its layers
// uncompressed, --compressed gzip gives each layer the size of its tar
// gzipped by Go's compress/gzip at its default level (what docker push
// sends), zstd that of klauspost's zstd at its default, and estimate a
// size near gzip's for a layer large enough to be sampled.
func TestCompressedSizes(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	noise := make([]byte, 6<<20)
	for i := range noise {
		noise[i] = byte(rng.IntN(256))
	}
	var text strings.Builder
	for text.Len() < 14<<20 {
		text.WriteString("func main() { fmt.Println(\"hello, world\") } // a line of source\n")
	}
	layers := [][]tartest.Entry{
		{tartest.File("etc/hello", "hello\n"), tartest.Exec("bin/app", bytes.Repeat([]byte("app "), 5000))},
		{tartest.Exec("usr/lib/noise.so", noise), tartest.File("usr/share/doc/big.txt", text.String())},
	}
	path := filepath.Join(t.TempDir(), "img.tar")
	tartest.WriteDockerArchive(t, path, tartest.Layers(t, layers...), "")
	gz := func(b []byte) int64 {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		zw.Write(b)
		zw.Close()
		return int64(buf.Len())
	}
	zs := func(b []byte) int64 { // a stream, as a layer is written: no content size in the frame header
		var buf bytes.Buffer
		zw, _ := zstd.NewWriter(&buf)
		zw.Write(b)
		zw.Close()
		return int64(buf.Len())
	}
	for _, tc := range []struct {
		c    image.Compression
		want func([]byte) int64
	}{{image.Gzip, gz}, {image.Zstd, zs}} {
		r, err := diet.Analyze(t.Context(), path, diet.WithCompressed(tc.c))
		if err != nil {
			t.Fatal(err)
		}
		var total int64
		for i, es := range layers {
			want := tc.want(tartest.Tar(es...))
			total += want
			if got := r.Layers[i].CompressedBytes; got == nil || *got != want {
				t.Errorf("%s: layer %d compressed to %d bytes, want %d", tc.c, i, *got, want)
			}
		}
		if got := r.Size.CompressedBytes; got == nil || *got != total || r.Size.CompressedBy != string(tc.c) || *r.Accounting.CompressedBytes != total {
			t.Errorf("%s: total %d (by %q), want %d", tc.c, *got, r.Size.CompressedBy, total)
		}
	}
	r, err := diet.Analyze(t.Context(), path, diet.WithCompressed(image.Estimate))
	if err != nil {
		t.Fatal(err)
	}
	exact := gz(tartest.Tar(layers[1]...))
	if got := *r.Layers[1].CompressedBytes; got < exact*9/10 || got > exact*11/10 {
		t.Errorf("estimate of the 20 MB layer: %d, gzip gives %d: more than 10%% off", got, exact)
	}
	if got, want := *r.Layers[0].CompressedBytes, gz(tartest.Tar(layers[0]...)); got != want {
		t.Errorf("estimate of a small layer: %d, want it compressed whole: %d", got, want)
	}
}
