package image

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"os"
	"path/filepath"
	"runtime"
	"strings"
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

// TestDaemonStore opens images the real engine holds from its layer store
// and from its save stream, and checks that they are the same image: the
// config, the name, and every layer's tar byte for byte.
func TestDaemonStore(t *testing.T) {
	driver := enginetest.Require(t)
	tag := fmt.Sprintf("diet-test:store-%d", os.Getpid())
	load(t, storeFixture(t), tag)
	ref := "docker-daemon:" + tag

	var reasons []error
	store, err := Open(t.Context(), ref, WithFallback(func(err error) { reasons = append(reasons, err) }))
	if err != nil {
		t.Fatalf("Open(%q) = %v", ref, err)
	}
	stream, err := Open(t.Context(), ref, WithLayerStore(false))
	if err != nil {
		t.Fatalf("Open(%q, WithLayerStore(false)) = %v", ref, err)
	}
	readable := (driver == "overlay2" || driver == "fuse-overlayfs") && os.Getuid() == 0
	switch {
	case readable && len(reasons) > 0:
		t.Fatalf("Open(%q) read the save stream: %v; want the %s layer store", ref, reasons, driver)
	case !readable && len(reasons) != 1:
		t.Fatalf("Open(%q) with a %s engine as uid %d: fallback reasons %v, want one", ref, driver, os.Getuid(), reasons)
	case !readable:
		t.Skipf("the layer store is not readable here: %v", reasons[0])
	}
	if !fromStore(store) || fromStore(stream) {
		t.Fatalf("fromStore: Open = %v, WithLayerStore(false) = %v; want true, false", fromStore(store), fromStore(stream))
	}
	sameImage(t, stream, store)
	wantName, _ := Name(stream)
	if got, _ := Name(store); got != wantName {
		t.Errorf("Name = %q, the save stream's %q", got, wantName)
	}
	sl, _ := stream.Layers()
	gl, _ := store.Layers()
	for i, l := range gl {
		want, _ := sl[i].(sectioner).UncompressedSection()
		got, ok := l.(sectioner).UncompressedSection()
		if !ok || got.Size() != want.Size() {
			t.Fatalf("layer %d: section of %d bytes (ok=%v), the save stream's has %d", i, got.Size(), ok, want.Size())
		}
		diffID, _ := l.DiffID()
		if h := sum(t, got); h != diffID || !sameBytes(t, want, got) {
			t.Errorf("layer %d: store tar hashes to %v, want %v and the save stream's bytes", i, h, diffID)
		}
	}
	sd, err := stream.Digest()
	if err != nil {
		t.Fatal(err)
	}
	if gd, err := store.Digest(); err != nil || gd != sd {
		t.Errorf("Digest = %v, %v; the save stream's is %v", gd, err, sd)
	}
}

// TestDaemonStoreRemote reaches the real engine over tcp://, through a
// proxy to its socket: an engine that is not on this machine is read
// through its save stream, and Open says so once.
func TestDaemonStoreRemote(t *testing.T) {
	enginetest.Require(t)
	tag := fmt.Sprintf("diet-test:remote-%d", os.Getpid())
	want := fixture(t)
	load(t, want, tag)
	t.Setenv("DOCKER_HOST", "tcp://"+socketProxy(t))

	var reasons []error
	img, err := Open(t.Context(), "docker-daemon:"+tag, WithFallback(func(err error) { reasons = append(reasons, err) }))
	if err != nil {
		t.Fatal(err)
	}
	if len(reasons) != 1 || fromStore(img) {
		t.Fatalf("Open over tcp:// gave fallback reasons %v, from the store %v; want one reason and the stream", reasons, fromStore(img))
	}
	t.Logf("reason: %v", reasons[0])
	sameImage(t, want, img)
}

// fromStore says whether img's layers are read from a layer store.
func fromStore(img v1.Image) bool {
	ls, err := img.Layers()
	if err != nil || len(ls) == 0 {
		return false
	}
	al, ok := ls[0].(*archiveLayer)
	if !ok {
		return false
	}
	ra, _, _ := al.blob.Outer()
	_, ok = ra.(*storeTar)
	return ok
}

// storeFixture has what a tar-split must carry through: PAX records, a
// name longer than a ustar header holds, a name that is not UTF-8, links,
// whiteouts, an opaque directory, an empty file and an empty layer.
func storeFixture(t *testing.T) v1.Image {
	long := "usr/share/" + strings.Repeat("long-directory-name/", 8) + "file.txt"
	return tartest.Image(t,
		tartest.Step{CreatedBy: "ADD base /", Entries: []tartest.Entry{
			tartest.Dir("etc"), tartest.File("etc/hello", "hello\n"), tartest.File("etc/empty", ""),
			tartest.Dir("usr"), tartest.Exec("usr/bin/app", []byte("\x7fELF app")), tartest.File(long, "long\n"),
			tartest.File("caf\xe9.txt", "latin-1\n"), tartest.Symlink("usr/bin/sh", "app"),
			tartest.Hardlink("usr/bin/app2", "usr/bin/app"), tartest.Sized("var/big", 300_000),
		}},
		tartest.Step{CreatedBy: "ENV A=1", Empty: true},
		tartest.Step{CreatedBy: "RUN cleanup", Entries: []tartest.Entry{
			tartest.Whiteout("etc/hello"), tartest.Opaque("usr/share"), tartest.File("var/big", "small\n"),
		}},
	)
}

// sameBytes compares two sections in chunks.
func sameBytes(t *testing.T, a, b *io.SectionReader) bool {
	t.Helper()
	pa, pb := make([]byte, 1<<20), make([]byte, 1<<20)
	for off := int64(0); off < a.Size(); off += int64(len(pa)) {
		na, ea := a.ReadAt(pa, off)
		nb, eb := b.ReadAt(pb, off)
		if na != nb || !bytes.Equal(pa[:na], pb[:nb]) || (ea != nil && ea != io.EOF) || (eb != nil && eb != io.EOF) {
			return false
		}
	}
	return true
}

// socketProxy serves the engine's unix socket on a local TCP port;
// modify, when given, changes the engine's responses on the way.
func socketProxy(t *testing.T, modify ...func(*http.Response) error) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) { r.Out.URL.Scheme, r.Out.URL.Host = "http", "docker" },
		Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", defaultSocket)
		}},
	}}
	if len(modify) > 0 {
		srv.Handler.(*httputil.ReverseProxy).ModifyResponse = modify[0]
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String()
}
