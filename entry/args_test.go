package entry_test

import (
	"errors"
	"os"
	"os/exec"
	"slices"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/dietimage/diet/entry"
)

// TestNeedsArgumentProgram: a command whose argument names a program or
// script of the image that its closure does not keep is traced
// (ErrArgumentProgram, which is ErrInterpreted); one whose arguments name
// no file, a data file, or a script the closure reads keeps its closure.
func TestNeedsArgumentProgram(t *testing.T) {
	root := serviceRoot(t)
	for _, tc := range []struct {
		name string
		argv []string
		want error
	}{
		{"exec after colon", []string{"/usr/bin/cat", "EXEC:/app/handler.sh,pty"}, entry.ErrArgumentProgram},
		{"flag value", []string{"/usr/bin/cat", "--handler=/app/handler.sh"}, entry.ErrArgumentProgram},
		{"relative to workdir", []string{"/usr/bin/cat", "./handler.sh"}, entry.ErrArgumentProgram},
		{"program", []string{"/usr/bin/cat", "/usr/bin/tr"}, entry.ErrArgumentProgram},
		{"no file", []string{"/usr/bin/cat", "--addr=:8080", "TCP-LISTEN:8080,fork", "tr"}, nil},
		{"data file", []string{"/usr/bin/cat", "/app/data.txt"}, nil},
		{"executable data file", []string{"/usr/bin/cat", "/app/data.bin"}, nil},
		{"script a shell reads", []string{"/bin/bash", "/app/handler.sh"}, nil},
		{"sh -c", []string{"/bin/bash", "-c", "exec /app/handler.sh a"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cf := &v1.ConfigFile{Config: v1.Config{Entrypoint: tc.argv, WorkingDir: "/app"}}
			_, err := entry.Needs(os.DirFS(root), cf)
			if !errors.Is(err, tc.want) || (tc.want != nil && !errors.Is(err, entry.ErrInterpreted)) {
				t.Errorf("Needs(%q) = %v, want %v (an %v)", tc.argv, err, tc.want, entry.ErrInterpreted)
			}
		})
	}
}

// TestSocatService follows a shell service behind the real socat: its
// static closure misses the handler, so Needs sends it to the trace; a
// trace of it keeps the handler's programs on every route, the route no
// probe took (tr) included, and even when no probe reached the handler
// at all (the command names it).
func TestSocatService(t *testing.T) {
	if _, err := exec.LookPath("socat"); err != nil {
		t.Skipf("this test copies socat from the host, which has none (apt-get install socat): %v", err)
	}
	socat, _ := exec.LookPath("socat")
	root := serviceRoot(t, socat)
	cf := &v1.ConfigFile{Config: v1.Config{Entrypoint: []string{"socat", "TCP-LISTEN:8080,reuseaddr,fork", "EXEC:/app/handler.sh a"},
		WorkingDir: "/app"}}
	if _, err := entry.Needs(os.DirFS(root), cf); !errors.Is(err, entry.ErrArgumentProgram) || !errors.Is(err, entry.ErrInterpreted) {
		t.Fatalf("Needs(socat ... EXEC:/app/handler.sh) = %v, want %v", err, entry.ErrArgumentProgram)
	}
	for _, accessed := range [][]string{
		{socat, "/app/handler.sh", "/usr/bin/cat", "/app/data.txt"}, // a probe took route a
		{socat}, // no probe reached the handler
	} {
		got, err := entry.Traced(os.DirFS(root), accessed, cf)
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"/app/handler.sh", "/usr/bin/bash", "/usr/bin/cat", "/usr/bin/tr"} {
			if !slices.Contains(got.Paths, want) {
				t.Errorf("Traced(%q) lacks %s: %q", accessed, want, got.Paths)
			}
		}
	}
}
