package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/dietimage/diet/slim"
)

func slimReport() *slim.Report {
	return &slim.Report{Schema: slim.Schema, Input: "app.tar", Output: "docker-archive:slim.tar", Level: "prune", KeepBase: 1,
		Before: slim.Size{Layers: 4, Bytes: 948_000_000}, After: slim.Size{Layers: 2, Bytes: 44_100_000}, SavedBytes: 903_900_000,
		Removed: []slim.Removal{{Rule: "go-module-cache", Path: "/root/go/pkg/mod", Bytes: 471_000_000, Files: 52_000}},
		UPX: &slim.Packing{SavedBytes: 9_000_000, Packed: []slim.Packed{{Path: "/app", Before: 13_000_000, After: 4_000_000}},
			Skipped: []slim.Unpacked{{Path: "/bin/x", Reason: "AlreadyPackedException"}},
			Startup: &slim.Startup{Command: []string{"/app", "--version"}, Runs: 5, BeforeMS: 3.25, AfterMS: 41.5}},
		Verify: &slim.Verification{With: "sandbox", Command: []string{"/app", "--version"}, Same: false, Reason: "exit 127, was 0: /lib/libc.so.6 missing", Slimmed: 127}}
}

func TestSlimText(t *testing.T) {
	var buf bytes.Buffer
	if err := SlimText(&buf, slimReport(), TextOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"948 MB (904.1 MiB)", "44.1 MB (42.1 MiB)", "go-module-cache", "/root/go/pkg/mod",
		"DIFFERENT: exit 127, was 0: /lib/libc.so.6 missing", "1 base layer kept",
		"upx     9 MB (8.6 MiB)", "from 1 executable, 1 left as they were (/bin/x: AlreadyPackedException)",
		`start-up 3.2 ms → 41.5 ms (+38.2 ms), median of 5 runs of ["/app" "--version"]`} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("SlimText lacks %q:\n%s", want, buf.String())
		}
	}
}

func TestSlimJSON(t *testing.T) {
	var buf bytes.Buffer
	if err := SlimJSON(&buf, slimReport()); err != nil {
		t.Fatal(err)
	}
	var back slim.Report
	if err := json.Unmarshal(buf.Bytes(), &back); err != nil || back.SavedBytes != 903_900_000 || back.Verify.Slimmed != 127 {
		t.Errorf("SlimJSON does not round-trip: %v\n%s", err, buf.String())
	}
}
