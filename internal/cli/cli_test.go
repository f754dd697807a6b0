package cli

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"

	"github.com/dietimage/diet"
	"github.com/dietimage/diet/analyze"
	"github.com/dietimage/diet/image"
	"github.com/dietimage/diet/internal/test/tartest"
	"github.com/dietimage/diet/layerfs"
)

var update = flag.Bool("update", false, "rewrite golden files: docs/cli.md and the scripts' cmp files")

// Update is -update, for the scripts of package cli_test: one test binary
// has one flag set.
var Update = update

// TestReference keeps docs/cli.md equal to the command tree; run with
// -update to rewrite it.
func TestReference(t *testing.T) {
	var buf bytes.Buffer
	if err := writeReference(&buf, New()); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("..", "..", "docs", "cli.md")
	if *update {
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want), buf.String()); diff != "" {
		t.Errorf("docs/cli.md has drifted from the commands; run go test ./internal/cli -run TestReference -update (-want +got):\n%s", diff)
	}
}

// TestRun checks exit codes and the one-line error in process; the
// scripts check the same through the binary.
func TestRun(t *testing.T) {
	dir := t.TempDir()
	img := filepath.Join(dir, "img.tar")
	tartest.WriteDockerArchive(t, img, tartest.Layers(t, []tartest.Entry{tartest.File("hello", "hi\n")}), "")
	for _, tc := range []struct {
		name   string
		args   []string
		code   int
		stderr string // a substring of the one line; "" wants no stderr
	}{
		{"ok", []string{"analyze", img}, exitOK, ""},
		{"json", []string{"analyze", "--format", "json", img}, exitOK, ""},
		{"version", []string{"version"}, exitOK, ""},
		{"no command", nil, exitUsage, "missing command"},
		{"unknown command", []string{"anlyze"}, exitUsage, `did you mean "analyze"`},
		{"no image", []string{"analyze"}, exitUsage, "want one IMAGE, got 0"},
		{"two images", []string{"analyze", img, img}, exitUsage, "want one IMAGE, got 2"},
		{"bad format", []string{"analyze", "--format", "yaml", "missing.tar"}, exitUsage, `unknown format "yaml"`},
		{"bad flag", []string{"analyze", "--nope", img}, exitUsage, "unknown flag: --nope"},
		{"bad jobs", []string{"analyze", "--jobs", "-1", img}, exitUsage, "--jobs -1"},
		{"bad depth", []string{"analyze", "--depth", "-1", img}, exitUsage, "must not be negative"},
		{"bad platform", []string{"analyze", "--platform", "linux/", img}, exitUsage, "--platform"},
		{"bad name", []string{"analyze", "containers-storage:x"}, exitUsage, "not supported"},
		{"missing", []string{"analyze", filepath.Join(dir, "missing.tar")}, exitFailed, "missing.tar: "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			got := run(t.Context(), tc.args, &stdout, &stderr)
			if got != tc.code {
				t.Errorf("run(%q) = %d, want %d; stderr:\n%s", tc.args, got, tc.code, stderr.String())
			}
			switch {
			case tc.stderr == "" && stderr.Len() > 0 && tc.code == exitOK:
				t.Errorf("run(%q) wrote to stderr:\n%s", tc.args, stderr.String())
			case tc.stderr != "" && (!strings.Contains(stderr.String(), tc.stderr) || !strings.HasPrefix(lastLine(stderr.String()), "diet: ")):
				t.Errorf("run(%q) stderr = %q, want a last line diet: …%s…", tc.args, stderr.String(), tc.stderr)
			}
			if tc.code == exitOK && stdout.Len() == 0 {
				t.Errorf("run(%q) wrote nothing to stdout", tc.args)
			}
		})
	}
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	return lines[len(lines)-1]
}

// TestColor covers NO_COLOR, FORCE_COLOR and TERM=dumb. No test output is a
// terminal, so colour appears only when forced.
func TestColor(t *testing.T) {
	for _, tc := range []struct {
		env  map[string]string
		want bool
	}{
		{nil, false},
		{map[string]string{"FORCE_COLOR": "1"}, true},
		{map[string]string{"FORCE_COLOR": "0"}, false},
		{map[string]string{"FORCE_COLOR": "false"}, false},
		{map[string]string{"FORCE_COLOR": "1", "NO_COLOR": "1"}, false},
		{map[string]string{"FORCE_COLOR": "1", "TERM": "dumb"}, true},
		{map[string]string{"TERM": "dumb"}, false},
		{map[string]string{"NO_COLOR": ""}, false},
	} {
		t.Run(fmt.Sprint(tc.env), func(t *testing.T) {
			var g globals
			g.load(func(k string) string { return tc.env[k] }, io.Discard, io.Discard)
			if g.color != tc.want {
				t.Errorf("color with %v = %v, want %v", tc.env, g.color, tc.want)
			}
			if g.progress {
				t.Errorf("progress on with no terminal")
			}
		})
	}
}

