package dockerfile

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// FuzzFix: Fix never panics, never fails on a file that parses, its
// output parses, and fixing the output changes nothing.
func FuzzFix(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*", "*.Dockerfile"))
	for _, p := range files {
		src, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(src)
	}
	for _, tc := range ruleCases {
		f.Add([]byte(tc.src))
	}
	for _, tc := range fixCases {
		f.Add([]byte(tc.src))
	}
	for _, r := range Rules() {
		f.Add([]byte(r.Bad))
	}
	// Inputs the fuzzer found.
	for _, s := range []string{
		"FROM 0000000000000000000\nRUN A0000000000=0 go build 0000000000000000000 -o 0\nCOPY",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		file, err := Parse("Dockerfile", src)
		if err != nil {
			return
		}
		res, err := Fix(file)
		if err != nil {
			t.Fatalf("Fix(%q): %v", src, err)
		}
		out, err := Parse("Dockerfile", res.Source)
		if err != nil {
			t.Fatalf("Fix(%q) = %q, which does not parse: %v", src, res.Source, err)
		}
		again, err := Fix(out)
		if err != nil {
			t.Fatalf("Fix(Fix(%q)): %v", src, err)
		}
		if !bytes.Equal(again.Source, res.Source) {
			t.Fatalf("fixing %q twice changes it:\nonce:  %q\ntwice: %q", src, res.Source, again.Source)
		}
	})
}
