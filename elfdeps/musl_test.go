package elfdeps

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// TestClosureMusl builds Alpine-like roots around musl's loader (Debian's
// musl and musl-tools packages) and checks musl's search rules: its libc
// is the loader itself, /etc/ld-musl-ARCH.path replaces the default
// /lib:/usr/local/lib:/usr/lib, and that file is kept when it was needed.
func TestClosureMusl(t *testing.T) {
	need(t, "musl-gcc")
	const loader = "/lib/ld-musl-x86_64.so.1"
	if _, err := os.Stat(loader); err != nil {
		t.Skipf("no musl loader: %v", err)
	}
	src := t.TempDir()
	writeFile(t, src, "greet.c", []byte(greetC), 0o644)
	writeFile(t, src, "hello.c", []byte(helloC), 0o644)
	run(t, src, nil, "musl-gcc", "-shared", "-fPIC", "-Wl,-soname,libgreet.so.1", `-DGREETING="hello from musl"`, "greet.c", "-o", "libgreet.so.1")
	run(t, src, nil, "musl-gcc", "hello.c", "libgreet.so.1", "-o", "hello")
	read := func(name string) []byte {
		data, err := os.ReadFile(filepath.Join(src, name))
		if err != nil {
			t.Fatal(err)
		}
		return data
	}

	tests := []struct {
		name     string
		pathFile string // contents of /etc/ld-musl-x86_64.path; "" for none
		lib      string // where libgreet.so.1 goes
		decoy    string // where a text file named libgreet.so.1 goes
		want     []string
		missing  []Missing
	}{
		{name: "default path", lib: "/usr/local/lib/libgreet.so.1",
			want: []string{"/usr/bin/hello", loader, "/usr/local/lib/libgreet.so.1"}},
		{name: "path file", pathFile: "/opt/musl/lib\n/lib:/usr/lib\n", lib: "/opt/musl/lib/libgreet.so.1",
			decoy: "/usr/lib/libgreet.so.1",
			want:  []string{"/usr/bin/hello", loader, "/opt/musl/lib/libgreet.so.1", "/etc/ld-musl-x86_64.path"}},
		{name: "first file by the name is used, even when it is no library", lib: "/usr/local/lib/libgreet.so.1",
			decoy:   "/lib/libgreet.so.1",
			want:    []string{"/usr/bin/hello", loader},
			missing: []Missing{{Needer: "/usr/bin/hello", Name: "libgreet.so.1", Rejected: []string{"/lib/libgreet.so.1"}}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			copyChain(t, root, loader)
			writeFile(t, root, "/usr/bin/hello", read("hello"), 0o755)
			writeFile(t, root, tc.lib, read("libgreet.so.1"), 0o755)
			if tc.decoy != "" {
				writeFile(t, root, tc.decoy, []byte("decoy: not ELF\n"), 0o644)
			}
			if tc.pathFile != "" {
				writeFile(t, root, "/etc/ld-musl-x86_64.path", []byte(tc.pathFile), 0o644)
			}
			got, err := Closure(os.DirFS(root), []string{"/usr/bin/hello"})
			if err != nil {
				t.Fatalf("Closure(hello) = %v", err)
			}
			if want := union(t, root, tc.want...); !slices.Equal(got.Files, want) {
				t.Errorf("Closure(hello).Files (-want +got):%s", diff(want, got.Files))
			}
			if !reflect.DeepEqual(got.Missing, tc.missing) {
				t.Errorf("Closure(hello).Missing = %+v, want %+v", got.Missing, tc.missing)
			}
			if n := got.Needed["/usr/bin/hello"]; !reflect.DeepEqual(n, []string{"libgreet.so.1", "libc.so"}) {
				t.Errorf("Closure(hello).Needed = %q", n)
			}
			files := append(got.Files, tc.lib)
			if tc.decoy != "" {
				files = append(files, tc.decoy)
			}
			out, err := chrootRun(t, copyFiles(t, root, files), []string{"LC_ALL=C"}, "/usr/bin/hello")
			if tc.missing != nil {
				if err == nil {
					t.Errorf("chroot hello ran, printing %q; musl was expected to fail as Closure said", out)
				}
				return
			}
			if err != nil {
				t.Fatalf("chroot hello: %v", err)
			}
			if strings.TrimSpace(out) != "hello from musl" {
				t.Errorf("hello printed %q", out)
			}
		})
	}
}
