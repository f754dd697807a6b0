package dockerfile

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// BenchmarkFix fixes the story's v1.01 (the multi-stage rewrite and two
// flags) and a long file where every RUN has a fix.
func BenchmarkFix(b *testing.B) {
	story, err := os.ReadFile(filepath.Join("testdata", "story", "v1.01.Dockerfile"))
	if err != nil {
		b.Fatal(err)
	}
	var long strings.Builder
	long.WriteString("FROM debian:bookworm-slim\n")
	for i := range 100 {
		fmt.Fprintf(&long, "# step %d\nRUN apt-get update && apt-get install -y pkg%d && pip install mod%d\n", i, i, i)
	}
	for _, bc := range []struct {
		name string
		src  []byte
	}{{"story-v1.01", story}, {"100-runs", []byte(long.String())}} {
		b.Run(bc.name, func(b *testing.B) {
			f, err := Parse("Dockerfile", bc.src)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.SetBytes(int64(len(bc.src)))
			changes := 0
			for b.Loop() {
				res, err := Fix(f)
				if err != nil {
					b.Fatal(err)
				}
				changes = len(res.Changes)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*max(changes, 1)), "ns/change")
		})
	}
}
