package verify

import (
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/dietimage/diet/internal/test/enginetest"
	"github.com/dietimage/diet/internal/test/tartest"
)

// execServerImage is the probe server's image with sh, cat, id and sleep
// beside it, for exec probes to run.
func execServerImage(t testing.TB, greeting string) v1.Image {
	t.Helper()
	return toolsImage(t, serverStep(t, greeting))
}

// execProbes are the exec probes of the tests: a file read, the server
// asked over the loopback they share, a failure, and a child left behind
// (marked 987654) that must not outlive its probe.
func execProbes() []Probe {
	return []Probe{
		ShellProbe("cat /app/data/greeting.txt"),
		{Exec: []string{"/app/probeserver", "get", "http://127.0.0.1:8080/data"}},
		ShellProbe("echo failing; exit 3"),
		ShellProbe("sleep 987654 & echo left a child"),
	}
}

// TestRunExecProbes runs exec probes beside the server in the sandbox:
// they see its files and its loopback, their exit codes and stdout are
// their answers, they leave no process, and a traced run sees the files
// they read. An image without the file they read is caught.
func TestRunExecProbes(t *testing.T) {
	t.Parallel()
	requireSandbox(t)
	ps := append([]Probe{{Port: 8080, Path: "/"}}, execProbes()...)
	run := func(img v1.Image, opts ...Option) *Result {
		t.Helper()
		c, marker := server(8080)
		opts = append(opts, WithProbes(ps...), WithTimeout(2*time.Minute), WithReadyTimeout(time.Minute))
		r, err := Run(t.Context(), extracted(t, img), c, opts...)
		if err != nil {
			t.Fatal(err)
		}
		noneLeft(t, marker)
		noneLeft(t, "987654")
		return r
	}
	original := run(execServerImage(t, greeting), WithTrace(true))
	want := []struct {
		code   int
		stdout string
	}{
		{0, greeting},
		{0, greeting},
		{3, "failing\n"},
		{0, "left a child\n"},
	}
	if !original.Ready || len(original.Probes) != len(ps) {
		t.Fatalf("Run = ready %v (%q), %d probes; want ready, %d", original.Ready, original.NotReady, len(original.Probes), len(ps))
	}
	for i, w := range want {
		got := original.Probes[i+1]
		if got.ExitCode != w.code || string(got.Body) != w.stdout || got.Error != "" || got.Status != 0 || got.Elapsed <= 0 {
			t.Errorf("probe %s = exit %d, %q (error %q); want exit %d, %q", ps[i+1], got.ExitCode, got.Body, got.Error, w.code, w.stdout)
		}
	}
	if !slices.Contains(original.Accessed, "/app/data/greeting.txt") {
		t.Errorf("traced run: Accessed lacks /app/data/greeting.txt, which only the exec probes read: %q", original.Accessed)
	}
	again := run(execServerImage(t, greeting))
	if same, reason := Compare(original, again); !same || reason != "ready on port 8080; 5 probes answered the same" {
		t.Errorf("Compare(original, original) = %v, %q; want the same", same, reason)
	}
	slimmed := run(execServerImage(t, ""))
	const why = `exec cat /app/data/greeting.txt: exit code 0 → 1, stdout "hi there\n" → "" (1 more probe differs)`
	if same, reason := Compare(original, slimmed); same || reason != why {
		t.Errorf("Compare(original, without greeting.txt) = %v, %q; want false, %q", same, reason, why)
	}
}

