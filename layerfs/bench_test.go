package layerfs

import (
	"fmt"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/dietimage/diet/internal/tartest"
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
