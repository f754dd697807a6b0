package verify

import (
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/dietimage/diet/internal/test/enginetest"
	"github.com/dietimage/diet/internal/test/tartest"
)

// probeServerBinary builds testdata/probeserver once for the test binary:
// a static Go program (CGO_ENABLED=0) that an image of one file runs.
var probeServerBinary = sync.OnceValues(func() ([]byte, error) {
	dir, err := os.MkdirTemp("", "diet-probeserver-*")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	bin := filepath.Join(dir, "probeserver")
	cmd := exec.Command("go", "build", "-trimpath", "-o", bin, "./testdata/probeserver")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return nil, &exec.ExitError{Stderr: out}
	}
	return os.ReadFile(bin)
})

// serverImage is an image holding the probe server, /app/probeserver, and
// /app/data/greeting.txt unless greeting is "".
func serverImage(t testing.TB, greeting string) v1.Image {
	t.Helper()
	return tartest.Image(t, serverStep(t, greeting))
}

// serverStep is the layer of serverImage.
func serverStep(t testing.TB, greeting string) tartest.Step {
	t.Helper()
	bin, err := probeServerBinary()
	if err != nil {
		if ee, ok := errors.AsType[*exec.ExitError](err); ok {
			t.Fatalf("go build ./testdata/probeserver: %s", ee.Stderr)
		}
		t.Fatal(err)
	}
	entries := entries{tartest.Dir("app"), tartest.Exec("app/probeserver", bin)}
	if greeting != "" {
		entries = append(entries, tartest.Dir("app/data"), tartest.File("app/data/greeting.txt", greeting))
	}
	return tartest.Step{CreatedBy: "COPY probeserver /app/", Entries: entries}
}

// server is the command that runs the probe server on port, marked with a
// word of its own so that a test can look for what it left running.
func server(port int, words ...string) (Command, string) {
	marker := "m" + strings.ToLower(rand.Text()[:10])
	argv := append([]string{"/app/probeserver", strconv.Itoa(port), marker}, words...)
	return Command{Argv: argv}, marker
}

func probes(t testing.TB, spellings ...string) []Probe {
	t.Helper()
	var ps []Probe
	for _, s := range spellings {
		p, err := ParseProbe(s)
		if err != nil {
			t.Fatal(err)
		}
		ps = append(ps, p)
	}
	return ps
}

// noneLeft fails t if a process whose command line holds marker runs.
func noneLeft(t testing.TB, marker string) {
	t.Helper()
	procs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, p := range procs {
		if b, err := os.ReadFile(p); err == nil && bytes.Contains(b, []byte(marker)) {
			t.Errorf("left running: %s: %q", p, bytes.ReplaceAll(b, []byte{0}, []byte{' '}))
		}
	}
}

// noNetnsLeft fails t if this process holds a descriptor of a network
// namespace. Only a test that runs alone (not parallel) may call it.
func noNetnsLeft(t testing.TB) {
	t.Helper()
	fds, _ := filepath.Glob("/proc/self/fd/*")
	for _, fd := range fds {
		if l, err := os.Readlink(fd); err == nil && strings.HasPrefix(l, "net:[") {
			t.Errorf("left open: %s → %s", fd, l)
		}
	}
}

// timeMask masks what /time answers.
var timeMask = regexp.MustCompile(`\d{4}-\d\d-\d\dT\S+`)

const greeting = "hi there\n"

// TestRunProbes runs the server in the sandbox and probes it: the answers
// are its own, and the run ends once the probes are done. It runs alone, to
// see that no namespace descriptor is left.
func TestRunProbes(t *testing.T) {
	requireSandbox(t)
	img := serverImage(t, greeting)
	ps := probes(t, "http://:8080/", "http://:8080/data", "http://:8080/time", `POST http://:8080/echo {"a": 1}`, "http://:8080/nothere")
	for _, trace := range []bool{false, true} {
		t.Run(fmt.Sprintf("trace=%v", trace), func(t *testing.T) {
			c, marker := server(8080)
			rootfs := extracted(t, img)
			start := time.Now()
			r, err := Run(t.Context(), rootfs, c, WithProbes(ps...), WithMask(timeMask), WithTimeout(time.Minute), WithTrace(trace))
			if err != nil {
				t.Fatal(err)
			}
			if took := time.Since(start); took > 20*time.Second {
				t.Errorf("Run took %v: it must stop the server once the probes are done, not wait for the 1m timeout", took)
			}
			if !r.Ready || !r.Stopped || r.TimedOut || r.ExitCode != 137 || len(r.Ports) != 1 || r.Ports[0] != 8080 {
				t.Errorf("Run = ready %v (%q) on %v, stopped %v, timed out %v, exit %d; want ready on [8080], stopped, 137",
					r.Ready, r.NotReady, r.Ports, r.Stopped, r.TimedOut, r.ExitCode)
			}
			checkAnswers(t, ps, r.Probes)
			noneLeft(t, marker)
			noNetnsLeft(t)
		})
	}
}

