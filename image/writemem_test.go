package image

import (
	"bufio"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dietimage/diet/internal/test/enginetest"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// TestWriteMemory writes a 2 MiB and a 16 MiB image of streamed layers that
// say no size: what Write allocates must not grow with the layers.
func TestWriteMemory(t *testing.T) {
	const small, large = 2 << 20, 16 << 20
	imgs := map[int64]v1.Image{small: genImage(t, small*2/3, small/3), large: genImage(t, large*2/3, large/3)}
	for _, tc := range []struct {
		name   string
		ref    func(dir string) string
		engine bool
	}{
		{name: "docker-archive", ref: func(d string) string { return "docker-archive:" + d + "/x.tar" }},
		{name: "oci", ref: func(d string) string { return "oci:" + d + "/layout" }},
		{name: "docker-daemon", ref: func(string) string { return fmt.Sprintf("docker-daemon:diet-test:mem-%d", os.Getpid()) }, engine: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.engine {
				enginetest.Require(t)
				t.Cleanup(func() { exec.Command("docker", "rmi", "-f", strings.TrimPrefix(tc.ref(""), "docker-daemon:")).Run() })
			}
			var got [2]memStats
			for i, size := range []int64{small, large} {
				ref := tc.ref(t.TempDir())
				got[i] = measureMem(func() {
					if err := Write(t.Context(), imgs[size], ref, WithJobs(2)); err != nil {
						t.Fatalf("Write(%q) = %v", ref, err)
					}
				})
				t.Logf("%d MiB: allocated %.1f MiB, peak heap +%.1f MiB, %v", size>>20, mib(got[i].alloc), mib(got[i].peak), got[i].took)
			}
			if got[1].alloc > got[0].alloc+2<<20 || got[1].peak > 16<<20 {
				t.Errorf("Write allocated %.1f MiB for %d MiB and %.1f MiB for %d MiB (peak heap +%.1f MiB): memory grows with the layers",
					mib(got[0].alloc), small>>20, mib(got[1].alloc), large>>20, mib(got[1].peak))
			}
		})
	}
}

func mib(n uint64) float64 { return float64(n) / (1 << 20) }

// BenchmarkWrite writes a 200 MiB image of five layers (96, 48, 32, 16 and
// 8 MiB, half random, half text) through every transport: from layers made
// on the fly (no size known: an archive patches headers, the engine stream
// reads each layer twice) and from a docker-archive on disk. The registry
// runs in another process, so that its buffers are not counted.
func BenchmarkWrite(b *testing.B) {
	sizes := []int64{96 << 20, 48 << 20, 32 << 20, 16 << 20, 8 << 20}
	var total int64
	for _, n := range sizes {
		total += n
	}
	gen := genImage(b, sizes...)
	src := filepath.Join(b.TempDir(), "src.tar")
	if err := Write(b.Context(), gen, "docker-archive:"+src); err != nil {
		b.Fatal(err)
	}
	archive, err := Open(b.Context(), "docker-archive:"+src)
	if err != nil {
		b.Fatal(err)
	}
	host := helperRegistry(b)
	tag := fmt.Sprintf("diet-test:bench-%d", os.Getpid())
	run := 0
	for _, tc := range []struct {
		name string
		img  v1.Image
		ref  func(dir string) string
	}{
		{"docker-archive/from-stream", gen, func(d string) string { return "docker-archive:" + d + "/x.tar" }},
		{"docker-archive/from-archive", archive, func(d string) string { return "docker-archive:" + d + "/x.tar" }},
		{"oci/from-archive", archive, func(d string) string { return "oci:" + d + "/layout" }},
		{"docker/from-archive", archive, func(string) string { run++; return fmt.Sprintf("docker://%s/bench/%d:x", host, run) }},
		{"docker-daemon/from-stream", gen, func(string) string { return "docker-daemon:" + tag }},
		{"docker-daemon/from-archive", archive, func(string) string { return "docker-daemon:" + tag }},
	} {
		b.Run(tc.name, func(b *testing.B) {
			if strings.HasPrefix(tc.name, "docker-daemon") {
				enginetest.Require(b)
				b.Cleanup(func() { exec.Command("docker", "rmi", "-f", tag).Run() })
			}
			b.SetBytes(total)
			b.ReportAllocs()
			var peak uint64
			for b.Loop() {
				dir, err := os.MkdirTemp(b.TempDir(), "out-")
				if err != nil {
					b.Fatal(err)
				}
				ref := tc.ref(dir)
				m := measureMem(func() {
					if err := Write(b.Context(), tc.img, ref, WithInsecure(true)); err != nil {
						b.Fatalf("Write(%q) = %v", ref, err)
					}
				})
				peak = max(peak, m.peak)
				os.RemoveAll(dir)
			}
			b.ReportMetric(mib(peak), "peak-heap-MiB")
		})
	}
}

// helperRegistry serves a registry from TestHelperRegistry in a child
// process, with blobs on disk, until the benchmark ends.
func helperRegistry(b *testing.B) (host string) {
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperRegistry$")
	cmd.Env = append(os.Environ(), "DIET_HELPER_REGISTRY="+b.TempDir())
	stdin, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		stdin.Close()
		cmd.Wait()
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		b.Fatalf("helper registry: %v", err)
	}
	return strings.TrimSpace(line)
}

// TestHelperRegistry is no test: helperRegistry runs the test binary again
// to serve a registry in another process, until its stdin closes.
func TestHelperRegistry(t *testing.T) {
	dir := os.Getenv("DIET_HELPER_REGISTRY")
	if dir == "" {
		t.Skip("the registry process of BenchmarkWrite")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: registry.New(registry.Logger(log.New(io.Discard, "", 0)),
		registry.WithBlobHandler(registry.NewDiskBlobHandler(dir)))}
	go srv.Serve(l)
	fmt.Println(l.Addr())
	io.Copy(io.Discard, os.Stdin)
	srv.Close()
}
