package diet_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/dietimage/diet"
	"github.com/dietimage/diet/image"
	"github.com/dietimage/diet/internal/test/enginetest"
	"github.com/dietimage/diet/internal/test/tartest"
)

// TestCompressedIsDockerPush pushes an image from the real engine to a
// registry and checks that --compressed gzip predicted each layer blob the
// engine sent, to the byte: the size a pull of it costs.
func TestCompressedIsDockerPush(t *testing.T) {
	enginetest.Require(t)
	var text strings.Builder
	for i := 0; text.Len() < 3<<20; i++ {
		fmt.Fprintf(&text, "line %d of a config the app reads at start-up\n", i)
	}
	path := filepath.Join(t.TempDir(), "img.tar")
	tag := fmt.Sprintf("diet-test/push:%d", os.Getpid())
	tartest.WriteDockerArchive(t, path, tartest.Image(t,
		tartest.Step{CreatedBy: "ADD base /", Entries: []tartest.Entry{tartest.File("etc/os-release", "debian\n"), tartest.Exec("bin/app", []byte(text.String()[:100_000]))}},
		tartest.Step{CreatedBy: "COPY config /etc/app", Entries: []tartest.Entry{tartest.File("etc/app/config", text.String())}},
	), tag)
	enginetest.Load(t, path, tag)
	// The engine pushes to a loopback registry over plain HTTP.
	remoteTag := tartest.ServeRegistry(t) + "/diet-test/push:1"
	enginetest.Docker(t, "tag", tag, remoteTag)
	t.Cleanup(func() { exec.Command("docker", "rmi", remoteTag).Run() })
	enginetest.Docker(t, "push", remoteTag)

	ref, err := name.ParseReference(remoteTag, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	pushed, err := remote.Image(ref)
	if err != nil {
		t.Fatal(err)
	}
	m, err := pushed.Manifest()
	if err != nil {
		t.Fatal(err)
	}
	r, err := diet.Analyze(t.Context(), "docker-daemon:"+tag, diet.WithCompressed(image.Gzip))
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Layers) != len(r.Layers) {
		t.Fatalf("pushed %d layers, analysed %d", len(m.Layers), len(r.Layers))
	}
	var total int64
	for i, l := range m.Layers {
		total += l.Size
		if got := r.Layers[i].CompressedBytes; got == nil || *got != l.Size {
			t.Errorf("layer %d: --compressed gzip says %v bytes, docker push sent %d", i, got, l.Size)
		}
	}
	if got := r.Size.CompressedBytes; got == nil || *got != total {
		t.Errorf("total: %v, pushed %d", got, total)
	}
}
