package image

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/dietimage/diet/internal/test/tartest"
)

// BenchmarkOpenArchive opens a 64-layer classic archive: one pass over the
// outer tar headers, no layer bytes read.
func BenchmarkOpenArchive(b *testing.B) {
	const layers = 64
	steps := make([]tartest.Step, layers)
	for i := range steps {
		steps[i] = tartest.Step{CreatedBy: fmt.Sprint("RUN ", i), Entries: []tartest.Entry{tartest.Sized(fmt.Sprint("f", i), 256<<10)}}
	}
	p := filepath.Join(b.TempDir(), "x.tar")
	tartest.WriteDockerArchive(b, p, tartest.Image(b, steps...), "")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Open(b.Context(), "docker-archive:"+p); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*layers), "ns/layer")
}