func TestWidth(t *testing.T) {
	var g globals
	g.load(func(k string) string { return map[string]string{"COLUMNS": "72"}[k] }, io.Discard, io.Discard)
	if g.width != 72 {
		t.Errorf("width with COLUMNS=72 = %d, want 72", g.width)
	}
	g.load(func(string) string { return "" }, io.Discard, io.Discard)
	if g.width != 100 {
		t.Errorf("width with no terminal = %d, want 100", g.width)
	}
}

func TestAdvice(t *testing.T) {
	layerEOF := &layerfs.LayerError{Index: 1, Digest: "sha256:ab12", Err: io.ErrUnexpectedEOF}
	for _, tc := range []struct {
		name string
		err  error
		want string
	}{
		{"archive truncated", &image.Error{Ref: "docker-archive:x.tar", Err: image.ErrTruncated}, "the file is truncated; re-run docker save"},
		{"bare archive layer EOF", &diet.InputError{Ref: "x.tar", Err: layerEOF}, "the file is truncated; re-run docker save"},
		{"layout truncated", &diet.InputError{Ref: "oci:dir", Err: layerEOF}, "a blob of the layout is truncated; copy the image again"},
		{"registry EOF", &diet.InputError{Ref: "docker://alpine", Err: layerEOF}, "the transfer ended early; try again"},
		{"missing file", &image.Error{Ref: "x.tar", Err: image.ErrNotFound}, "check the path"},
		{"missing image", &image.Error{Ref: "alpine:nope", Err: image.ErrNotFound}, "check the name (docker images lists local images)"},
		{"platform", &image.Error{Ref: "oci:d", Err: &image.PlatformError{}}, "choose one with --platform"},
		{"digest", &diet.InputError{Ref: "x.tar", Err: fmt.Errorf("layer 0: %w", layerfs.ErrDigestMismatch)}, "the image is corrupt; pull or save it again"},
		{"no engine", &image.Error{Ref: "docker-daemon:x", Err: image.ErrNoEngine}, "start Docker or set DOCKER_HOST, or docker save the image and analyze the tar"},
		{"crafted header", &diet.InputError{Ref: "x.tar", Err: &layerfs.LayerError{Index: 1, Err: fmt.Errorf("entry 3: %w", tar.ErrHeader)}}, "a tar header is malformed: the image is corrupt or crafted, and docker load refuses it too"},
		{"unsupported type", &diet.InputError{Ref: "x.tar", Err: &layerfs.EntryError{Name: "usr/bin/odd", Err: layerfs.ErrUnsupportedType}}, "docker load refuses this entry type too: the image was not made by docker build or docker save"},
		{"unknown", errors.New("boom"), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := advice(tc.err); got != tc.want {
				t.Errorf("advice(%v) = %q, want %q", tc.err, got, tc.want)
			}
		})
	}
}

func TestInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if got := message(ctx, fmt.Errorf("x.tar: layer 1: %w", context.Canceled)); got != "interrupted" {
		t.Errorf("message after cancel = %q, want interrupted", got)
	}
}

func TestProgress(t *testing.T) {
	var buf bytes.Buffer
	p := newProgress(&buf)
	p.done()
	if buf.Len() != 0 {
		t.Errorf("done before any update wrote %q", buf.String())
	}
	p.update(analyze.Progress{LayersDone: 1, Layers: 3, BytesDone: 1_500_000})
	p.done()
	want := "\r\x1b[Kanalyzing: 1/3 layers, 1.5 MB read\r\x1b[K"
	if buf.String() != want {
		t.Errorf("progress wrote %q, want %q", buf.String(), want)
	}
}

// TestStdinTerminal: "-" with a terminal on standard input is refused at
// once instead of waiting for a tar nobody will type.
func TestStdinTerminal(t *testing.T) {
	ptmx, err := os.OpenFile("/dev/ptmx", os.O_RDWR, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	defer ptmx.Close()
	if err := unix.IoctlSetPointerInt(int(ptmx.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Fatal(err)
	}
	n, err := unix.IoctlGetInt(int(ptmx.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Fatal(err)
	}
	pts, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer pts.Close()
	stdin := os.Stdin
	os.Stdin = pts
	defer func() { os.Stdin = stdin }()
	for _, args := range [][]string{{"analyze", "-"}, {"slim", "/dev/stdin", "-o", "oci:" + t.TempDir() + "/out"}} {
		var stdout, stderr bytes.Buffer
		done := make(chan int, 1)
		go func() { done <- run(t.Context(), args, &stdout, &stderr) }()
		select {
		case code := <-done:
			if code != exitUsage || !strings.Contains(stderr.String(), "standard input, which is a terminal") {
				t.Errorf("run(%q) = %d, %q; want a usage error about the terminal", args, code, stderr.String())
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("run(%q) waits for the terminal", args)
		}
	}
}
