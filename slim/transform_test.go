package slim

import (
	"archive/tar"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/dietimage/diet/internal/test/tartest"
)

// goProgram builds a static Go program that prints "hi" and returns its
// path, in a directory of its own.
func goProgram(t *testing.T) string {
	src := filepath.Join(t.TempDir(), "main.go")
	os.WriteFile(src, []byte("package main\nfunc main() { println(\"hi\") }\n"), 0o644)
	bin := filepath.Join(t.TempDir(), "server")
	cmd := exec.Command("go", "build", "-o", bin, src)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// programImage is an image whose top layer holds a real unstripped Go
// program, /app/server, that prints "hi", beside the given entries.
func programImage(t *testing.T, more ...tartest.Entry) (v1.Image, []byte) {
	prog, err := os.ReadFile(goProgram(t))
	if err != nil {
		t.Fatal(err)
	}
	return tartest.Image(t,
		tartest.Step{CreatedBy: "ADD file:x in /", Entries: []tartest.Entry{tartest.File("etc/hostname", "x\n")}},
		tartest.Step{CreatedBy: "CMD [\"sh\"]", Empty: true},
		tartest.Step{CreatedBy: "COPY server /app/", Entries: append([]tartest.Entry{
			tartest.Exec("app/server", prog), tartest.File("app/config.txt", string(make([]byte, 2000))),
		}, more...)},
	), prog
}

// extractFile writes the new layer's member name to an executable file
// and returns its path and header.
func extractFile(t *testing.T, out v1.Image, name string) (string, *tar.Header) {
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
			t.Fatalf("no %s in the new layer: %v", name, err)
		}
		if h.Name != name {
			continue
		}
		bin := filepath.Join(t.TempDir(), filepath.Base(name))
		f, _ := os.OpenFile(bin, os.O_CREATE|os.O_WRONLY, 0o755)
		io.Copy(f, tr)
		f.Close()
		return bin, h
	}
}

// TestStrip strips a real unstripped Go program and runs the result.
func TestStrip(t *testing.T) {
	if _, err := exec.LookPath("strip"); err != nil {
		t.Skip("binutils' strip is not installed (.ci/run installs it)")
	}
	img, prog := programImage(t)
	_, out := slimmed(t, img, Squash, WithStrip(true))
	r := report(t, out)
	if r.Stripped != 1 || r.StrippedBytes < int64(len(prog))/5 {
		t.Fatalf("stripped %d files by %d bytes; want the program, by a fifth of its %d bytes at least",
			r.Stripped, r.StrippedBytes, len(prog))
	}
	if r.UPX != nil {
		t.Errorf("UPX = %+v without WithUPX, want nil", r.UPX)
	}
	bin, h := extractFile(t, out, "app/server")
	if got, err := exec.Command(bin).CombinedOutput(); err != nil || string(got) != "hi\n" {
		t.Fatalf("the stripped program says %q, %v; want hi", got, err)
	}
	if h.Size != int64(len(prog))-r.StrippedBytes {
		t.Errorf("header size %d does not match the stripped body", h.Size)
	}
}

// TestUPX strips and packs a real Go program, which still runs, and skips
// what UPX cannot pack: a program packed already. Libraries, small
// programs and files that are not executable are not offered to it.
func TestUPX(t *testing.T) {
	for _, tool := range []string{"strip", "upx"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed (.ci/run installs binutils and upx-ucl)", tool)
		}
	}
	packed := goProgram(t)
	if out, err := exec.Command("upx", "-q", packed).CombinedOutput(); err != nil {
		t.Fatalf("upx: %v\n%s", err, out)
	}
	packedBody, _ := os.ReadFile(packed)
	lib, err := os.ReadFile("/bin/true") // an ELF file named like a library
	if err != nil {
		t.Skip(err)
	}
	img, prog := programImage(t,
		tartest.Exec("app/packed", packedBody),
		tartest.Exec("usr/lib/libfoo.so.1", append(lib, make([]byte, minPack)...)),
		tartest.Exec("app/small", lib[:min(len(lib), minPack-1)]),
		tartest.Sized("app/data.bin", 2*minPack),
	)
	_, out := slimmed(t, img, Squash, WithStrip(true), WithUPX(true))
	pk := report(t, out).UPX
	if pk == nil || len(pk.Packed) != 1 || pk.Packed[0].Path != "/app/server" {
		t.Fatalf("Packing = %+v, want /app/server packed", pk)
	}
	if got := pk.Packed[0]; got.Before >= int64(len(prog))*4/5 || got.After >= got.Before/2 ||
		pk.SavedBytes != got.Before-got.After {
		t.Errorf("packed %+v, saved %d; want the stripped size before, under half of it after", got, pk.SavedBytes)
	}
	if len(pk.Skipped) != 1 || pk.Skipped[0].Path != "/app/packed" || !strings.Contains(pk.Skipped[0].Reason, "AlreadyPacked") {
		t.Errorf("Skipped = %+v, want /app/packed, packed already", pk.Skipped)
	}
	bin, h := extractFile(t, out, "app/server")
	if got, err := exec.Command(bin).CombinedOutput(); err != nil || string(got) != "hi\n" {
		t.Fatalf("the packed program says %q, %v; want hi", got, err)
	}
	if h.Size != pk.Packed[0].After {
		t.Errorf("header size %d, packed size %d", h.Size, pk.Packed[0].After)
	}
}
