package image

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/dietimage/diet/internal/test/enginetest"
	"github.com/dietimage/diet/internal/test/tartest"
	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// load writes img as a docker-archive and loads it into the engine as tag.
func load(t *testing.T, img v1.Image, tag string) {
	t.Helper()
	p := filepath.Join(t.TempDir(), "load.tar")
	tartest.WriteDockerArchive(t, p, img, tag)
	enginetest.Load(t, p, tag)
}

// TestDaemon opens an image the real engine holds, through docker-daemon:
// and as a bare reference, and checks that the spool file is gone.
func TestDaemon(t *testing.T) {
	enginetest.Require(t)
	want := fixture(t)
	tag := fmt.Sprintf("diet-test:xyz-%d", os.Getpid())
	load(t, want, tag)

	for _, ref := range []string{"docker-daemon:" + tag, tag} {
		t.Run(ref, func(t *testing.T) {
			spool := t.TempDir()
			img, err := Open(t.Context(), ref, WithTempDir(spool))
			if err != nil {
				t.Fatalf("Open(%q) = %v", ref, err)
			}
			assertEmpty(t, spool)
			sameImage(t, want, img)
			layers, _ := img.Layers()
			for i, l := range layers {
				s, ok := l.(sectioner)
				if !ok {
					t.Fatalf("layer %d: no UncompressedSection", i)
				}
				sr, ok := s.UncompressedSection()
				diffID, _ := l.DiffID()
				if !ok || sum(t, sr) != diffID {
					t.Errorf("layer %d: UncompressedSection ok=%v, want the layer %v", i, ok, diffID)
				}
			}
			if _, _, ok := Stored(img); ok {
				t.Logf("the engine saves OCI-in-tar (Docker 25+): manifest stored")
			}
			assertEmpty(t, spool)
		})
	}

	t.Run("missing image", func(t *testing.T) {
		_, err := Open(t.Context(), "docker-daemon:diet-test:does-not-exist")
		if !errors.Is(err, ErrNotFound) {
			t.Fatalf("Open(missing) = %v, want ErrNotFound", err)
		}
	})
}

// TestDaemonMemory checks that the save stream is spooled to disk: opening a
// 48 MiB image allocates a small fraction of that.
func TestDaemonMemory(t *testing.T) {
	enginetest.Require(t)
	const size = 48 << 20
	img := tartest.Image(t, tartest.Step{CreatedBy: "big", Entries: []tartest.Entry{tartest.Sized("big", size)}})
	tag := fmt.Sprintf("diet-test:big-%d", os.Getpid())
	load(t, img, tag)

	spool := t.TempDir()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	got, err := Open(t.Context(), "docker-daemon:"+tag, WithTempDir(spool))
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	alloc := after.TotalAlloc - before.TotalAlloc
	t.Logf("Open allocated %d bytes for a %d-byte image", alloc, size)
	if alloc > size/8 {
		t.Errorf("Open allocated %d bytes for a %d-byte image; want < %d (spool to disk)", alloc, size, size/8)
	}
	assertEmpty(t, spool)
	layers, _ := got.Layers()
	if sr, ok := layers[0].(sectioner).UncompressedSection(); !ok || sr.Size() < size {
		t.Errorf("layer section: %v bytes, ok=%v; want >= %d", sr.Size(), ok, size)
	}
}

// TestNoEngine: an engine that does not answer is ErrNoEngine.
func TestNoEngine(t *testing.T) {
	t.Setenv("DOCKER_HOST", "unix://"+filepath.Join(t.TempDir(), "none.sock"))
	_, err := Open(t.Context(), "docker-daemon:busybox")
	if !errors.Is(err, ErrNoEngine) {
		t.Fatalf("Open with no engine = %v, want ErrNoEngine", err)
	}
	t.Setenv("DOCKER_HOST", "ssh://example.com")
	if _, err := Open(t.Context(), "docker-daemon:busybox"); !errors.Is(err, ErrInvalid) {
		t.Fatalf("Open with DOCKER_HOST=ssh:// = %v, want ErrInvalid", err)
	}
}

func assertEmpty(t *testing.T, dir string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		t.Errorf("left behind in the temp dir: %s", e.Name())
	}
}
