package dockerfile

import (
	"fmt"
	"strings"
	"testing"
)

// BenchmarkLintRuns lints files of 1,000 and 10,000 repeated apt-get RUNs
// (update, install, cleanup). The ns/RUN metric must stay flat from one to
// the other: a rule that compares every RUN with every earlier one made
// 10,000 of them take 34 s.
func BenchmarkLintRuns(b *testing.B) {
	for _, n := range []int{1_000, 10_000} {
		var sb strings.Builder
		sb.WriteString("FROM debian:bookworm\nENV DEBIAN_FRONTEND=noninteractive\nWORKDIR /app\n")
		for i := range n {
			fmt.Fprintf(&sb, "RUN apt-get update && apt-get install -y curl%d && rm -rf /var/lib/apt/lists/*\n", i%10)
		}
		src := []byte(sb.String())
		b.Run(fmt.Sprintf("%d-runs", n), func(b *testing.B) {
			f, err := Parse("Dockerfile", src)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.SetBytes(int64(len(src)))
			for b.Loop() {
				Lint(f)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/RUN")
		})
	}
}
