package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dietimage/diet/internal/test/attacktest"
	"github.com/dietimage/diet/internal/test/tartest"
	"github.com/dietimage/diet/slim"
)

// TestSlimMinimalTraced slims a Perl script's image at --level minimal
// with --verify: the command is traced, the result runs the same and is
// written, and the JSON report says the set was found by tracing. A
// --verify-cmd that fails is traced too, and refused with advice.
func TestSlimMinimalTraced(t *testing.T) {
	for _, tool := range []string{"bwrap", "prlimit", "strace"} {
		attacktest.Require(t, tool)
	}
	img, _, _ := tartest.PerlScript(t)
	dir := t.TempDir()
	in := filepath.Join(dir, "in.tar")
	tartest.WriteDockerArchive(t, in, img, "")

	out := filepath.Join(dir, "out.tar")
	args := []string{"slim", "--level", "minimal", "--verify", "--verify-timeout", "30s", "--format", "json", in, "-o", "docker-archive:" + out}
	var stdout, stderr bytes.Buffer
	if code := run(t.Context(), args, &stdout, &stderr); code != 0 {
		t.Fatalf("diet %q = %d, want 0; stdout:\n%s\nstderr:\n%s", args, code, stdout.String(), stderr.String())
	}
	var rep slim.Report
	if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
		t.Fatalf("diet %q: %v\n%s", args, err, stdout.String())
	}
	if rep.Minimal == nil || rep.Minimal.By != "trace" || rep.Verify == nil || !rep.Verify.Same {
		t.Errorf("diet %q: minimal %+v, verify %+v; want found by trace, the same run", args, rep.Minimal, rep.Verify)
	}
	if _, err := os.Stat(out); err != nil {
		t.Errorf("diet %q exited 0 and wrote no output: %v", args, err)
	}

	bad := filepath.Join(dir, "bad.tar")
	args = []string{"slim", "--level", "minimal", "--verify-cmd", "/usr/bin/perl -e exit(3)", in, "-o", "docker-archive:" + bad}
	stdout.Reset()
	stderr.Reset()
	if code := run(t.Context(), args, &stdout, &stderr); code != 1 {
		t.Fatalf("diet %q = %d, want 1; stderr:\n%s", args, code, stderr.String())
	}
	if !strings.Contains(stderr.String(), "exited with code 3") || !strings.Contains(stderr.String(), "--verify-cmd") {
		t.Errorf("diet %q: stderr does not say the traced run exited 3, with advice:\n%s", args, stderr.String())
	}
	if _, err := os.Stat(bad); err == nil {
		t.Errorf("diet %q failed and wrote the output", args)
	}
}
