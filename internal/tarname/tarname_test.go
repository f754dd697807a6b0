package tarname

import (
	"errors"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

var cleanTests = []struct {
	name, want string
	err        error
}{
	{"usr/bin/ls", "usr/bin/ls", nil},
	{"usr/bin/", "usr/bin", nil},
	{"a//b/", "a/b", nil},
	{"./x", "x", nil},
	{"./usr//bin/./ls", "usr/bin/ls", nil},
	{"a/../b", "b", nil},
	{"a/b/../..", ".", nil},
	{"/abs", "abs", nil},
	{"/etc/passwd", "etc/passwd", nil},
	{"//etc//", "etc", nil},
	{"/../x", "x", nil}, // rooted: the join cannot climb
	{"/", ".", nil},
	{"./", ".", nil},
	{".", ".", nil},
	{"", ".", nil},
	{"..", "", ErrOutside},
	{"../x", "", ErrOutside},
	{"a/../../x", "", ErrOutside},
	{"./../x", "", ErrOutside},
	{"x\x00y", "", ErrBadName},
	{"bad\xffname", "bad\xffname", nil}, // bytes, as on Linux
	{"a/\xff/../b", "a/b", nil},
	{strings.Repeat("a/", MaxLen/2), strings.Repeat("a/", MaxLen/2-1) + "a", nil},
	{strings.Repeat("a", MaxLen+1), "", ErrBadName},
	{"./" + strings.Repeat("b", MaxLen-1), "", ErrBadName}, // the name as the tar gives it counts
	{".wh..wh..opq", ".wh..wh..opq", nil},
	{"a/.wh...", "a/.wh...", nil},
}

func TestClean(t *testing.T) {
	t.Parallel()
	for _, tc := range cleanTests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Clean(tc.name)
			if got != tc.want || !errors.Is(err, tc.err) || (err == nil) != (tc.err == nil) {
				t.Errorf("Clean(%q) = %q, %v, want %q, %v", tc.name, got, err, tc.want, tc.err)
			}
		})
	}
}

func TestCleanDoesNotAllocate(t *testing.T) {
	for _, name := range []string{"usr/lib/x86_64-linux-gnu/libc.so.6", "usr/share/doc/"} {
		if n := testing.AllocsPerRun(100, func() { Clean(name) }); n != 0 {
			t.Errorf("Clean(%q): %v allocations, want 0", name, n)
		}
	}
}

// engine is moby's pkg/archive reading of a name (UnpackLayer, Unpack):
// clean it, join it to the destination, and refuse what lands outside.
// (Under the engine's chroot the destination is "/", and nothing lands
// outside: see the package doc.)
func engine(name string) (string, bool) {
	const dest = "/var/lib/docker/tmp"
	p := filepath.Join(dest, filepath.Clean(name))
	rel, err := filepath.Rel(dest, p)
	if err != nil || strings.HasPrefix(rel, "../") {
		return "", false
	}
	return rel, true
}

// FuzzClean checks Clean against the engine's reading, and that what it
// returns is a valid io/fs name.
func FuzzClean(f *testing.F) {
	for _, tc := range cleanTests {
		f.Add(tc.name)
	}
	f.Fuzz(func(t *testing.T, name string) {
		got, err := Clean(name)
		if errors.Is(err, ErrBadName) {
			return // too long or NUL: the engine fails too, on the syscall
		}
		want, ok := engine(name)
		if want == ".." {
			want, ok = "", false // the engine lets ".." through its check, to the parent of its root
		}
		if (err == nil) != ok || got != want {
			t.Fatalf("Clean(%q) = %q, %v; the engine reads %q, %v", name, got, err, want, ok)
		}
		if err == nil && utf8.ValidString(got) && !fs.ValidPath(got) {
			t.Fatalf("Clean(%q) = %q, not a valid io/fs name", name, got)
		}
	})
}