// TestRunExecProbeIsolated: an exec probe has the sandbox's loopback and
// its own PID namespace, not the host's, and runs as the server's user.
func TestRunExecProbeIsolated(t *testing.T) {
	t.Parallel()
	requireSandbox(t)
	ps := []Probe{{Port: 8080, Path: "/"}, ShellProbe("echo $$; id -u"), ShellProbe("cat /proc/net/tcp"), {Exec: []string{"ls", "/proc"}}}
	c, marker := server(8080)
	c.User = "1234"
	r, err := Run(t.Context(), extracted(t, execServerImage(t, greeting)), c, WithProbes(ps...), WithTimeout(2*time.Minute), WithReadyTimeout(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	noneLeft(t, marker)
	if !r.Ready || len(r.Probes) != len(ps) {
		t.Fatalf("Run = ready %v (%q), %d probes; want ready, %d", r.Ready, r.NotReady, len(r.Probes), len(ps))
	}
	// pid 2 under bwrap's init, as the server's user.
	if got := string(r.Probes[1].Body); got != "2\n1234\n" {
		t.Errorf("exec probe's pid and uid = %q, want 2 and 1234", got)
	}
	// The server's namespace: its listening socket on 127.0.0.1:8080
	// (0100007F:1F90, state 0A), and the probes' closed connections, all
	// on the loopback.
	tcp := strings.Split(strings.TrimSpace(string(r.Probes[2].Body)), "\n")
	if len(tcp) < 2 || !strings.Contains(tcp[1], "0100007F:1F90 00000000:0000 0A") {
		t.Errorf("exec probe's /proc/net/tcp = %q; want the server's listening socket first", tcp)
	}
	for _, l := range tcp[1:] {
		if f := strings.Fields(l); len(f) < 3 || !strings.HasPrefix(f[1], "0100007F:") {
			t.Errorf("exec probe's /proc/net/tcp has %q, not on the loopback", l)
		}
	}
	// A PID namespace of its own: bwrap's init and ls.
	var pids []string
	for _, f := range strings.Fields(string(r.Probes[3].Body)) {
		if strings.Trim(f, "0123456789") == "" {
			pids = append(pids, f)
		}
	}
	if !slices.Equal(pids, []string{"1", "2"}) {
		t.Errorf("exec probe saw processes %q in /proc, want 1 and 2 (a PID namespace of its own)", pids)
	}
}

// TestRunExecProbeNotFound: a probe whose program the image lacks exits
// 127, as under the engine.
func TestRunExecProbeNotFound(t *testing.T) {
	t.Parallel()
	requireSandbox(t)
	ps := []Probe{{Exec: []string{"/app/nothere"}}}
	c, marker := server(8080)
	r, err := Run(t.Context(), extracted(t, execServerImage(t, greeting)), c, WithProbes(ps...), WithPorts(8080), WithTimeout(2*time.Minute), WithReadyTimeout(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	noneLeft(t, marker)
	if !r.Ready || len(r.Probes) != 1 || r.Probes[0].ExitCode != 127 {
		t.Fatalf("Run = ready %v (%q), probes %+v; want ready, exit 127", r.Ready, r.NotReady, r.Probes)
	}
}

func TestExecProbesNeedPorts(t *testing.T) {
	t.Parallel()
	_, err := Run(t.Context(), t.TempDir(), Command{Argv: []string{"x"}}, WithProbes(ShellProbe("true")))
	if err == nil || !strings.Contains(err.Error(), "exec probes run once the server is ready") {
		t.Errorf("Run with an exec probe and no port = %v, want an error asking for ports", err)
	}
}

// TestRunEngineExecProbes: docker exec gives the same answers as the
// sandbox, and the missing file is caught the same way.
func TestRunEngineExecProbes(t *testing.T) {
	enginetest.Require(t)
	requireSandbox(t)
	dir := t.TempDir()
	const tag = "diet-verify-test:exec-probes"
	tartest.WriteDockerArchive(t, filepath.Join(dir, "original.tar"), execServerImage(t, greeting), tag)
	tartest.WriteDockerArchive(t, filepath.Join(dir, "slimmed.tar"), execServerImage(t, ""), tag)
	ps := append([]Probe{{Port: 8080, Path: "/"}}, execProbes()...)
	opts := []Option{WithProbes(ps...), WithTimeout(2 * time.Minute), WithReadyTimeout(time.Minute)}
	c, _ := server(8080)
	engine, err := RunEngine(t.Context(), filepath.Join(dir, "original.tar"), tag, c, opts...)
	if err != nil {
		t.Fatal(err)
	}
	sandbox, err := Run(t.Context(), extracted(t, execServerImage(t, greeting)), c, opts...)
	if err != nil {
		t.Fatal(err)
	}
	codes := func(r *Result) []int {
		var c []int
		for _, p := range r.Probes {
			c = append(c, p.ExitCode)
		}
		return c
	}
	if diff := cmp.Diff(codes(sandbox), codes(engine)); diff != "" {
		t.Errorf("exit codes, sandbox vs engine (-sandbox +engine):\n%s", diff)
	}
	if same, reason := Compare(engine, sandbox); !same {
		t.Errorf("Compare(engine, sandbox) = false, %q; want the same answers", reason)
	}
	slimmed, err := RunEngine(t.Context(), filepath.Join(dir, "slimmed.tar"), tag, c, opts...)
	if err != nil {
		t.Fatal(err)
	}
	const why = `exec cat /app/data/greeting.txt: exit code 0 → 1, stdout "hi there\n" → "" (1 more probe differs)`
	if same, reason := Compare(engine, slimmed); same || reason != why {
		t.Errorf("Compare(engine, engine without greeting.txt) = %v, %q; want false, %q", same, reason, why)
	}
	if left := enginetest.Docker(t, "ps", "--all", "--quiet", "--filter", "name=diet-verify-"); left != "" {
		t.Errorf("RunEngine left containers: %s", left)
	}
	if err := exec.Command("docker", "image", "inspect", tag).Run(); err == nil {
		t.Errorf("RunEngine left %s in the engine", tag)
	}
}
