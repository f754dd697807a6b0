package story_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/dietimage/diet/analyze"
	"github.com/dietimage/diet/internal/enginetest"
	"github.com/dietimage/diet/slim"
)

// TestSlimTheStory is issue 3's acceptance on the story's images: squash
// recovers the mistake's cleanup, minimal --strip is no larger than 1.10 ×
// (the stripped server + the libraries it loads) and answers --version and
// --help as the original does, in the sandbox and on the engine, and --upx
// shrinks it further at a start-up cost it reports. It logs the table the
// README shows.
func TestSlimTheStory(t *testing.T) {
	s := build(t)
	if os.Geteuid() != 0 {
		t.Skip("verification runs in a sandbox that needs root")
	}
	diet := dietBinary(t)
	dir := t.TempDir()
	out := func(name string) string { return filepath.Join(dir, name) }
	table := [][]string{{"image", "level", "docker size", "layers", "check"}}
	row := func(img, level string, r *slim.Report, check string) {
		table = append(table, []string{img, level, mb(r.After.Bytes), strconv.Itoa(r.After.Layers), check})
	}
	table = append(table, []string{"v1.01", "(as built)", mb(s.V101.Size), "3", ""},
		[]string{"mistake", "(as built)", mb(s.Mistake.Size), "4", ""})

	// squash: every byte the separate cleanup deletes goes.
	var a analyze.Report
	runJSON(t, &a, diet, "analyze", "--format", "json", s.Mistake.Archive)
	cleanup := a.Layers[len(a.Layers)-1]
	if !strings.Contains(cleanup.CreatedBy, "rm -rf") || cleanup.RemovedBytes < 300<<20 {
		t.Fatalf("the mistake's last layer is %q removing %d bytes; want the cleanup of the caches", cleanup.CreatedBy, cleanup.RemovedBytes)
	}
	tag := "diet-story-test:squash"
	sq := slimJSON(t, diet, "--level", "squash", s.Mistake.Archive, "-o", "docker-archive:"+out("squash.tar")+":"+tag)
	if sq.KeepBase != 1 || sq.SavedBytes < cleanup.RemovedBytes {
		t.Errorf("squash kept %d base layers and saved %d bytes; want the debootstrap layer kept and the cleanup's %d bytes saved",
			sq.KeepBase, sq.SavedBytes, cleanup.RemovedBytes)
	}
	enginetest.Load(t, out("squash.tar"), tag)
	if got := engineSize(t, tag); got != sq.After.Bytes {
		t.Errorf("docker counts the squashed image at %d bytes, the report %d", got, sq.After.Bytes)
	}
	if got := enginetest.Docker(t, "run", "--rm", tag, "nats-server", "--version"); got != s.Version {
		t.Errorf("squashed: nats-server --version = %q, want %q", got, s.Version)
	}
	row("mistake", "squash", sq, "saves the cleanup's "+mb(cleanup.RemovedBytes))
	v101sq := slimJSON(t, diet, "--level", "squash", s.V101.Archive, "-o", "docker-archive:"+out("v101-squash.tar"))
	row("v1.01", "squash", v101sq, "nothing deleted: nothing to recover")
	pr := slimJSON(t, diet, "--level", "prune", s.V101.Archive, "-o", "docker-archive:"+out("prune.tar"),
		"--verify", "--verify-cmd", "nats-server --version")
	if pr.Verify == nil || !pr.Verify.Same {
		t.Errorf("prune: verify = %+v, want the same behaviour", pr.Verify)
	}
	row("v1.01", "prune", pr, "caches, sources, toolchains out; --version same")

	// minimal --strip: no larger than the stripped server and what it loads.
	tag = "diet-story-test:minimal"
	mn := slimJSON(t, diet, "--level", "minimal", "--strip", s.V101.Archive, "-o", "docker-archive:"+out("minimal.tar")+":"+tag,
		"--verify", "--verify-cmd", "nats-server --version")
	if mn.Verify == nil || !mn.Verify.Same || mn.Verify.Output != s.Version {
		t.Fatalf("minimal --strip: sandbox verify = %+v, want the same, printing %q", mn.Verify, s.Version)
	}
	need := strippedSize(t, s.HostBinary) + librariesSize(t, s.V101.Tag, s.Binary)
	if limit := need * 110 / 100; mn.After.Bytes > limit {
		t.Errorf("minimal --strip is %d bytes; want at most 1.10 × %d (stripped server + libraries) = %d", mn.After.Bytes, need, limit)
	}
	engine := slimJSON(t, diet, "--level", "minimal", "--strip", s.V101.Archive, "-o", "docker-archive:"+out("minimal-engine.tar"),
		"--verify", "--verify-with", "docker", "--verify-cmd", "nats-server --help")
	if engine.Verify == nil || !engine.Verify.Same {
		t.Errorf("minimal --strip: engine verify of --help = %+v, want the same", engine.Verify)
	}
	enginetest.Load(t, out("minimal.tar"), tag)
	for _, args := range [][]string{{"--version"}, {"--help"}} {
		want, _ := dockerRun(t, s.V101.Tag, append([]string{"nats-server"}, args...)...)
		got, _ := dockerRun(t, tag, append([]string{"nats-server"}, args...)...)
		if got != want || want == "" {
			t.Errorf("engine: nats-server %s prints %q after minimal, %q before", args[0], got, want)
		}
	}
	row("v1.01", "minimal --strip", mn, fmt.Sprintf("≤ 1.10 × %s; --version, --help same (sandbox, engine)", mb(need)))

	// --upx: smaller again; the start-up cost is measured, not hidden.
	tag = "diet-story-test:upx"
	up := slimJSON(t, diet, "--level", "minimal", "--strip", "--upx", s.V101.Archive, "-o", "docker-archive:"+out("upx.tar")+":"+tag,
		"--verify", "--verify-cmd", "nats-server --version")
	if up.Verify == nil || !up.Verify.Same {
		t.Errorf("minimal --strip --upx: verify = %+v, want the same", up.Verify)
	}
	if up.UPX == nil || len(up.UPX.Packed) != 1 || up.UPX.Packed[0].Path != s.Binary || up.After.Bytes >= mn.After.Bytes {
		t.Fatalf("--upx packed %+v, image %d bytes; want %s packed, below minimal's %d", up.UPX, up.After.Bytes, s.Binary, mn.After.Bytes)
	}
	st := up.UPX.Startup
	if st == nil || st.Note != "" || st.BeforeMS <= 0 || st.AfterMS <= 0 {
		t.Errorf("--upx start-up = %+v, want both times measured", st)
	}
	enginetest.Load(t, out("upx.tar"), tag)
	if got, _ := dockerRun(t, tag, "nats-server", "--version"); got != s.Version {
		t.Errorf("engine: the packed server says %q, want %q", got, s.Version)
	}
	row("v1.01", "minimal --strip --upx", up, fmt.Sprintf("start-up %.1f → %.1f ms", st.BeforeMS, st.AfterMS))

	var md strings.Builder
	for i, r := range table {
		md.WriteString("| " + strings.Join(r, " | ") + " |\n")
		if i == 0 {
			md.WriteString(strings.Repeat("|---", len(r)) + "|\n")
		}
	}
	t.Logf("the story on real parts (%s, Go %s):\n%s", s.Module, s.GoVersion, md.String())
}

