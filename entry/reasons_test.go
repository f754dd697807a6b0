package entry_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/dietimage/diet/entry"
	"github.com/dietimage/diet/internal/test/tartest"
	"github.com/dietimage/diet/rootfs"
)

// handler is a bash service with two routes: a probe takes route a,
// which runs cat; route b runs tr, which no probe reaches.
const handler = "#!/bin/bash\ncase \"$1\" in\n  a) cat /app/data.txt ;;\n  b) tr a-z A-Z < /app/data.txt ;;\nesac\n"

// serviceRoot is the extracted rootfs of an image holding the host's
// bash, cat and tr (and the programs named), the handler above, its data,
// a Python package of three modules, /etc's passwd and group, and an
// /etc/localtime that links to its zone.
func serviceRoot(t *testing.T, programs ...string) string {
	t.Helper()
	h := tartest.NewHost(t)
	for _, p := range append([]string{"/usr/bin/cat", "/bin/bash", "/usr/bin/tr"}, programs...) {
		h.Program(p)
	}
	h.Etc()
	h.Put(tartest.Dir("app"))
	h.Put(tartest.Exec("app/handler.sh", []byte(handler)))
	h.Put(tartest.File("app/data.txt", "data\n"))
	h.Put(tartest.Exec("app/data.bin", []byte("data\n")))               // executable, and no program
	h.Put(tartest.File("app/route.sh", "tr a-z A-Z < /app/data.txt\n")) // no "#!": given to a shell
	for _, d := range []string{"usr/share", "usr/share/zoneinfo", "usr/share/zoneinfo/Etc"} {
		h.Put(tartest.Dir(d))
	}
	h.Put(tartest.File("usr/share/zoneinfo/Etc/UTC", "TZif2\n"))
	h.Put(tartest.Symlink("etc/localtime", "/usr/share/zoneinfo/Etc/UTC"))
	for _, d := range []string{"usr/lib/python3", "usr/lib/python3/dist-packages", "usr/lib/python3/dist-packages/pkg"} {
		h.Put(tartest.Dir(d))
	}
	h.Put(tartest.File("usr/lib/python3/dist-packages/pkg/__init__.py", "from . import mod\n"))
	h.Put(tartest.File("usr/lib/python3/dist-packages/pkg/mod.py", "X = 1\n"))
	h.Put(tartest.File("usr/lib/python3/dist-packages/pkg/lazy.py", "Y = 2\n"))
	img := tartest.Image(t, tartest.Step{CreatedBy: "COPY / /", Entries: h.Entries()})
	root := filepath.Join(t.TempDir(), "rootfs")
	if err := rootfs.Extract(t.Context(), img, root); err != nil {
		t.Fatal(err)
	}
	return root
}

// hostFiles are the real paths of host files (symlinks followed), each
// once, with their sizes.
type hostFiles map[string]int64

func (h hostFiles) add(t *testing.T, paths ...string) hostFiles {
	t.Helper()
	for _, p := range paths {
		real, err := filepath.EvalSymlinks(p)
		if err != nil {
			t.Fatal(err)
		}
		fi, err := os.Stat(real)
		if err != nil {
			t.Fatal(err)
		}
		h[real] = fi.Size()
	}
	return h
}

// libs adds the libraries `ldd p` lists, the loader among them.
func (h hostFiles) libs(t *testing.T, p string) hostFiles {
	t.Helper()
	out, err := exec.Command("ldd", p).Output()
	if err != nil {
		t.Fatalf("ldd %s: %v", p, err)
	}
	for _, f := range strings.Fields(string(out)) {
		if strings.HasPrefix(f, "/") {
			h.add(t, f)
		}
	}
	return h
}

// kept is what h holds that none of before does, as a Kept of reason.
func (h hostFiles) kept(reason string, before ...hostFiles) entry.Kept {
	k := entry.Kept{Reason: reason}
	for p, n := range h {
		if !slices.ContainsFunc(before, func(b hostFiles) bool { _, ok := b[p]; return ok }) {
			k.Files++
			k.Bytes += n
		}
	}
	return k
}

