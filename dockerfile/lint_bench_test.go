package dockerfile

import (
	"fmt"
	"strings"
	"testing"
)

// BenchmarkLintRuns lints files of 1,000 and 10,000 repeated apt-get RUNs
// (update, install, cleanup), and of as many RUNs each after an ENV of a
// new variable. The ns/RUN metric must stay flat from one size to the
// other: a rule that compares every RUN with every earlier one made 10,000
// of them take 34 s, and copying the environment at each ENV made 3,000
// ENV-RUN pairs take half a gigabyte.
func BenchmarkLintRuns(b *testing.B) {
	for _, bc := range []struct {
		name string
		n    int
		line string // %d is the RUN's number
	}{
		{"1000-runs", 1_000, "RUN apt-get update && apt-get install -y curl%[2]d && rm -rf /var/lib/apt/lists/*\n"},
		{"10000-runs", 10_000, "RUN apt-get update && apt-get install -y curl%[2]d && rm -rf /var/lib/apt/lists/*\n"},
		{"1000-env-runs", 1_000, "ENV V%[1]d=/opt/%[1]d\nRUN rm -rf $V%[1]d/cache\n"},
		{"10000-env-runs", 10_000, "ENV V%[1]d=/opt/%[1]d\nRUN rm -rf $V%[1]d/cache\n"},
	} {
		n := bc.n
		var sb strings.Builder
		sb.WriteString("FROM debian:bookworm\nENV DEBIAN_FRONTEND=noninteractive\nWORKDIR /app\n")
		for i := range n {
			fmt.Fprintf(&sb, bc.line, i, i%10)
		}
		src := []byte(sb.String())
		b.Run(bc.name, func(b *testing.B) {
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
