package dockerfile

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// sizeRules are the rules about bytes in the image; every finding of
// theirs must state the bytes at stake.
var sizeRules = []string{"DIET101", "DIET102", "DIET103", "DIET107", "DIET201", "DIET203", "DIET204", "DIET205",
	"DIET206", "DIET207", "DIET208", "DIET209", "DIET210", "DIET211", "DIET212", "DIET301", "DIET302", "DIET305"}

// TestFindingsStateBytes: on its Bad example, each size rule gives Bytes
// and says the same estimate, with its basis, in the message.
func TestFindingsStateBytes(t *testing.T) {
	t.Parallel()
	ctx := t.TempDir()
	if err := os.WriteFile(filepath.Join(ctx, "app.bin"), make([]byte, 3_000_000), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, id := range sizeRules {
		t.Run(id, func(t *testing.T) {
			t.Parallel()
			r, ok := Lookup(id)
			if !ok {
				t.Fatalf("no rule %s", id)
			}
			f, err := Parse("Dockerfile", []byte(r.Bad))
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, fd := range Lint(f, WithContextDir(ctx)) {
				if fd.ID != id {
					continue
				}
				n++
				if fd.Bytes <= 0 {
					t.Errorf("%s: Bytes = %d, want an estimate > 0 (%s)", id, fd.Bytes, fd.Message)
				}
				if !strings.Contains(fd.Message, "("+approx(fd.Bytes)) {
					t.Errorf("%s: message %q does not state %s with its basis", id, fd.Message, approx(fd.Bytes))
				}
			}
			if n == 0 {
				t.Fatalf("%s does not fire on its Bad example", id)
			}
		})
	}
}

// TestChownNamesLargestCopy: DIET103 names the large file a chown -R
// rewrites, not the small script copied first, and counts all it copies.
func TestChownNamesLargestCopy(t *testing.T) {
	t.Parallel()
	ctx := t.TempDir()
	for name, size := range map[string]int{"start.sh": 40, "app.jar": 5_000_000} {
		if err := os.WriteFile(filepath.Join(ctx, name), make([]byte, size), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	src := "FROM eclipse-temurin:21-jre\nCOPY start.sh /app/\nCOPY app.jar /app/\nRUN chown -R app:app /app\n"
	f, err := Parse("Dockerfile", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	var got []Finding
	for _, fd := range Lint(f, WithContextDir(ctx)) {
		if fd.ID == "DIET103" {
			got = append(got, fd)
		}
	}
	if len(got) != 1 {
		t.Fatalf("Lint(%q) gave %d DIET103 findings, want 1: %v", src, len(got), got)
	}
	fd := got[0]
	if !strings.Contains(fd.Message, "app.jar") || !strings.Contains(fd.Message, "line 3") || strings.Contains(fd.Message, "line 2") {
		t.Errorf("DIET103 message %q: want it to name app.jar on line 3, not the script on line 2", fd.Message)
	}
	if fd.Bytes != 5_000_040 {
		t.Errorf("DIET103 Bytes = %d, want 5000040 (both copied files)", fd.Bytes)
	}
}
