package elfdeps

import (
	"os"
	"testing"
)

// BenchmarkClosure resolves a few of this machine's programs over its own
// root: the cost is Lstat calls and header reads, so ns/file is the unit.
func BenchmarkClosure(b *testing.B) {
	progs := []string{"/usr/bin/ls", "/usr/bin/ssh", "/usr/bin/python3", "/usr/bin/git"}
	fsys := os.DirFS("/")
	if _, err := Closure(fsys, progs); err != nil {
		b.Skipf("these programs are not all here: %v", err)
	}
	b.ReportAllocs()
	files := 0
	for b.Loop() {
		res, err := Closure(fsys, progs)
		if err != nil {
			b.Fatal(err)
		}
		files = len(res.Files)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*files), "ns/file")
}
