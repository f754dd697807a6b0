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
	"time"

	"github.com/dietimage/diet"
	"github.com/dietimage/diet/analyze"
	"github.com/dietimage/diet/internal/fixture/example"
	"github.com/dietimage/diet/report"
)

// browser is Debian's chromium, headless.
type browser struct {
	path  string
	flags []string
}

// chromium finds the browser, or skips the test where there is none,
// unless DIET_REQUIRE_ENGINE=1 says this is CI, where .ci/run installs it.
func chromium(t *testing.T) *browser {
	p, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("DIET_REQUIRE_ENGINE") == "1" {
			t.Fatal("no chromium on PATH: .ci/run installs Debian's")
		}
		t.Skip("no chromium on PATH (Debian's chromium package): the browser test is skipped")
	}
	return &browser{p, []string{"--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
		"--user-data-dir=" + filepath.Join(t.TempDir(), "profile")}}
}

// dom loads page and returns the DOM the browser built from it, and how
// long the browser took, start to exit.
func (b *browser) dom(t *testing.T, page string) (string, time.Duration) {
	t.Helper()
	start := time.Now()
	out, err := exec.CommandContext(t.Context(), b.path, append(b.flags, "--dump-dom", "file://"+page)...).Output()
	if err != nil {
		t.Fatalf("chromium --dump-dom %s: %v", page, err)
	}
	return string(out), time.Since(start)
}

// screenshot saves page as name in the test's artifacts (go test
// -artifacts keeps them).
func (b *browser) screenshot(t *testing.T, page, name, size string) {
	t.Helper()
	shot := filepath.Join(t.ArtifactDir(), name)
	if err := exec.CommandContext(t.Context(), b.path, append(b.flags, "--window-size="+size, "--screenshot="+shot, "file://"+page)...).Run(); err != nil {
		t.Fatalf("chromium --screenshot: %v", err)
	}
	if fi, err := os.Stat(shot); err != nil || fi.Size() < 10_000 {
		t.Errorf("screenshot %s: %v", shot, err)
	}
	t.Logf("screenshot: %s", shot)
}

// svg is the svg element of dom with the id, up to its end.
func svg(t *testing.T, dom, id string) string {
	t.Helper()
	i := strings.Index(dom, `<svg id="`+id+`"`)
	if i < 0 {
		t.Fatalf("the DOM has no svg %s:\n%.2000s", id, dom)
	}
	return dom[i : i+strings.Index(dom[i:], "</svg>")]
}

// checkBytes checks that the elements of dom with these ids carry these
// bytes in their data-bytes.
func checkBytes(t *testing.T, dom string, want map[string]int64) {
	t.Helper()
	for id, n := range want {
		m := regexp.MustCompile(`id="` + id + `" data-bytes="(-?\d+)"`).FindStringSubmatch(dom)
		if m == nil || m[1] != strconv.FormatInt(n, 10) {
			t.Errorf("%s in the DOM: %v, the JSON says %d", id, m, n)
		}
	}
}

