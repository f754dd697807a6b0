package layerfs

import (
	"fmt"
	"runtime"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/dietimage/diet/internal/test/tartest"
)

// deletionImage is a 20,000-file base and a later layer deleting 2,000 of
// its files one by one and one directory of 1,000 more: the case where
// dive takes a minute.
func deletionImage(b *testing.B) []v1.Layer {
	var base, del []tartest.Entry
	for d := range 100 {
		for f := range 200 {
			base = append(base, tartest.Sized(fmt.Sprintf("usr/share/pkg%03d/file%03d", d, f), 100))
		}
	}
	for i := range 2000 {
		del = append(del, tartest.Whiteout(fmt.Sprintf("usr/share/pkg%03d/file%03d", i/20, i%20)))
	}
	for d := 95; d < 100; d++ {
		del = append(del, tartest.Whiteout(fmt.Sprintf("usr/share/pkg%03d", d)))
	}
	return []v1.Layer{bytesLayer(b, tartest.Tar(base...), true), bytesLayer(b, tartest.Tar(del...), true)}
}

func BenchmarkDeletion(b *testing.B) {
	layers := deletionImage(b)
	b.ReportAllocs()
	for b.Loop() {
		t, err := BuildLayers(b.Context(), layers)
		if err != nil {
			b.Fatal(err)
		}
		if t.Layers[1].Deleted != 2000+5*200+5-100 {
			b.Fatalf("deleted %d paths", t.Layers[1].Deleted)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*22000), "ns/path")
}

// manyFiles is three layers of small files in a realistic tree shape.
func manyFiles(b *testing.B, perLayer int) ([]v1.Layer, int) {
	var layers []v1.Layer
	for l := range 3 {
		var es []tartest.Entry
		for i := range perLayer {
			es = append(es, tartest.Sized(fmt.Sprintf("usr/lib/python3/dist-packages/pkg%d_%03d/sub%02d/module_%05d.py", l, i/1000, i/100%10, i), int64(i%700)))
		}
		layers = append(layers, bytesLayer(b, tartest.Tar(es...), true))
	}
	return layers, 3 * perLayer
}

func BenchmarkBuildManyFiles(b *testing.B) {
	layers, paths := manyFiles(b, 100_000)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := BuildLayers(b.Context(), layers); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*paths), "ns/path")
}

// BenchmarkTreeMemory reports the live heap a built tree keeps per path.
func BenchmarkTreeMemory(b *testing.B) {
	layers, paths := manyFiles(b, 100_000)
	var before, after runtime.MemStats
	for b.Loop() {
		runtime.GC()
		runtime.ReadMemStats(&before)
		t, err := BuildLayers(b.Context(), layers)
		if err != nil {
			b.Fatal(err)
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		runtime.KeepAlive(t)
	}
	b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/float64(paths), "live-B/path")
}
