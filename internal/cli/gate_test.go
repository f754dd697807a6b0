package cli

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/dietimage/diet/internal/fixture/example"
)

// TestGateExample runs the gate on the bundled example image: dive's
// default rules pass it, budgets it breaks fail it with exit 3, and the
// JSON verdict carries the very figures of the report beside it.
func TestGateExample(t *testing.T) {
	t.Setenv("CI", "")
	img := filepath.Join(t.TempDir(), "example.tar")
	if err := example.Build(t.Context(), img); err != nil {
		t.Fatal(err)
	}
	type result struct {
		Rule   string
		Value  *float64
		Limit  float64
		Status string
		Layers []int
		Found  []struct{ Category, Path string }
	}
	type gated struct {
		Size struct {
			UncompressedBytes int64 `json:"uncompressed_bytes"`
		}
		Layers []struct {
			SizeBytes int64 `json:"size_bytes"`
		}
		Dive struct {
			Efficiency        float64
			UserWastedPercent float64 `json:"user_wasted_percent"`
		}
		CI *struct {
			Passed  bool
			Results []result
		}
	}
	analyze := func(code int, args ...string) (gated, string) {
		t.Helper()
		var stdout, stderr bytes.Buffer
		if got := run(t.Context(), append([]string{"analyze"}, args...), &stdout, &stderr); got != code {
			t.Fatalf("diet analyze %s = %d, want %d\n%s", strings.Join(args, " "), got, code, stderr.String())
		}
		var g gated
		if args[0] == "--format" {
			if err := json.Unmarshal(stdout.Bytes(), &g); err != nil {
				t.Fatal(err)
			}
		}
		return g, stdout.String() + stderr.String()
	}

	g, _ := analyze(exitOK, "--format", "json", "--ci", img)
	if g.CI == nil || !g.CI.Passed || len(g.CI.Results) != 2 {
		t.Fatalf("dive's defaults on the example: %+v, want two rules that pass", g.CI)
	}
	eff, user := g.CI.Results[0], g.CI.Results[1]
	if eff.Rule != "lowest-efficiency" || *eff.Value != g.Dive.Efficiency || eff.Limit != 0.9 ||
		user.Rule != "highest-user-wasted-percent" || *user.Value != g.Dive.UserWastedPercent || user.Limit != 0.1 {
		t.Errorf("dive's rules %+v %+v do not carry the report's dive figures %+v", eff, user, g.Dive)
	}

	size := g.Size.UncompressedBytes
	largest := 2 // the build layer, as the example is made
	budget := itoa(g.Layers[largest].SizeBytes - 1)
	g, _ = analyze(exitFindings, "--format", "json", "--ci", "--max-size", itoa(size-1), "--max-layer-size", budget,
		"--deny-culprits", "go-build-cache,pip-cache", img)
	want := map[string]string{"lowest-efficiency": "pass", "highest-user-wasted-percent": "pass",
		"max-size": "fail", "max-layer-size": "fail", "deny-culprits": "fail"}
	for _, r := range g.CI.Results {
		if want[r.Rule] != r.Status {
			t.Errorf("%s: %s, want %s", r.Rule, r.Status, want[r.Rule])
		}
		switch r.Rule {
		case "max-size":
			if *r.Value != float64(size) {
				t.Errorf("max-size: value %v, want the report's size %d", *r.Value, size)
			}
		case "max-layer-size":
			if len(r.Layers) != 1 || r.Layers[0] != largest {
				t.Errorf("max-layer-size: layers %v over, want [%d]", r.Layers, largest)
			}
		case "deny-culprits":
			if len(r.Found) != 1 || r.Found[0].Path != "/root/.cache/go-build" {
				t.Errorf("deny-culprits: found %+v, want the example's Go build cache", r.Found)
			}
		}
	}
	if g.CI.Passed || len(g.CI.Results) != len(want) {
		t.Errorf("verdict %+v, want failed with %d rules", g.CI, len(want))
	}

	_, text := analyze(exitFindings, "--ci", "--max-size", itoa(size-1), img)
	for _, line := range []string{"  FAIL  max-size ", "  PASS  lowest-efficiency ", "FAIL [pass:2 fail:1 skip:0]",
		"diet: 1 of 3 CI rules failed: max-size"} {
		if !strings.Contains(text, line) {
			t.Errorf("text output has no %q:\n%s", line, text)
		}
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
