package image

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/dietimage/diet/internal/test/enginetest"
)

// TestDaemonStreamCut reads the real engine's save stream of an image cut
// short at the points where a reader is most likely to take what it has
// for the whole: inside the first member's header, inside a layer's body,
// just before manifest.json (which the engine writes last) and inside it.
// The cut is clean (the proxy ends the HTTP response, as a closed
// connection at a chunk boundary would): each must be a truncated-archive
// error that names the save stream, and no image, whether the stream is
// spooled or read in one pass (WithStream).
func TestDaemonStreamCut(t *testing.T) {
	enginetest.Require(t)
	tag := fmt.Sprintf("diet-test:cut-%d", os.Getpid())
	load(t, storeFixture(t), tag)
	whole, err := exec.Command("docker", "save", tag).Output()
	if err != nil {
		t.Fatalf("docker save %s: %v", tag, err)
	}
	cuts := cutPoints(t, whole)
	modes := map[string]Option{
		"spooled":  WithStream(nil),
		"one pass": WithStream(func(context.Context, string, io.Reader) error { return nil }),
	}
	for _, c := range cuts {
		for mode, opt := range modes {
			t.Run(c.name+"/"+mode, func(t *testing.T) {
				t.Setenv("DOCKER_HOST", "tcp://"+cuttingProxy(t, c.at))
				img, err := Open(t.Context(), "docker-daemon:"+tag, WithLayerStore(false), WithTempDir(t.TempDir()), opt)
				if err == nil {
					t.Fatalf("Open of the save stream cut at byte %d of %d (%s) = an image, want an error", c.at, len(whole), c.name)
				}
				// 100 bytes are no tar at all: any error, if it names the stream.
				if img != nil || (c.at > 512 && !errors.Is(err, ErrTruncated)) || !strings.Contains(err.Error(), "save stream") {
					t.Errorf("Open of the save stream cut at byte %d (%s) = %v, want %v naming the save stream", c.at, c.name, err, ErrTruncated)
				}
				t.Logf("cut at %d: %v", c.at, err)
			})
		}
	}
}

type cut struct {
	name string
	at   int64
}

// cutPoints are the offsets of the save stream whole to cut it at.
func cutPoints(t *testing.T, whole []byte) []cut {
	t.Helper()
	// tar.Reader reads blocks as it needs them: after Next, the count is
	// exactly up to the entry's body.
	counter := &countingReader{r: bytes.NewReader(whole)}
	tr := tar.NewReader(counter)
	cuts := []cut{{"in the first header", 100}}
	var layerBody, manifest bool
	var next int64 // where the next header starts: after the last body and its padding
	for {
		start := next
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		body := counter.n // Next has read the header, and not the body
		next = body + (hdr.Size+511)/512*512
		switch {
		case !layerBody && strings.HasSuffix(hdr.Name, "layer.tar") && hdr.Size > 1024:
			layerBody = true
			cuts = append(cuts, cut{"in a layer's body", body + hdr.Size/2})
		case hdr.Name == "manifest.json":
			manifest = true
			cuts = append(cuts, cut{"before manifest.json", start}, cut{"in manifest.json", body + hdr.Size/2})
		}
	}
	if !layerBody || !manifest {
		t.Fatalf("the save stream has no layer.tar over 1 KiB (%v) or no manifest.json (%v)", layerBody, manifest)
	}
	return cuts
}

// cuttingProxy is socketProxy whose save streams end after at bytes.
func cuttingProxy(t *testing.T, at int64) string {
	t.Helper()
	return socketProxy(t, func(resp *http.Response) error {
		if strings.HasSuffix(resp.Request.URL.Path, "/images/get") {
			resp.Body = cutBody{Reader: io.LimitReader(resp.Body, at), Closer: resp.Body}
			resp.ContentLength = -1
			resp.Header.Del("Content-Length")
		}
		return nil
	})
}

type cutBody struct {
	io.Reader
	io.Closer
}
