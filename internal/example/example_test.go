package example

import (
	"archive/tar"
	"bytes"
	"context"
	"debug/buildinfo"
	"debug/elf"
	"errors"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/validate"
)

// maxSize is the example's budget: it ships in the repository's tests.
const maxSize = 20_000_000

// buildExample writes the example image into a fresh temporary directory.
func buildExample(t *testing.T) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "example.tar")
	if err := Build(t.Context(), out); err != nil {
		t.Fatalf("Build: %v", err)
	}
	return out
}

func TestBuild(t *testing.T) {
	out := buildExample(t)
	fi, err := os.Stat(out)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Size() > maxSize {
		t.Errorf("size = %d bytes, want ≤ %d", fi.Size(), maxSize)
	}
	img, err := tarball.ImageFromPath(out, nil)
	if err != nil {
		t.Fatalf("tarball.ImageFromPath: %v", err)
	}
	if err := validate.Image(img); err != nil {
		t.Fatalf("validate.Image: %v", err)
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	var layerLines []string
	empty := 0
	for _, h := range cfg.History {
		if h.EmptyLayer {
			empty++
			continue
		}
		layerLines = append(layerLines, h.CreatedBy)
	}
	if empty != 10 {
		t.Errorf("%d empty-layer history entries, want 10", empty)
	}
	if len(layerLines) != 4 {
		t.Fatalf("history has %d layer entries, want 4: %q", len(layerLines), layerLines)
	}
	for i, prefix := range []string{"/bin/sh -c #(nop) ADD file:", "RUN /bin/sh -c apt-get update", "RUN /bin/sh -c curl", CleanupRun} {
		if !strings.HasPrefix(layerLines[i], prefix) {
			t.Errorf("history line of layer %d = %q, want prefix %q", i+1, layerLines[i], prefix)
		}
	}
	if got, want := cfg.Config.Entrypoint, []string{"/usr/local/bin/hello"}; !cmp.Equal(got, want) {
		t.Errorf("Entrypoint = %q, want %q", got, want)
	}
	layers, err := img.Layers()
	if err != nil {
		t.Fatal(err)
	}
	if len(layers) != 4 {
		t.Fatalf("%d layers, want 4", len(layers))
	}
	// One path a layer must hold, per culprit the analysis looks for.
	want := [][]string{
		{"etc/passwd", "etc/os-release", "tmp/", "usr/share/doc/bash/copyright", "usr/share/man/man1/ls.1.gz",
			"usr/share/locale/de/LC_MESSAGES/coreutils.mo", "usr/share/zoneinfo/Etc/UTC", "var/lib/apt/lists/partial/"},
		{"usr/local/go/VERSION", "usr/local/go/src/fmt/print.go", "usr/local/go/pkg/include/textflag.h",
			"var/cache/apt/archives/git_1%3a2.39.5-0+deb12u2_amd64.deb",
			"var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_main_binary-amd64_Packages"},
		{"root/go/pkg/mod/github.com/google/uuid@v1.6.0/uuid.go",
			"root/go/pkg/mod/cache/download/github.com/google/uuid/@v/v1.6.0.zip",
			"root/go/src/example.com/hello/main.go", "root/.cache/go-build/README", "usr/local/bin/hello"},
		{"root/.wh.go", "root/.wh..cache", "var/cache/apt/archives/.wh.git_1%3a2.39.5-0+deb12u2_amd64.deb",
			"var/lib/apt/lists/.wh.lock", "var/lib/apt/lists/partial/.wh..wh..opq"},
	}
	for i, l := range layers {
		files := readLayer(t, l)
		for _, name := range want[i] {
			if _, ok := files[name]; !ok {
				t.Errorf("layer %d has no %s", i+1, name)
			}
		}
		if i == 0 && files["tmp/"].Mode != 0o1777 {
			t.Errorf("layer 1: tmp/ mode = %o, want 1777", files["tmp/"].Mode)
		}
		if i == 2 {
			checkBinary(t, files["usr/local/bin/hello"].body)
		}
	}
}

type file struct {
	*tar.Header
	body []byte
}

// readLayer reads a layer's entries, checking that each one's parent
// directory came before it, as in a directory walk.
func readLayer(t *testing.T, l v1.Layer) map[string]file {
	t.Helper()
	rc, err := l.Uncompressed()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	files := make(map[string]file)
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return files
		}
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		if dir := path.Dir(strings.TrimSuffix(h.Name, "/")); dir != "." {
			if _, ok := files[dir+"/"]; !ok {
				t.Errorf("%s comes before its directory", h.Name)
			}
		}
		if h.Uid != 0 || h.Gid != 0 {
			t.Errorf("%s: owner %d:%d, want 0:0", h.Name, h.Uid, h.Gid)
		}
		files[h.Name] = file{h, body}
	}
}

// checkBinary checks that b is the unstripped, static linux/amd64 build of
// examples/hello with its module dependency recorded.
func checkBinary(t *testing.T, b []byte) {
	t.Helper()
	f, err := elf.NewFile(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("hello is not ELF: %v", err)
	}
	defer f.Close()
	if f.Machine != elf.EM_X86_64 {
		t.Errorf("hello machine = %v, want EM_X86_64", f.Machine)
	}
	for _, s := range []string{".symtab", ".debug_info"} {
		if f.Section(s) == nil {
			t.Errorf("hello has no %s: it was stripped", s)
		}
	}
	bi, err := buildinfo.Read(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("hello build info: %v", err)
	}
	if bi.Path != "example.com/hello" || len(bi.Deps) != 1 || bi.Deps[0].Path != "github.com/google/uuid" {
		t.Errorf("hello build info: path %q, deps %v", bi.Path, bi.Deps)
	}
}

func TestBuildDeterministic(t *testing.T) {
	a, err := os.ReadFile(buildExample(t))
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(buildExample(t))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Errorf("two builds differ (%d and %d bytes)", len(a), len(b))
	}
}

func TestWriteAtomicCancelled(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "x.tar")
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	err := writeAtomic(ctx, out, []member{{name: "a", body: []byte("a")}}, buildTime)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("writeAtomic(cancelled) = %v, want context.Canceled", err)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("cancelled write left %d files behind", len(ents))
	}
}
