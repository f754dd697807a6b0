package cli

import (
	"archive/tar"
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"golang.org/x/sys/unix"

	"github.com/dietimage/diet/internal/test/attacktest"
	"github.com/dietimage/diet/internal/test/tartest"
)

// pty is a pseudo-terminal: what diet writes to tty is read from
// the master, with the line discipline's \r\n turned back into \n.
type pty struct {
	tty  *os.File
	out  chan []byte
	ptmx *os.File
}

func openPTY(t *testing.T) *pty {
	t.Helper()
	ptmx, err := os.OpenFile("/dev/ptmx", os.O_RDWR, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	t.Cleanup(func() { ptmx.Close() })
	if err := unix.IoctlSetPointerInt(int(ptmx.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Fatal(err)
	}
	n, err := unix.IoctlGetInt(int(ptmx.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Fatal(err)
	}
	tty, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	p := &pty{tty: tty, out: make(chan []byte, 1), ptmx: ptmx}
	go func() {
		b, _ := io.ReadAll(ptmx) // ends with EIO once tty is closed
		p.out <- b
	}()
	return p
}

// output closes the terminal and returns what was written to it.
func (p *pty) output() string {
	p.tty.Close()
	return strings.ReplaceAll(string(<-p.out), "\r\n", "\n")
}

const erase = "\r\x1b[K"

// progressImage is an archive of a few layers, whose entrypoint is a
// static program that runs in the sandbox when the test can build one.
func progressImage(t *testing.T, entry []byte) string {
	t.Helper()
	steps := []tartest.Step{
		{CreatedBy: "ADD base", Entries: []tartest.Entry{tartest.File("etc/os-release", "ID=test\n")}},
		{CreatedBy: "RUN make", Entries: []tartest.Entry{tartest.File("tmp/junk", strings.Repeat("x", 5000))}},
	}
	if entry != nil {
		steps = append(steps, tartest.Step{CreatedBy: "COPY attack /", Entries: []tartest.Entry{{Name: "attack", Type: tar.TypeReg, Mode: 0o755, Body: entry}}})
	}
	img := tartest.Image(t, steps...)
	if entry != nil {
		var err error
		img, err = mutate.Config(img, v1.Config{Entrypoint: []string{"/attack", "true"}})
		if err != nil {
			t.Fatal(err)
		}
	}
	p := filepath.Join(t.TempDir(), "img.tar")
	tartest.WriteDockerArchive(t, p, img, "")
	return p
}

// TestAnalyzeProgressErased: on a terminal, analyze's progress line is
// erased before the report is written, so the report reads as it does
// in a pipe, and nothing follows it.
func TestAnalyzeProgressErased(t *testing.T) {
	t.Setenv("NO_COLOR", "1")
	t.Setenv("COLUMNS", "100")
	t.Setenv("TERM", "xterm")
	img := progressImage(t, nil)
	var want, stderr bytes.Buffer
	if code := run(t.Context(), []string{"analyze", img}, &want, &stderr); code != exitOK {
		t.Fatalf("analyze = %d: %s", code, stderr.String())
	}
	p := openPTY(t)
	if code := run(t.Context(), []string{"analyze", img}, p.tty, p.tty); code != exitOK {
		t.Fatalf("analyze on a terminal = %d", code)
	}
	got := p.output()
	i := strings.LastIndex(got, erase)
	if i < 0 || !strings.Contains(got[:i], "analyzing: ") {
		t.Fatalf("analyze on a terminal drew no progress: %q", got)
	}
	if after := got[i+len(erase):]; after != want.String() {
		t.Errorf("after the last erase, the terminal shows %q, want the report %q", after, want.String())
	}
}

// TestSlimProgress: on a terminal, slim says what it is doing (reading,
// writing, and with --verify the runs, which take seconds), and the line
// is erased before the report; in a pipe it says nothing.
func TestSlimProgress(t *testing.T) {
	t.Setenv("NO_COLOR", "1")
	t.Setenv("TERM", "xterm")
	tests := []struct {
		name   string
		verify bool
		tag    string // of the output
		want   []string
		note   string // the last line, after the progress is erased
	}{
		{"squash", false, "", []string{"slim: reading layers", "slim: writing docker-archive:"}, " is tagged diet-slim:latest (-o docker-archive:PATH:TAG names another)\n"},
		{"verify", true, ":x:1", []string{"slim: reading layers", "slim: verifying: running the original and the slimmed image", "slim: writing docker-archive:"}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var entry []byte
			args := []string{"slim"}
			if tc.verify {
				attacktest.Require(t, "bwrap")
				entry = attacktest.Program(t)
				args = append(args, "--verify")
			}
			img := progressImage(t, entry)
			out := filepath.Join(t.TempDir(), "out.tar")
			args = append(args, img, "-o", "docker-archive:"+out+tc.tag)

			var stdout, stderr bytes.Buffer
			if code := run(t.Context(), args, &stdout, &stderr); code != exitOK {
				t.Fatalf("run(%q) = %d: %s", args, code, stderr.String())
			}
			if !strings.HasSuffix(stderr.String(), tc.note) || strings.Count(stderr.String(), "\n") != strings.Count(tc.note, "\n") {
				t.Errorf("run(%q) in a pipe wrote %q to stderr, want only %q", args, stderr.String(), tc.note)
			}
			p := openPTY(t)
			stdout.Reset()
			if code := run(t.Context(), args, &stdout, p.tty); code != exitOK {
				t.Fatalf("run(%q) on a terminal = %d", args, code)
			}
			got := p.output()
			at := 0
			for _, w := range tc.want {
				i := strings.Index(got[at:], w)
				if i < 0 {
					t.Fatalf("run(%q) on a terminal wrote %q: no %q after byte %d", args, got, w, at)
				}
				at += i + len(w)
			}
			i := strings.LastIndex(got, erase)
			if tail := got[i+len(erase):]; !strings.HasSuffix(tail, tc.note) || strings.Contains(tail, "slim: ") {
				t.Errorf("run(%q) on a terminal ends %q after the last erase, want the progress erased and then only %q", args, tail, tc.note)
			}
		})
	}
}
