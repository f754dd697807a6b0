package cli

import (
	"archive/tar"
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"golang.org/x/sys/unix"

	"github.com/dietimage/diet/internal/test/tartest"
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

// TestSlimBomb: an image whose gzipped layer expands a thousandfold. slim
// spools the squashed layer, and --level minimal extracts a rootfs, under
// TMPDIR: both stop at the reserve DIET_MIN_FREE with the advice, here set
// to leave 16 MiB of the 128 MiB the layer expands to.
func TestSlimBomb(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "bomb.tar")
	tartest.Bomb{N: 128 << 20}.Write(t, in)
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	var st unix.Statfs_t
	if err := unix.Statfs(tmp, &st); err != nil {
		t.Fatal(err)
	}
	t.Setenv("DIET_MIN_FREE", strconv.FormatInt(int64(st.Bavail)*int64(st.Bsize)-16<<20, 10))
	for _, level := range []string{"squash", "minimal"} {
		t.Run(level, func(t *testing.T) {
			out := filepath.Join(dir, level+".tar")
			var stdout, stderr bytes.Buffer
			got := run(t.Context(), []string{"slim", "--level", level, "--keep-base", "0", in, "-o", "docker-archive:" + out}, &stdout, &stderr)
			if got != exitFailed || !strings.Contains(stderr.String(), "below the") || !strings.Contains(stderr.String(), "lower DIET_MIN_FREE") {
				t.Errorf("slim --level %s of a bomb exited %d, stderr %q; want 1 and the free-space error", level, got, stderr.String())
			}
			if _, err := os.Stat(out); err == nil {
				t.Errorf("slim wrote %s", out)
			}
		})
	}
	var stdout, stderr bytes.Buffer
	if got := run(t.Context(), []string{"analyze", in}, &stdout, &stderr); got != exitOK {
		t.Errorf("analyze of the bomb, which spools nothing, exited %d: %s", got, stderr.String())
	}
	t.Setenv("DIET_MIN_FREE", "lots")
	if got := run(t.Context(), []string{"analyze", in}, &stdout, &stderr); got != exitUsage {
		t.Errorf("analyze with DIET_MIN_FREE=lots exited %d, want %d", got, exitUsage)
	}
}

// TestInterruptedSlim: a run whose context is cancelled exits 130 and
// leaves nothing at the target.
func TestInterruptedSlim(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "img.tar")
	tartest.WriteDockerArchive(t, in, tartest.Layers(t, []tartest.Entry{tartest.File("a", "a\n")}, []tartest.Entry{tartest.File("b", "b\n")}), "")
	out := filepath.Join(dir, "out.tar")
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	var stdout, stderr bytes.Buffer
	if got := run(ctx, []string{"slim", in, "-o", out}, &stdout, &stderr); got != exitInterrupted {
		t.Errorf("interrupted slim exited %d, want %d; stderr %q", got, exitInterrupted, stderr.String())
	}
	if _, err := os.Stat(out); err == nil {
		t.Errorf("interrupted slim wrote %s", out)
	}
}

// TestDeclaredSize: an entry whose PAX header declares 1 TB in a layer of
// a few kilobytes is not a truncated file, and re-saving will not help:
// the advice must say what it is.
func TestDeclaredSize(t *testing.T) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	if err := tw.WriteHeader(&tar.Header{Name: "huge", Typeflag: tar.TypeReg, Mode: 0o644, Size: 1 << 40,
		Format: tar.FormatPAX, PAXRecords: map[string]string{"comment": "1 TB"}}); err != nil {
		t.Fatal(err)
	}
	tw.Flush()
	buf.Write(make([]byte, 4096)) // some data, then nothing: the layer ends
	raw := buf.Bytes()
	l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(raw)), nil })
	if err != nil {
		t.Fatal(err)
	}
	img, err := mutate.AppendLayers(empty.Image, l)
	if err != nil {
		t.Fatal(err)
	}
	in := filepath.Join(t.TempDir(), "declared.tar")
	tartest.WriteDockerArchive(t, in, img, "")
	for _, args := range [][]string{{"analyze", in}, {"slim", in, "-o", in + ".out"}} {
		var stdout, stderr bytes.Buffer
		got := run(t.Context(), args, &stdout, &stderr)
		if got != exitFailed || strings.Contains(stderr.String(), "re-run docker save") ||
			!strings.Contains(stderr.String(), "declares more bytes than its layer holds") {
			t.Errorf("diet %s exited %d, stderr %q; want the declared size named, not a truncation", args[0], got, stderr.String())
		}
	}
}

// TestRegistryMessages: a plain-HTTP registry on a loopback address needs
// --insecure, and says so; a missing image in a registry is not advised
// with docker images, which lists the engine's.
func TestRegistryMessages(t *testing.T) {
	host := tartest.ServeRegistry(t)
	ref := "docker://" + host + "/diet/app:1"
	src := filepath.Join(t.TempDir(), "img.tar")
	tartest.WriteDockerArchive(t, src, tartest.Layers(t, []tartest.Entry{tartest.File("a", "a\n")}), "")
	for _, tc := range []struct {
		args []string
		code int
		want string // in stderr
		not  string
	}{
		{[]string{"slim", src, "-o", ref}, exitFailed, "pass --insecure", ""},
		{[]string{"slim", "--insecure", src, "-o", ref}, exitOK, "", ""},
		{[]string{"analyze", ref}, exitFailed, "pass --insecure", ""},
		{[]string{"analyze", "--insecure", ref}, exitOK, "", ""},
		{[]string{"analyze", "--insecure", "docker://" + host + "/diet/none:1"}, exitFailed, "check the name, the registry and your credentials", "docker images"},
	} {
		var stdout, stderr bytes.Buffer
		got := run(t.Context(), tc.args, &stdout, &stderr)
		if got != tc.code || !strings.Contains(stderr.String(), tc.want) || (tc.not != "" && strings.Contains(stderr.String(), tc.not)) {
			t.Errorf("diet %q exited %d, stderr %q; want %d and %q", tc.args, got, stderr.String(), tc.code, tc.want)
		}
	}
}