// writeFile writes b to name in dir and returns its path.
func writeFile(t *testing.T, dir, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestHTMLInBrowser loads the HTML report of the example image in a real
// browser: the DOM it builds holds the treemap's rectangles, the label of
// the largest directory, and the totals of the JSON report. A screenshot
// goes to the test's artifacts.
func TestHTMLInBrowser(t *testing.T) {
	b := chromium(t)
	dir := t.TempDir()
	img := filepath.Join(dir, "example.tar")
	if err := example.Build(t.Context(), img); err != nil {
		t.Fatal(err)
	}
	r, err := diet.Analyze(t.Context(), img, diet.WithAnalyze(analyze.WithTree(6, 30)))
	if err != nil {
		t.Fatal(err)
	}
	var html, js bytes.Buffer
	if err := report.HTML(&html, r); err != nil {
		t.Fatal(err)
	}
	page := writeFile(t, dir, "report.html", html.Bytes())
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

	dom, _ := b.dom(t, page)
	final := svg(t, dom, "final-treemap")
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
	checkBytes(t, dom, map[string]int64{"size-docker": fromJSON.Size.Uncompressed, "size-final": fromJSON.Size.Final, "size-wasted": fromJSON.Wasted})
	b.screenshot(t, page, "report.png", "1100,1900")
}

// TestDiffHTMLInBrowser loads diet diff's page of two versions of an app
// in the browser: its growth treemap holds the paths v2 adds and grows,
// and its totals are the JSON comparison's.
func TestDiffHTMLInBrowser(t *testing.T) {
	b := chromium(t)
	dir := t.TempDir()
	v1, v2 := appVersions(t, dir)
	r, err := diet.Diff(t.Context(), v1, v2)
	if err != nil {
		t.Fatal(err)
	}
	var html, js bytes.Buffer
	if err := report.DiffHTML(&html, r); err != nil {
		t.Fatal(err)
	}
	page := writeFile(t, dir, "diff.html", html.Bytes())
	if err := report.DiffJSON(&js, r); err != nil {
		t.Fatal(err)
	}
	type entry struct{ Size int64 }
	var fromJSON struct {
		Size struct {
			Docker struct{ Delta int64 }
		}
		Added   []entry
		Removed []entry
		Changed []struct{ Delta int64 }
	}
	if err := json.Unmarshal(js.Bytes(), &fromJSON); err != nil {
		t.Fatal(err)
	}
	var grew, shrank int64
	for _, e := range fromJSON.Added {
		grew += e.Size
	}
	for _, e := range fromJSON.Removed {
		shrank += e.Size
	}
	for _, c := range fromJSON.Changed {
		grew, shrank = grew+max(c.Delta, 0), shrank+max(-c.Delta, 0)
	}

	dom, _ := b.dom(t, page)
	growth := svg(t, dom, "growth-treemap")
	for _, want := range []string{">/usr/lib</text>", "/app — "} {
		if !strings.Contains(growth, want) {
			t.Errorf("the growth treemap lacks %q (libb.so.2 added, config.yaml grown):\n%s", want, growth)
		}
	}
	if strings.Contains(growth, "/var/cache") {
		t.Errorf("the growth treemap shows the apt cache v2 removed:\n%s", growth)
	}
	if !strings.Contains(svg(t, dom, "shrink-treemap"), "/var/cache/apt") {
		t.Error("the shrinkage treemap lacks the apt cache v2 removed")
	}
	checkBytes(t, dom, map[string]int64{"size-docker": fromJSON.Size.Docker.Delta, "growth-bytes": grew, "shrink-bytes": shrank})
	b.screenshot(t, page, "diff.png", "1100,1600")
}

// TestHTMLManyPathsInBrowser makes the benchmarks' 500,000-path image
// (bench/mkbench), writes its report with diet analyze --format html -o,
// and loads it in the browser: the page stays small (≤ 2 MB, small files
// aggregated) and whole. It logs how long the browser took beside an
// empty page's; bench/run.sh holds the target (≤ 2 s).
func TestHTMLManyPathsInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("makes a 590 MB image: not in -short")
	}
	b := chromium(t)
	dir := t.TempDir()
	bin := func(pkg string) string {
		out := filepath.Join(dir, path.Base(pkg))
		if o, err := exec.Command("go", "build", "-o", out, pkg).CombinedOutput(); err != nil {
			t.Fatalf("go build %s: %v\n%s", pkg, err, o)
		}
		return out
	}
	mkbench, dietBin := bin("github.com/dietimage/diet/bench/mkbench"), bin("github.com/dietimage/diet/cmd/diet")
	if o, err := exec.CommandContext(t.Context(), mkbench, "-only", "many", "-o", dir).CombinedOutput(); err != nil {
		t.Fatalf("mkbench: %v\n%s", err, o)
	}
	img, page := filepath.Join(dir, "many.tar"), filepath.Join(dir, "many.html")
	run := func(args ...string) []byte {
		cmd := exec.CommandContext(t.Context(), dietBin, args...)
		cmd.Env = append(os.Environ(), "CI=") // reports, not a gate
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("diet %s: %v", strings.Join(args, " "), err)
		}
		return out
	}
	run("analyze", "--format", "html", "-o", page, img)
	var fromJSON struct {
		Size struct {
			Uncompressed int64 `json:"uncompressed_bytes"`
		}
	}
	if err := json.Unmarshal(run("analyze", "--format", "json", img), &fromJSON); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(page)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Size() > 2_000_000 {
		t.Errorf("the 500k-path report is %d bytes, want at most 2 MB", fi.Size())
	}

	_, empty := b.dom(t, writeFile(t, dir, "empty.html", []byte("<!doctype html><title>empty</title>")))
	dom, took := b.dom(t, page)
	if n := strings.Count(svg(t, dom, "final-treemap"), "<rect"); n < 10 {
		t.Errorf("the final treemap has %d rectangles", n)
	}
	if !strings.Contains(dom, "</footer>") {
		t.Error("the DOM ends before the page's footer")
	}
	checkBytes(t, dom, map[string]int64{"size-docker": fromJSON.Size.Uncompressed})
	t.Logf("500k-path report: %d bytes; the browser took %v on it, %v on an empty page", fi.Size(), took.Round(time.Millisecond), empty.Round(time.Millisecond))
}
