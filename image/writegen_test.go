package image

import (
	"archive/tar"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/dietimage/diet/internal/test/tartest"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/partial"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// genLayer is a layer made on the fly: a tar of one file of n bytes, half
// random and half text, so that it gzips about as well as binaries and
// libraries do. It holds none of its bytes and does not know its size, so
// a writer has to stream it.
type genLayer struct {
	seed   uint64
	n      int64
	diffID v1.Hash
}

var _ partial.UncompressedLayer = (*genLayer)(nil)

func newGenLayer(t testing.TB, seed uint64, n int64) *genLayer {
	l := &genLayer{seed: seed, n: n}
	rc, _ := l.Uncompressed()
	defer rc.Close()
	l.diffID = sum(t, rc)
	return l
}

// DiffID implements partial.UncompressedLayer.
func (l *genLayer) DiffID() (v1.Hash, error) { return l.diffID, nil }

// MediaType implements partial.UncompressedLayer.
func (l *genLayer) MediaType() (types.MediaType, error) { return types.DockerLayer, nil }

// Uncompressed implements partial.UncompressedLayer.
func (l *genLayer) Uncompressed() (io.ReadCloser, error) {
	pr, pw := io.Pipe()
	go func() {
		tw := tar.NewWriter(pw)
		h := &tar.Header{Name: fmt.Sprintf("data/%d.bin", l.seed), Typeflag: tar.TypeReg, Mode: 0o644, Size: l.n, ModTime: tartest.Epoch}
		err := tw.WriteHeader(h)
		if err == nil {
			_, err = io.CopyN(tw, &genReader{r: rand.NewChaCha8([32]byte{byte(l.seed)})}, l.n)
		}
		if err == nil {
			err = tw.Close()
		}
		pw.CloseWithError(err)
	}()
	return pr, nil
}

// genReader makes content that gzips about as real layers do (to some
// 40%, at the speed of real work for deflate): a quarter of its 4 KiB
// chunks random, as compressed data inside binaries, the rest a soup of
// short tokens from a fixed dictionary, as code and text.
type genReader struct {
	r     *rand.ChaCha8
	chunk []byte // what is left of buf
	buf   [4096 + 16]byte
}

// genTokens is the dictionary of the soup: 512 random tokens of 1 to 12 bytes.
var genTokens = sync.OnceValue(func() [][]byte {
	r := rand.New(rand.NewChaCha8([32]byte{42}))
	out := make([][]byte, 512)
	for i := range out {
		out[i] = make([]byte, 1+r.IntN(12))
		for j := range out[i] {
			out[i][j] = byte(r.IntN(256))
		}
	}
	return out
})

func (g *genReader) Read(p []byte) (int, error) {
	if len(g.chunk) == 0 {
		g.chunk = g.buf[:0]
		var b [8]byte
		g.r.Read(b[:])
		if b[0]%4 == 0 {
			g.chunk = g.chunk[:4096]
			g.r.Read(g.chunk)
		} else {
			toks := genTokens()
			for len(g.chunk) < 4096 {
				g.r.Read(b[:2])
				// Skewed: low indexes come up far more often, as in real text.
				i := (int(b[0]) * int(b[1])) >> 7
				g.chunk = append(g.chunk, toks[i]...)
			}
		}
	}
	n := copy(p, g.chunk)
	g.chunk = g.chunk[n:]
	return n, nil
}

// genImage is an image of generated layers of the given sizes.
func genImage(t testing.TB, sizes ...int64) v1.Image {
	t.Helper()
	core := &genCore{}
	cf := v1.ConfigFile{OS: "linux", Architecture: "amd64", Created: v1.Time{Time: created}, RootFS: v1.RootFS{Type: "layers"}}
	for i, n := range sizes {
		l := newGenLayer(t, uint64(i), n)
		core.layers = append(core.layers, l)
		cf.RootFS.DiffIDs = append(cf.RootFS.DiffIDs, l.diffID)
		cf.History = append(cf.History, v1.History{Created: cf.Created, CreatedBy: fmt.Sprintf("RUN gen %d", n)})
	}
	var err error
	if core.raw, err = json.Marshal(cf); err != nil {
		t.Fatal(err)
	}
	img, err := partial.UncompressedToImage(core)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

type genCore struct {
	raw    []byte
	layers []*genLayer
}

func (c *genCore) RawConfigFile() ([]byte, error) { return c.raw, nil }

func (c *genCore) MediaType() (types.MediaType, error) { return types.DockerManifestSchema2, nil }

func (c *genCore) LayerByDiffID(h v1.Hash) (partial.UncompressedLayer, error) {
	for _, l := range c.layers {
		if l.diffID == h {
			return l, nil
		}
	}
	return nil, ErrNotFound
}

// memStats is what one call allocated and the most heap it held at once,
// above what was in use when it started, sampled every millisecond.
type memStats struct {
	alloc, peak uint64
	took        time.Duration
}

func measureMem(f func()) memStats {
	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	var peak uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		var m runtime.MemStats
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			runtime.ReadMemStats(&m)
			peak = max(peak, m.HeapInuse)
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	})
	start := time.Now()
	f()
	took := time.Since(start)
	close(stop)
	wg.Wait()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	return memStats{alloc: after.TotalAlloc - before.TotalAlloc, peak: peak - min(peak, before.HeapInuse), took: took}
}