// TestTracedReasons counts, to the byte, why each file of a traced
// minimal is kept: the files the run used; the ELF closure it did not
// see (bash, which the kernel runs for the handler's "#!", and the
// libraries); the rest of a Python package it imported from; tr, which
// the handler calls on the route no probe took; the passwd and group
// files kept always, and the zone /etc/localtime links to. The essential bytes are the run's files and their
// ELF closure, and the reasons add up to the files kept.
func TestTracedReasons(t *testing.T) {
	root := serviceRoot(t)
	cf := &v1.ConfigFile{Config: v1.Config{Entrypoint: []string{"/app/handler.sh", "a"}, WorkingDir: "/app"}}
	pkg := "/usr/lib/python3/dist-packages/pkg/"
	accessed := []string{"/app/handler.sh", "/usr/bin/cat", "/app/data.txt", pkg + "__init__.py", pkg + "mod.py", "/app"}
	got, err := entry.Traced(os.DirFS(root), accessed, cf)
	if err != nil {
		t.Fatal(err)
	}

	traced := hostFiles{"/app/handler.sh": int64(len(handler)), "/app/data.txt": 5,
		pkg + "__init__.py": int64(len("from . import mod\n")), pkg + "mod.py": int64(len("X = 1\n"))}.add(t, "/usr/bin/cat")
	elf := hostFiles{}.add(t, "/bin/bash").libs(t, "/bin/bash").libs(t, "/usr/bin/cat")
	pack := hostFiles{pkg + "lazy.py": int64(len("Y = 2\n"))}
	script := hostFiles{}.add(t, "/usr/bin/tr").libs(t, "/usr/bin/tr")
	always := hostFiles{"/usr/share/zoneinfo/Etc/UTC": int64(len("TZif2\n"))}.
		add(t, filepath.Join(root, "etc/passwd"), filepath.Join(root, "etc/group"))

	want := []entry.Kept{traced.kept(entry.KeepTraced), elf.kept(entry.KeepELF, traced), pack.kept(entry.KeepPackage),
		script.kept(entry.KeepScript, traced, elf), always.kept(entry.KeepAlways)}
	if diff := cmp.Diff(want, got.Kept); diff != "" {
		t.Errorf("Traced(%q).Kept (-want +got):\n%s", accessed, diff)
	}
	if got.Files != want[0].Files || got.Bytes != want[0].Bytes {
		t.Errorf("Traced(%q) used %d files of %d bytes, want %d of %d", accessed, got.Files, got.Bytes, want[0].Files, want[0].Bytes)
	}
	if ef, eb := want[0].Files+want[1].Files, want[0].Bytes+want[1].Bytes; got.EssentialFiles != ef || got.EssentialBytes != eb {
		t.Errorf("Traced(%q) essential = %d files of %d bytes, want %d of %d", accessed, got.EssentialFiles, got.EssentialBytes, ef, eb)
	}
	var files int
	var bytes int64
	for _, k := range got.Kept {
		files += k.Files
		bytes += k.Bytes
	}
	if cf, cb := entry.Count(os.DirFS(root), got.Paths); cf != files || cb != bytes {
		t.Errorf("Traced(%q): the reasons add up to %d files of %d bytes, the paths kept hold %d of %d", accessed, files, bytes, cf, cb)
	}
	if !slices.Contains(got.Paths, "/usr/bin/tr") {
		t.Errorf("Traced(%q) does not keep /usr/bin/tr, which the route no probe took runs: %q", accessed, got.Paths)
	}
}

// TestTracedScripts keeps the programs of a shell script the run used
// on the branches it did not take: a "#!" script, and a file without one
// that a shell read (route.sh, named by no command), but not for a text
// file of another kind that names the same program.
func TestTracedScripts(t *testing.T) {
	root := serviceRoot(t)
	for _, tc := range []struct {
		name     string
		accessed []string
		want     bool
	}{
		{"shebang", []string{"/app/handler.sh"}, true},
		{"sh argument", []string{"/bin/bash", "/app/route.sh"}, true},
		{"data", []string{"/app/data.txt"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cf := &v1.ConfigFile{Config: v1.Config{Entrypoint: []string{"/usr/bin/cat"}}}
			got, err := entry.Traced(os.DirFS(root), tc.accessed, cf)
			if err != nil {
				t.Fatal(err)
			}
			if slices.Contains(got.Paths, "/usr/bin/tr") != tc.want {
				t.Errorf("Traced(%q) keeps /usr/bin/tr: %v, want %v", tc.accessed, !tc.want, tc.want)
			}
		})
	}
}
