package diet_test

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/dietimage/diet"
	"github.com/dietimage/diet/analyze"
	"github.com/dietimage/diet/internal/fixture/example"
	"github.com/dietimage/diet/report"
)

// TestHTMLInBrowser loads the HTML report of the example image in a real
// browser, Debian's chromium, headless: the DOM it builds holds the
// treemap's rectangles, the label of the largest directory, and the
// totals of the JSON report. A screenshot goes to the test's artifacts
// (go test -artifacts keeps it). Without chromium the test is skipped,
// unless DIET_REQUIRE_ENGINE=1 says this is CI, where .ci/run installs it.
func TestHTMLInBrowser(t *testing.T) {
	browser, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("DIET_REQUIRE_ENGINE") == "1" {
			t.Fatal("no chromium on PATH: .ci/run installs Debian's")
		}
		t.Skip("no chromium on PATH (Debian's chromium package): the browser test is skipped")
	}
	dir := t.TempDir()
	img := filepath.Join(dir, "example.tar")
	if err := example.Build(t.Context(), img); err != nil {
		t.Fatal(err)
	}
	r, err := diet.Analyze(t.Context(), img, diet.WithAnalyze(analyze.WithTree(6, 30)))
	if err != nil {
		t.Fatal(err)
	}
	page := filepath.Join(dir, "report.html")
	var html, js bytes.Buffer
	if err := report.HTML(&html, r); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(page, html.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := report.JSON(&js, r); err != nil {
		t.Fatal(err)
	}
	var fromJSON struct {
		Size struct {
			Uncompressed int64 `json:"uncompressed_bytes"`
			Final        int64 `json:"final_bytes"`
		}
		Wasted int64 `json:"wasted_bytes"`
	}
	if err := json.Unmarshal(js.Bytes(), &fromJSON); err != nil {
		t.Fatal(err)
	}

	headless := []string{"--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--user-data-dir=" + filepath.Join(dir, "profile")}
	out, err := exec.CommandContext(t.Context(), browser, append(headless, "--dump-dom", "file://"+page)...).Output()
	if err != nil {
		t.Fatalf("chromium --dump-dom: %v", err)
	}
	dom := string(out)
	i := strings.Index(dom, `id="final-treemap"`)
	if i < 0 {
		t.Fatalf("the DOM has no final treemap:\n%.2000s", dom)
	}
	final := dom[i : i+strings.Index(dom[i:], "</svg>")]
	if n := strings.Count(final, "<rect"); n < 10 {
		t.Errorf("the final treemap has %d rectangles", n)
	}
	// The largest directory at the bottom of the tree: following the
	// largest child from the root.
	d := r.Tree
	for len(d.Children) > 0 {
		d = d.Children[0]
	}
	if want := ">" + path.Base(d.Path) + "</text>"; !strings.Contains(final, want) {
		t.Errorf("the final treemap does not label %s, the largest directory", d.Path)
	}
	for id, want := range map[string]int64{"size-docker": fromJSON.Size.Uncompressed, "size-final": fromJSON.Size.Final, "size-wasted": fromJSON.Wasted} {
		m := regexp.MustCompile(`id="` + id + `" data-bytes="(\d+)"`).FindStringSubmatch(dom)
		if m == nil || m[1] != strconv.FormatInt(want, 10) {
			t.Errorf("%s in the DOM: %v, the JSON says %d", id, m, want)
		}
	}

	shot := filepath.Join(t.ArtifactDir(), "report.png")
	if err := exec.CommandContext(t.Context(), browser, append(headless, "--window-size=1100,1900", "--screenshot="+shot, "file://"+page)...).Run(); err != nil {
		t.Fatalf("chromium --screenshot: %v", err)
	}
	if fi, err := os.Stat(shot); err != nil || fi.Size() < 10_000 {
		t.Errorf("screenshot %s: %v", shot, err)
	}
	t.Logf("screenshot: %s", shot)
}
