package slim

import (
	"archive/tar"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/dietimage/diet/internal/tartest"
)

// TestStrip strips a real unstripped Go program and runs the result.
func TestStrip(t *testing.T) {
	if _, err := exec.LookPath("strip"); err != nil {
		t.Skip("binutils' strip is not installed (.ci/run installs it)")
	}
	root := staticRoot(t)
	prog, err := os.ReadFile(filepath.Join(root, "app", "server"))
	if err != nil {
		t.Fatal(err)
	}
	img := tartest.Image(t,
		tartest.Step{CreatedBy: "ADD file:x in /", Entries: []tartest.Entry{tartest.File("etc/hostname", "x\n")}},
		tartest.Step{CreatedBy: "CMD [\"sh\"]", Empty: true},
		tartest.Step{CreatedBy: "COPY server /app/", Entries: []tartest.Entry{
			tartest.Exec("app/server", prog), tartest.File("app/config.txt", string(make([]byte, 2000))),
		}},
	)
	p, out := slimmed(t, img, Squash, WithStrip(true))
	if p.Written.Stripped != 1 || p.Written.StrippedBytes < int64(len(prog))/5 {
		t.Fatalf("stripped %d files by %d bytes; want the program, by a fifth of its %d bytes at least",
			p.Written.Stripped, p.Written.StrippedBytes, len(prog))
	}
	layers, _ := out.Layers()
	rc, err := layers[len(layers)-1].Uncompressed()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if err != nil {
			t.Fatalf("no app/server in the new layer: %v", err)
		}
		if h.Name != "app/server" {
			continue
		}
		bin := filepath.Join(t.TempDir(), "server")
		f, _ := os.OpenFile(bin, os.O_CREATE|os.O_WRONLY, 0o755)
		io.Copy(f, tr)
		f.Close()
		if got, err := exec.Command(bin).CombinedOutput(); err != nil || string(got) != "hi\n" {
			t.Fatalf("the stripped program says %q, %v; want hi", got, err)
		}
		if h.Size != int64(len(prog))-p.Written.StrippedBytes {
			t.Errorf("header size %d does not match the stripped body", h.Size)
		}
		return
	}
}
