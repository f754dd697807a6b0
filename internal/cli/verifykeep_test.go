package cli

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"

	"github.com/dietimage/diet/internal/test/attacktest"
	"github.com/dietimage/diet/internal/test/tartest"
)

// TestVerifySuggestsKeep removes, with --remove, the file the image's
// command reads: --verify finds the difference, writes nothing, and names
// the --keep that keeps the first missing file.
func TestVerifySuggestsKeep(t *testing.T) {
	t.Parallel()
	attacktest.Require(t, "bwrap")
	attacktest.Require(t, "strace")
	entries := append(tartest.NewHost(t).Program("/bin/cat").Etc().Entries(),
		tartest.Dir("srv"), tartest.File("srv/msg.txt", "hello\n"))
	img := tartest.Image(t, tartest.Step{CreatedBy: "COPY . /", Entries: entries})
	img, err := mutate.Config(img, v1.Config{Entrypoint: []string{"/bin/cat", "/srv/msg.txt"}})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "in.tar")
	tartest.WriteDockerArchive(t, in, img, "")
	args := []string{"slim", "--remove", "/srv/msg.txt", "--verify", in, "-o", "docker-archive:" + filepath.Join(dir, "out.tar")}
	var stdout, stderr bytes.Buffer
	if code := run(t.Context(), args, &stdout, &stderr); code != 1 {
		t.Fatalf("diet %q = %d, want 1; stderr:\n%s", args, code, stderr.String())
	}
	const want = "--keep /srv/msg.txt"
	if !strings.Contains(stderr.String(), want) || !strings.Contains(stdout.String(), "try "+want) {
		t.Errorf("diet %q does not suggest %q; stdout:\n%s\nstderr:\n%s", args, want, stdout.String(), stderr.String())
	}
}