// checkAnswers checks the probe server's answers to ps.
func checkAnswers(t *testing.T, ps []Probe, got []ProbeResult) {
	t.Helper()
	text := "text/plain; charset=utf-8"
	want := []struct {
		status int
		ctype  string
		body   string
	}{
		{200, text, "hello\n"},
		{200, text, greeting},
		{200, text, "now " + Masked + "\n"},
		{200, "application/json", `{"a": 1}`},
		{404, text, "404 page not found\n"},
	}
	if len(got) != len(ps) {
		t.Fatalf("%d probe results, want %d: %+v", len(got), len(ps), got)
	}
	for i, w := range want[:len(ps)] {
		g := got[i]
		if g.Probe.String() != ps[i].String() || g.Status != w.status || g.Header.Get("Content-Type") != w.ctype ||
			string(g.Body) != w.body || g.Error != "" || len(g.Header) != 1 || g.Elapsed <= 0 {
			t.Errorf("probe %s = %d %v %q (error %q) in %v; want %d %q %q", ps[i], g.Status, g.Header, g.Body, g.Error, g.Elapsed, w.status, w.ctype, w.body)
		}
	}
}

// TestCompareProbes: identical runs are the same once /time is masked, a
// server that answers 500 where the original answered 200 is caught, and
// without probes (the server logs nothing) it is not.
func TestCompareProbes(t *testing.T) {
	t.Parallel()
	requireSandbox(t)
	original, slimmed := serverImage(t, greeting), serverImage(t, "")
	ps := probes(t, "http://:8080/", "http://:8080/data", "http://:8080/time")
	run := func(img v1.Image, opts ...Option) *Result {
		c, marker := server(8080)
		r, err := Run(t.Context(), extracted(t, img), c, append(opts, WithTimeout(time.Minute))...)
		if err != nil {
			t.Fatal(err)
		}
		noneLeft(t, marker)
		return r
	}
	masked := []Option{WithProbes(ps...), WithMask(timeMask)}
	o1, o2, s := run(original, masked...), run(original, masked...), run(slimmed, masked...)
	if same, reason := Compare(o1, o2); !same || reason != "ready on port 8080; 3 probes answered the same" {
		t.Errorf("Compare(original, original) = %v, %q; want the same", same, reason)
	}
	const data = `GET :8080/data: status 200 → 500, body "hi there\n" → "no greeting\n"`
	if same, reason := Compare(o1, s); same || reason != data {
		t.Errorf("Compare(original, without greeting.txt) = %v, %q; want false, %q", same, reason, data)
	}

	// Without the mask the clock tells the runs apart.
	u1, u2 := run(original, WithProbes(ps...)), run(original, WithProbes(ps...))
	if same, reason := Compare(u1, u2); same || !strings.HasPrefix(reason, "GET :8080/time: body ") {
		t.Errorf("Compare(original, original) unmasked = %v, %q; want /time to differ", same, reason)
	}

	// Without probes both runs end at the timeout having logged nothing:
	// the old rule finds them the same, the 500 unseen.
	b, err := Run(t.Context(), extracted(t, original), Command{Argv: []string{"/app/probeserver", "8080"}}, WithTimeout(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	a, err := Run(t.Context(), extracted(t, slimmed), Command{Argv: []string{"/app/probeserver", "8080"}}, WithTimeout(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if same, reason := Compare(b, a); !same {
		t.Errorf("Compare without probes = false, %q; the log rule used to pass this server", reason)
	}
}

// TestRunNotReady: a server that never listens, and one that cannot start,
// are not ready, are stopped at the readiness timeout, and differ from one
// that is.
func TestRunNotReady(t *testing.T) {
	t.Parallel()
	requireSandbox(t)
	img := serverImage(t, greeting)
	ps := probes(t, "http://:8080/")
	c, marker := server(8080)
	// The baseline gets all the time a loaded machine may need to start
	// the server; it is ready as soon as the server listens.
	ready, err := Run(t.Context(), extracted(t, img), c, WithProbes(ps...), WithReadyTimeout(30*time.Second), WithTimeout(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	noneLeft(t, marker)
	tests := []struct {
		name string
		argv func(c Command) []string
		why  string
		code int
		wait time.Duration // the readiness timeout: a command that ends needs none, give it plenty
	}{
		{"never listens", func(c Command) []string { return append(c.Argv, "idle") },
			"port 8080 refused connections for 1s", 137, time.Second},
		{"cannot start", func(c Command) []string { return append([]string{"/app/nothere"}, c.Argv[1:]...) },
			"the command exited with code 127 before port 8080 accepted connections", 127, 15 * time.Second},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, marker := server(8080)
			c.Argv = tc.argv(c)
			start := time.Now()
			r, err := Run(t.Context(), extracted(t, img), c, WithProbes(ps...), WithReadyTimeout(tc.wait), WithTimeout(time.Minute))
			if err != nil {
				t.Fatal(err)
			}
			if took := time.Since(start); took > 20*time.Second {
				t.Errorf("Run took %v: a server not ready must be stopped at the 1s readiness timeout", took)
			}
			if r.Ready || r.NotReady != tc.why || r.Probes != nil || r.ExitCode != tc.code || r.TimedOut {
				t.Errorf("Run = ready %v, %q, probes %v, exit %d, timed out %v; want not ready, %q, no probes, %d",
					r.Ready, r.NotReady, r.Probes, r.ExitCode, r.TimedOut, tc.why, tc.code)
			}
			if same, reason := Compare(ready, r); same || reason != "not ready: "+tc.why {
				t.Errorf("Compare(ready, %s) = %v, %q; want false, %q", tc.name, same, reason, "not ready: "+tc.why)
			}
			noneLeft(t, marker)
		})
	}
}

// TestRunProbesIsolated: a probe reaches the sandbox and nothing else, and
// the sandbox cannot reach the host. The host listens on the very port the
// server listens on inside: the probes get the server's answers, and the
// host's listeners see no connection.
func TestRunProbesIsolated(t *testing.T) {
	t.Parallel()
	requireSandbox(t)
	var accepted atomic.Int32
	listen := func() int {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { l.Close() })
		go func() {
			for {
				c, err := l.Accept()
				if err != nil {
					return
				}
				accepted.Add(1)
				c.Close()
			}
		}()
		return l.Addr().(*net.TCPAddr).Port
	}
	port, other := listen(), listen()
	c, marker := server(port)
	ps := probes(t, "http://:"+strconv.Itoa(port)+"/", "http://:"+strconv.Itoa(port)+"/reach?port="+strconv.Itoa(other),
		"http://:"+strconv.Itoa(other)+"/")
	r, err := Run(t.Context(), extracted(t, serverImage(t, greeting)), c, WithProbes(ps...), WithPorts(port))
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		status int
		body   string
		err    string
	}{
		{200, "hello\n", ""},          // the sandbox's server, not the host's listener
		{200, "unreachable\n", ""},    // the host, from inside
		{0, "", "connection refused"}, // a port the host listens on, from the probe
	}
	if !r.Ready || len(r.Probes) != len(want) {
		t.Fatalf("Run = ready %v (%q), %d probes; want ready, %d", r.Ready, r.NotReady, len(r.Probes), len(want))
	}
	for i, w := range want {
		if got := r.Probes[i]; got.Status != w.status || string(got.Body) != w.body || got.Error != w.err {
			t.Errorf("probe %s = %d %q %q; want %d %q %q", ps[i], got.Status, got.Body, got.Error, w.status, w.body, w.err)
		}
	}
	if n := accepted.Load(); n != 0 {
		t.Errorf("the host's listeners on 127.0.0.1:%d and :%d accepted %d connections during the run, want none", port, other, n)
	}
	noneLeft(t, marker)
}

// TestRunEngineProbes: on the engine, the same probes give the same
// answers as in the sandbox, the 500 is caught the same way, and a server
// that never listens is not ready.
func TestRunEngineProbes(t *testing.T) {
	enginetest.Require(t)
	requireSandbox(t)
	dir := t.TempDir()
	const tag = "diet-verify-test:probes"
	original, slimmed := serverImage(t, greeting), serverImage(t, "")
	tartest.WriteDockerArchive(t, filepath.Join(dir, "original.tar"), original, tag)
	tartest.WriteDockerArchive(t, filepath.Join(dir, "slimmed.tar"), slimmed, tag)
	ps := probes(t, "http://:8080/", "http://:8080/data", "http://:8080/time", `POST http://:8080/echo {"a": 1}`)
	opts := []Option{WithProbes(ps...), WithMask(timeMask), WithTimeout(time.Minute), WithReadyTimeout(30 * time.Second)}
	c, _ := server(8080)
	engine, err := RunEngine(t.Context(), filepath.Join(dir, "original.tar"), tag, c, opts...)
	if err != nil {
		t.Fatal(err)
	}
	if !engine.Ready || !engine.Stopped || engine.ExitCode != 137 {
		t.Errorf("RunEngine = ready %v (%q), stopped %v, exit %d; want ready, stopped, 137",
			engine.Ready, engine.NotReady, engine.Stopped, engine.ExitCode)
	}
	checkAnswers(t, ps, engine.Probes)
	sandbox, err := Run(t.Context(), extracted(t, original), c, opts...)
	if err != nil {
		t.Fatal(err)
	}
	if same, reason := Compare(engine, sandbox); !same {
		t.Errorf("Compare(engine, sandbox) = false, %q; want the same answers", reason)
	}
	engineSlim, err := RunEngine(t.Context(), filepath.Join(dir, "slimmed.tar"), tag, c, opts...)
	if err != nil {
		t.Fatal(err)
	}
	const data = `GET :8080/data: status 200 → 500, body "hi there\n" → "no greeting\n"`
	if same, reason := Compare(engine, engineSlim); same || reason != data {
		t.Errorf("Compare(engine, engine without greeting.txt) = %v, %q; want false, %q", same, reason, data)
	}
	idle := c
	idle.Argv = append(idle.Argv, "idle")
	// Its clock starts once the container is up: 5 s of refusals.
	r, err := RunEngine(t.Context(), filepath.Join(dir, "original.tar"), tag, idle, append(opts, WithReadyTimeout(5*time.Second))...)
	if err != nil {
		t.Fatal(err)
	}
	const why = "port 8080 refused connections for 5s"
	if r.Ready || r.NotReady != why || !r.Stopped {
		t.Errorf("RunEngine(idle) = ready %v, %q, stopped %v; want not ready, %q, stopped", r.Ready, r.NotReady, r.Stopped, why)
	}
	if left := enginetest.Docker(t, "ps", "--all", "--quiet", "--filter", "name=diet-verify-"); left != "" {
		t.Errorf("RunEngine left containers: %s", left)
	}
	if err := exec.Command("docker", "image", "inspect", tag).Run(); err == nil {
		t.Errorf("RunEngine left %s in the engine", tag)
	}
	noNetnsLeft(t)
}

// TestProbesNeedRoot runs itself again as nobody: probes are refused with
// ErrProbeAccess before anything runs, in the sandbox and on the engine.
func TestProbesNeedRoot(t *testing.T) {
	ps := []Probe{{Port: 8080, Path: "/"}}
	if os.Getenv("DIET_TEST_PROBES_AS_NOBODY") == "1" {
		for name, run := range map[string]func() error{
			"Run": func() error {
				_, err := Run(t.Context(), t.TempDir(), Command{Argv: []string{"x"}}, WithProbes(ps...))
				return err
			},
			"RunEngine": func() error {
				_, err := RunEngine(t.Context(), "none.tar", "none:x", Command{Argv: []string{"x"}}, WithProbes(ps...))
				return err
			},
		} {
			if err := run(); !errors.Is(err, ErrProbeAccess) {
				t.Errorf("%s as uid %d = %v, want ErrProbeAccess", name, os.Getuid(), err)
			} else {
				t.Logf("%s: %v", name, err)
			}
		}
		return
	}
	if os.Geteuid() != 0 {
		t.Skip("runs itself as nobody, which takes root")
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir, err := os.MkdirTemp("", "diet-test-*") // t.TempDir's parents are root's alone
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	os.Chmod(dir, 0o755)
	b, err := os.ReadFile(self)
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "verify.test")
	if err := os.WriteFile(bin, b, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-test.run=^TestProbesNeedRoot$", "-test.v", "-test.count=1")
	cmd.Env = []string{"DIET_TEST_PROBES_AS_NOBODY=1", "PATH=" + os.Getenv("PATH")}
	cmd.Dir = dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	out, err := cmd.CombinedOutput()
	if err != nil || !bytes.Contains(out, []byte("probes need root")) {
		t.Errorf("as nobody: %v\n%s", err, out)
	}
	t.Logf("as nobody:\n%s", out)
}

func TestMask(t *testing.T) {
	t.Parallel()
	masks := []*regexp.Regexp{regexp.MustCompile(`\d{4}-\d\d-\d\d`), regexp.MustCompile(`id=\w+`)}
	got := string(mask([]byte("at 2026-01-02, id=ab12 ($1)"), masks))
	if want := "at " + Masked + ", " + Masked + " ($1)"; got != want {
		t.Errorf("mask = %q, want %q", got, want)
	}
}
