package elfdeps

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"reflect"
	"testing"
	"testing/fstest"
)

// hostileRoot is a real directory full of the links images carry: merged
// usr, absolute links, loops, and links reaching for the host.
func hostileRoot(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	writeFile(t, root, "/usr/lib/x86_64-linux-gnu/libc.so.6", []byte("libc"), 0o644)
	writeFile(t, root, "/usr/lib/marker", []byte("marker"), 0o644)
	writeFile(t, root, "/etc/hostname", []byte("inside"), 0o644)
	symlink(t, root, "usr/lib", "/lib")
	symlink(t, root, "/lib/x86_64-linux-gnu/libc.so.6", "/usr/lib64/ld.so")
	symlink(t, root, "b", "/loop/a")
	symlink(t, root, "a", "/loop/b")
	symlink(t, root, "self", "/loop/self")
	symlink(t, root, "/../../../../../../etc/passwd", "/escape/abs")
	symlink(t, root, "../../../../../../../etc/hostname", "/escape/rel")
	symlink(t, root, "../usr/lib/x86_64-linux-gnu", "/dir/link")
	symlink(t, root, "nowhere", "/dangling")
	writeFile(t, root, "/chain/file", []byte("end"), 0o644)
	for i := range 40 {
		target := fmt.Sprintf("l%d", i+1)
		if i == 39 {
			target = "file"
		}
		symlink(t, root, target, fmt.Sprintf("/chain/l%d", i))
	}
	symlink(t, root, "l0", "/chain/over")
	return root
}

func TestResolve(t *testing.T) {
	t.Parallel()
	root := hostileRoot(t)
	tree := NewRoot(os.DirFS(root))
	tests := []struct {
		name  string
		real  string
		links []string
		err   error
	}{
		{name: "/usr/lib/x86_64-linux-gnu/libc.so.6", real: "usr/lib/x86_64-linux-gnu/libc.so.6"},
		{name: "usr/lib/x86_64-linux-gnu/libc.so.6", real: "usr/lib/x86_64-linux-gnu/libc.so.6"},
		{name: "/lib/x86_64-linux-gnu/libc.so.6", real: "usr/lib/x86_64-linux-gnu/libc.so.6", links: []string{"lib"}},
		{name: "/usr/lib64/ld.so", real: "usr/lib/x86_64-linux-gnu/libc.so.6", links: []string{"usr/lib64/ld.so", "lib"}},
		{name: "/", real: "."},
		{name: "/../../..", real: "."},
		{name: "/../etc/hostname", real: "etc/hostname"},
		{name: "/escape/rel", real: "etc/hostname", links: []string{"escape/rel"}},
		{name: "/escape/abs", err: fs.ErrNotExist}, // the host's /etc/passwd is not in the root
		{name: "/dir/link/../marker", real: "usr/lib/marker", links: []string{"dir/link"}},
		{name: "/dir/link/./libc.so.6", real: "usr/lib/x86_64-linux-gnu/libc.so.6", links: []string{"dir/link"}},
		{name: "/usr/lib/x86_64-linux-gnu/libc.so.6/x", err: fs.ErrNotExist},
		{name: "/dangling", err: fs.ErrNotExist},
		{name: "/loop/a", err: ErrLinkLoop},
		{name: "/loop/self", err: ErrLinkLoop},
		{name: "/chain/l0", real: "chain/file", links: chain(0, 40)},
		{name: "/chain/over", err: ErrLinkLoop},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			real, links, err := tree.Resolve(tc.name)
			if tc.err != nil {
				pe, ok := errors.AsType[*fs.PathError](err)
				if !errors.Is(err, tc.err) || !ok || pe.Path != rooted(tc.name) {
					t.Errorf("resolve(%q) = %q, %v; want a PathError naming it, wrapping %v", tc.name, real, err, tc.err)
				}
				return
			}
			if err != nil || real != tc.real || !reflect.DeepEqual(links, tc.links) {
				t.Errorf("resolve(%q) = %q, %q, %v; want %q, %q", tc.name, real, links, err, tc.real, tc.links)
			}
		})
	}
}

func chain(from, to int) []string {
	var l []string
	for i := from; i < to; i++ {
		l = append(l, fmt.Sprintf("chain/l%d", i))
	}
	return l
}

// TestResolveWithoutReadLink checks an fs.FS that cannot show links: it is
// trusted to present them followed.
func TestResolveWithoutReadLink(t *testing.T) {
	t.Parallel()
	fsys := struct{ fs.FS }{fstest.MapFS{"bin/sh": {Data: []byte("#!/bin/true\n")}}}
	real, links, err := NewRoot(fsys).Resolve("/bin/sh")
	if err != nil || real != "bin/sh" || links != nil {
		t.Errorf("resolve(/bin/sh) = %q, %q, %v", real, links, err)
	}
}

// TestClosureStaysInRoot feeds Closure links that reach for the host: the
// host's files must never be read or reported.
func TestClosureStaysInRoot(t *testing.T) {
	t.Parallel()
	root := hostileRoot(t)
	symlink(t, root, "/usr/bin/ls", "/bin-ls") // the host has /usr/bin/ls; the root does not
	for _, in := range []string{"/escape/abs", "/bin-ls", "/../../usr/bin/ls"} {
		if _, err := Closure(os.DirFS(root), []string{in}); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("Closure(%q) = %v, want fs.ErrNotExist", in, err)
		}
	}
}
