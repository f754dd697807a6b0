package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"

	"github.com/dietimage/diet/internal/tartest"
)

// TestSlimDiffIDMismatch: a config whose diff ID does not match the layer
// above the base. slim reads that layer whole: it must refuse, naming the
// layer and both digests, and write nothing.
func TestSlimDiffIDMismatch(t *testing.T) {
	dir := t.TempDir()
	img := tartest.Layers(t,
		[]tartest.Entry{tartest.File("base", "base\n")},
		[]tartest.Entry{tartest.File("app", "the real app\n")},
	)
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	cf = cf.DeepCopy()
	real := cf.RootFS.DiffIDs[1]
	forged := v1.Hash{Algorithm: "sha256", Hex: strings.Repeat("ab", 32)}
	cf.RootFS.DiffIDs[1] = forged
	img, err = mutate.ConfigFile(img, cf)
	if err != nil {
		t.Fatal(err)
	}
	in := filepath.Join(dir, "forged.tar")
	tartest.WriteDockerArchive(t, in, img, "")
	out := filepath.Join(dir, "out.tar")
	var stdout, stderr bytes.Buffer
	got := run(t.Context(), []string{"slim", "--keep-base", "1", in, "-o", "docker-archive:" + out}, &stdout, &stderr)
	if got != exitFailed {
		t.Errorf("slim of a forged diff ID exited %d, want %d; stderr: %s", got, exitFailed, stderr.String())
	}
	for _, want := range []string{"layer 1", real.String(), forged.String()} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr = %q, want it to name %s", stderr.String(), want)
		}
	}
	if _, err := os.Stat(out); err == nil {
		t.Errorf("slim wrote %s from a forged image", out)
	}
}
