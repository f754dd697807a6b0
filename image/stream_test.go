package image

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/dietimage/diet/internal/test/tartest"
)

// blobs records what a one-pass read hands its BlobFunc: each member's
// sha256, by name.
type blobs struct {
	mu  sync.Mutex
	got map[string]v1.Hash
	err error // returned for every member
}

func (b *blobs) walk(_ context.Context, name string, r io.Reader) error {
	d := sha256.New()
	if _, err := io.Copy(d, r); err != nil {
		return err
	}
	h := v1.Hash{Algorithm: "sha256", Hex: hex.EncodeToString(d.Sum(nil))}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.got == nil {
		b.got = map[string]v1.Hash{}
	}
	b.got[name] = h
	return b.err
}

// TestStreamArchives reads the fixture from a classic and an OCI archive,
// gzipped, zstd-compressed and through a pipe, in one pass: the image is
// the one a spooled read opens (config, manifest, digest), every layer's
// blob passed the BlobFunc whole, and no layer body is left to read.
func TestStreamArchives(t *testing.T) {
	dir := t.TempDir()
	img := fixture(t)
	writers := map[string]func(testing.TB, string, v1.Image, string){
		"docker-archive": tartest.WriteDockerArchive,
		"oci-archive":    tartest.WriteOCIArchive,
	}
	for format, write := range writers {
		plain := filepath.Join(dir, format+".tar")
		write(t, plain, img, "fixture:1")
		b, err := os.ReadFile(plain)
		if err != nil {
			t.Fatal(err)
		}
		gz, zst := plain+".gz", plain+".zst"
		gzipFile(t, plain, gz)
		if err := os.WriteFile(zst, zstdBytes(t, b), 0o644); err != nil {
			t.Fatal(err)
		}
		want, err := Open(t.Context(), format+":"+plain)
		if err != nil {
			t.Fatal(err)
		}
		for name, path := range map[string]string{"gzip": gz, "zstd": zst, "pipe": pipe(t, b)} {
			t.Run(format+"/"+name, func(t *testing.T) {
				var seen blobs
				got, err := Open(t.Context(), format+":"+path, WithStream(seen.walk))
				if err != nil {
					t.Fatal(err)
				}
				sameHead(t, want, got)
				cf, err := got.ConfigFile()
				if err != nil {
					t.Fatal(err)
				}
				// The fixture's layers are stored uncompressed: each
				// blob's digest is its diff ID.
				var walked []v1.Hash
				for _, h := range seen.got {
					walked = append(walked, h)
				}
				for _, d := range cf.RootFS.DiffIDs {
					if !slices.Contains(walked, d) {
						t.Errorf("layer %s: no member handed to the BlobFunc has its bytes (got %v)", d, seen.got)
					}
				}
				layers, err := got.Layers()
				if err != nil {
					t.Fatal(err)
				}
				rc, err := layers[1].Uncompressed()
				if err == nil {
					_, err = io.ReadAll(rc)
					rc.Close()
				}
				if err == nil || !strings.Contains(err.Error(), "read once from a stream") {
					t.Errorf("reading a layer of the image read in one pass: %v, want an error saying its body was not kept", err)
				}
			})
		}
	}
}

// sameHead checks that got is want as a spooled read opens it, but for
// what needs a layer's body (a classic archive's manifest does).
func sameHead(t *testing.T, want, got v1.Image) {
	t.Helper()
	for what, f := range map[string]func(v1.Image) (any, error){
		"config": func(i v1.Image) (any, error) { b, err := i.RawConfigFile(); return string(b), err },
		"name":   func(i v1.Image) (any, error) { return i.ConfigName() },
		"stored": func(i v1.Image) (any, error) { d, m, ok := Stored(i); return [3]any{d, string(m), ok}, nil },
	} {
		w, err := f(want)
		if err != nil {
			t.Fatal(err)
		}
		g, err := f(got)
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if w != g {
			t.Errorf("%s of the image read in one pass:\n%v\nwant\n%v", what, g, w)
		}
	}
}

// pipe is a named pipe that yields b once.
func pipe(t *testing.T, b []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(p, 0o600); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		f, err := os.OpenFile(p, os.O_WRONLY, 0)
		if err != nil {
			return
		}
		f.Write(b) // the reader may stop early: that is its test's business
		f.Close()
	}()
	t.Cleanup(func() {
		// Unblock a writer whose reader never came.
		if f, err := os.OpenFile(p, os.O_RDONLY|syscall.O_NONBLOCK, 0); err == nil {
			f.Close()
		}
		<-done
	})
	return p
}

// TestStreamBlobErrors: a BlobFunc's error is the member's, kept for the
// reader of that layer, not the read's.
func TestStreamBlobErrors(t *testing.T) {
	plain := filepath.Join(t.TempDir(), "a.tar")
	tartest.WriteDockerArchive(t, plain, fixture(t), "")
	gz := plain + ".gz"
	gzipFile(t, plain, gz)
	bad := errors.New("this layer is hostile")
	img, err := Open(t.Context(), "docker-archive:"+gz, WithStream((&blobs{err: bad}).walk))
	if err != nil {
		t.Fatalf("Open: %v, want the image (the errors are the layers')", err)
	}
	layers, err := img.Layers()
	if err != nil {
		t.Fatal(err)
	}
	rc, err := layers[0].Uncompressed()
	if err == nil {
		_, err = io.ReadAll(rc)
		rc.Close()
	}
	if !errors.Is(err, bad) {
		t.Errorf("reading layer 0: %v, want %v", err, bad)
	}
}

// TestStreamJSONLookingLayer: a layer whose first entry's name starts with
// "{" looks like a JSON document for 512 bytes, and must still be walked.
func TestStreamJSONLookingLayer(t *testing.T) {
	img := tartest.Image(t, tartest.Step{CreatedBy: "ADD", Entries: []tartest.Entry{tartest.File("{x}", "not JSON")}})
	plain := filepath.Join(t.TempDir(), "a.tar")
	tartest.WriteDockerArchive(t, plain, img, "")
	gz := plain + ".gz"
	gzipFile(t, plain, gz)
	var seen blobs
	got, err := Open(t.Context(), "docker-archive:"+gz, WithStream(seen.walk))
	if err != nil {
		t.Fatal(err)
	}
	cf, err := got.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	var found bool
	for _, h := range seen.got {
		found = found || h == cf.RootFS.DiffIDs[0]
	}
	if !found {
		t.Errorf("the layer was not handed to the BlobFunc (got %v)", seen.got)
	}
}

// TestStreamCut reads a gzipped archive cut at every 1000th byte: each is a
// truncated-archive error, and no image.
func TestStreamCut(t *testing.T) {
	dir := t.TempDir()
	plain := filepath.Join(dir, "a.tar")
	tartest.WriteDockerArchive(t, plain, fixture(t), "")
	b, err := os.ReadFile(plain)
	if err != nil {
		t.Fatal(err)
	}
	var seen blobs
	for at := 1000; at < len(b); at += 1000 {
		cut := filepath.Join(dir, "cut.tar.gz")
		if err := os.WriteFile(plain, b[:at], 0o644); err != nil {
			t.Fatal(err)
		}
		gzipFile(t, plain, cut)
		img, err := Open(t.Context(), "docker-archive:"+cut, WithStream(seen.walk))
		if img != nil || !errors.Is(err, ErrTruncated) || !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Errorf("archive cut at byte %d of %d: %v, want %v", at, len(b), err, ErrTruncated)
		}
	}
}
