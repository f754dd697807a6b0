package diet_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"

	"github.com/dietimage/diet"
	"github.com/dietimage/diet/internal/test/tartest"
	"github.com/dietimage/diet/rootfs"
	"github.com/dietimage/diet/slim"
	"github.com/dietimage/diet/verify"
)

// socatHandler answers HTTP on stdin and stdout: /a runs cat, /b runs tr.
const socatHandler = `#!/bin/bash
read -r method path _
case "$path" in
  /a) body=$(cat /app/data.txt) ;;
  /b) body=$(tr a-z A-Z < /app/data.txt) ;;
  *) body=none ;;
esac
printf 'HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n%s' "${#body}" "$body"
`

// TestSlimMinimalSocat slims a shell service behind the real socat at
// level minimal: its closure misses the handler socat runs (EXEC:), so
// the command is traced; the probe takes route /a only, and the static
// closure of the handler keeps tr, which route /b runs: the slimmed
// handler answers /b as the original does.
func TestSlimMinimalSocat(t *testing.T) {
	requireTracer(t)
	if os.Geteuid() != 0 {
		t.Skip("probes enter the sandbox's network namespace: they need root (CI runs as root)")
	}
	socat, err := exec.LookPath("socat")
	if err != nil {
		t.Skipf("this test copies socat from the host, which has none (apt-get install socat): %v", err)
	}
	h := tartest.NewHost(t)
	for _, p := range []string{socat, "/bin/bash", "/usr/bin/cat", "/usr/bin/tr"} {
		h.Program(p)
	}
	h.Etc()
	h.Put(tartest.Dir("app"))
	h.Put(tartest.Exec("app/handler.sh", []byte(socatHandler)))
	h.Put(tartest.File("app/data.txt", "data"))
	img := tartest.Image(t, tartest.Step{CreatedBy: "COPY / /", Entries: h.Entries()})
	img, err = mutate.Config(img, v1.Config{
		Entrypoint:   []string{"socat", "TCP-LISTEN:8080,reuseaddr,fork", "EXEC:/app/handler.sh"},
		ExposedPorts: map[string]struct{}{"8080/tcp": {}}, WorkingDir: "/app",
	})
	if err != nil {
		t.Fatal(err)
	}
	probe, err := verify.ParseProbe("http://:8080/a")
	if err != nil {
		t.Fatal(err)
	}
	out, rep, err := diet.Slim(t.Context(), img, slim.Minimal, diet.WithVerify(true), diet.WithProbes(probe),
		diet.WithTimeout(30*time.Second))
	if err != nil {
		t.Fatalf("Slim(minimal): %v", err)
	}
	defer out.Close()
	if v := rep.Verify; v == nil || !v.Same || v.Server == nil || len(v.Server.Probes) != 1 || v.Server.Probes[0].Slimmed != 200 {
		t.Fatalf("Slim(minimal) verification = %+v, want GET /a answered 200 by both", v)
	}
	m := rep.Minimal
	if m == nil || m.By != slim.MinimalByTrace {
		t.Fatalf("Slim(minimal) report's minimal = %+v, want found by tracing", m)
	}
	checkReasons(t, m, out)
	if r := m.Trace.Reasons[3]; r.Reason != slim.TraceScript || r.Files == 0 {
		t.Errorf("reason %+v, want the script's closure to keep tr", r)
	}

	// Route /b, which no probe took, works in the slimmed image.
	dir, err := verify.TempDir("", "diet-test-*") // a directory the sandbox's user can enter
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	root := filepath.Join(dir, "slimmed")
	if err := rootfs.Extract(t.Context(), out, root); err != nil {
		t.Fatal(err)
	}
	c := verify.Command{Argv: []string{"/bin/bash", "-c", "echo 'GET /b HTTP/1.0' | /app/handler.sh"}}
	r, err := verify.Run(t.Context(), root, c, verify.WithTimeout(30*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(string(r.Stdout), "\r\n\r\nDATA") {
		t.Errorf("the slimmed handler's /b printed %q (stderr %q), want the data upper-cased", r.Stdout, lastLines(r.Stderr))
	}
}