// dietBinary builds diet without the race detector: the story moves
// gigabytes, which the detector would slow tenfold; the library's own
// tests run under it.
func dietBinary(t *testing.T) string {
	bin := filepath.Join(t.TempDir(), "diet")
	cmd := exec.Command("go", "build", "-o", bin, "github.com/dietimage/diet/cmd/diet")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build diet: %v\n%s", err, b)
	}
	return bin
}

func runJSON(t *testing.T, v any, bin string, args ...string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(t.Context(), bin, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("diet %s: %v\n%s%s", strings.Join(args, " "), err, stderr.String(), stdout.String())
	}
	if err := json.Unmarshal(stdout.Bytes(), v); err != nil {
		t.Fatalf("diet %s: %v\n%s", strings.Join(args, " "), err, stdout.String())
	}
}

func slimJSON(t *testing.T, bin string, args ...string) *slim.Report {
	t.Helper()
	var r slim.Report
	runJSON(t, &r, bin, append([]string{"slim", "--format", "json"}, args...)...)
	t.Logf("diet slim %s: %d → %d bytes", strings.Join(args, " "), r.Before.Bytes, r.After.Bytes)
	return &r
}

func engineSize(t *testing.T, tag string) int64 {
	n, err := strconv.ParseInt(enginetest.Docker(t, "image", "inspect", "--format", "{{.Size}}", tag), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// strippedSize strips a copy of the server as the story did by hand.
func strippedSize(t *testing.T, bin string) int64 {
	c := filepath.Join(t.TempDir(), "server")
	b, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(c, b, 0o755)
	if out, err := exec.Command("strip", "--strip-unneeded", c).CombinedOutput(); err != nil {
		t.Fatalf("strip: %v\n%s", err, out)
	}
	st, _ := os.Stat(c)
	return st.Size()
}

// librariesSize is what the image's own loader says the program loads
// (ldd), in bytes: the files a minimal image cannot do without.
func librariesSize(t *testing.T, image, program string) int64 {
	out := enginetest.Docker(t, "run", "--rm", image, "sh", "-c",
		`ldd `+program+` | grep -o '/[^ ]*' | sort -u | xargs stat -L -c %s`)
	var n int64
	for _, f := range strings.Fields(out) {
		v, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			t.Fatalf("ldd sizes: %q", out)
		}
		n += v
	}
	if n == 0 {
		t.Fatalf("ldd %s in %s lists nothing", program, image)
	}
	return n
}

func mb(n int64) string { return fmt.Sprintf("%.1f MB", float64(n)/1e6) }
