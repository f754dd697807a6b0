package cli

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"

	"github.com/dietimage/diet/internal/test/attacktest"
	"github.com/dietimage/diet/internal/test/tartest"
)

// TestVerifyProbes slims a real HTTP server whose /data route reads a
// file at each request. Removing the file leaves a server that starts,
// logs nothing and answers 500: --verify with a probe of /data catches
// it and writes nothing, in the sandbox and on the engine; a probe of /
// alone, the default for the EXPOSEd port, cannot tell; an untouched
// image passes with the same probe.
func TestVerifyProbes(t *testing.T) {
	attacktest.Require(t, "bwrap")
	if os.Geteuid() != 0 {
		t.Skip("probes enter the sandbox's network namespace: they need root (CI runs as root)")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "server")
	build := exec.Command("go", "build", "-trimpath", "-o", bin, "../../verify/testdata/probeserver")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build probeserver: %v\n%s", err, out)
	}
	body, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	// sh and cat for the exec probes.
	tools := tartest.NewHost(t).Program("/bin/sh").Program("/usr/bin/cat").Etc()
	img := tartest.Image(t, tartest.Step{CreatedBy: "COPY host programs /", Entries: tools.Entries()},
		tartest.Step{CreatedBy: "COPY . /app/", Entries: []tartest.Entry{
			tartest.Dir("app"), tartest.Exec("app/server", body),
			tartest.Dir("app/data"), tartest.File("app/data/greeting.txt", "hi there\n")}})
	config := v1.Config{Entrypoint: []string{"/app/server", "8080"}, ExposedPorts: map[string]struct{}{"8080/tcp": {}}}
	served, err := mutate.Config(img, config)
	if err != nil {
		t.Fatal(err)
	}
	in := filepath.Join(dir, "in.tar")
	tartest.WriteDockerArchive(t, in, served, "")
	// The same with a HEALTHCHECK that asks for /data over the loopback.
	config.Healthcheck = &v1.HealthConfig{Test: []string{"CMD", "/app/server", "get", "http://127.0.0.1:8080/data"}}
	checked, err := mutate.Config(img, config)
	if err != nil {
		t.Fatal(err)
	}
	withHealthcheck := filepath.Join(dir, "healthcheck.tar")
	tartest.WriteDockerArchive(t, withHealthcheck, checked, "")
	probeFile := filepath.Join(dir, "probes.txt")
	if err := os.WriteFile(probeFile, []byte("# the routes\nhttp://:8080/\n\nexec cat /app/data/greeting.txt\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	const healthcheck = `exec ["/app/server" "get" "http://127.0.0.1:8080/data"]`
	for _, tc := range []struct {
		name  string
		flags []string
		code  int
		want  []string // in stdout
		in    string   // default: in
	}{
		{"exec probe of the probe file caught", []string{"--remove", "/app/data", "--probe-file", probeFile}, 1,
			[]string{"GET :8080/                     200 → 200  same", "exec cat /app/data/greeting.txt", "exit 0 → 1"}, ""},
		{"exec probe unchanged", []string{"--probe-exec", "cat /app/data/greeting.txt"}, 0,
			[]string{"exec cat /app/data/greeting.txt", "exit 0 → 0  same", "same behaviour"}, ""},
		{"healthcheck caught", []string{"--remove", "/app/data"}, 1,
			[]string{"GET :8080/", healthcheck, "exit 0 → 1"}, withHealthcheck},
		{"healthcheck caught on the engine", []string{"--verify-with", "docker", "--remove", "/app/data"}, 1,
			[]string{"GET :8080/", healthcheck, "exit 0 → 1"}, withHealthcheck},
		{"healthcheck unchanged", nil, 0, []string{healthcheck, "exit 0 → 0  same"}, withHealthcheck},
		{"500 caught", []string{"--remove", "/app/data", "--probe", "http://:8080/", "--probe", "http://:8080/data"}, 1,
			[]string{"ready on 8080: original yes, slimmed yes", "GET :8080/data", "200 → 500"}, ""},
		{"500 caught on the engine", []string{"--verify-with", "docker", "--remove", "/app/data", "--probe", "http://:8080/data"}, 1,
			[]string{"GET :8080/data", "200 → 500"}, ""},
		{"default probe of the exposed port", []string{"--remove", "/app/data"}, 0,
			[]string{"GET :8080/", "200 → 200  same"}, ""},
		{"unchanged", []string{"--probe", "http://:8080/data", "--probe", "GET http://:8080/time", "--probe-mask", `[0-9:.TZ+-]{20,}`}, 0,
			[]string{"GET :8080/data", "GET :8080/time", "same behaviour"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out.tar")
			args := append([]string{"slim", "--verify", "--verify-timeout", "20s"}, tc.flags...)
			src := in
			if tc.in != "" {
				src = tc.in
			}
			args = append(args, src, "-o", "docker-archive:"+out)
			var stdout, stderr bytes.Buffer
			if code := run(t.Context(), args, &stdout, &stderr); code != tc.code {
				t.Fatalf("diet %q = %d, want %d; stdout:\n%s\nstderr:\n%s", args, code, tc.code, stdout.String(), stderr.String())
			}
			for _, w := range tc.want {
				if !strings.Contains(stdout.String(), w) {
					t.Errorf("diet %q: stdout lacks %q:\n%s", args, w, stdout.String())
				}
			}
			_, err := os.Stat(out)
			if written := err == nil; written != (tc.code == 0) {
				t.Errorf("diet %q exited %d and wrote the output: %v", args, tc.code, written)
			}
		})
	}
}
