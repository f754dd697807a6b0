package report_test

import (
	"bytes"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/dietimage/diet/diff"
	"github.com/dietimage/diet/report"
)

// appDiff is a comparison where b adds a library, grows its config,
// drops an apt cache and shrinks its server.
func appDiff() *diff.Report {
	return &diff.Report{
		Schema: diff.Schema,
		A:      diff.Image{Ref: "app:1", ID: "sha256:aa", Layers: 3},
		B:      diff.Image{Ref: "app:<b>2</b>", ID: "sha256:bb", Layers: 3},
		Layers: []diff.Layer{
			{Side: "both", Index: 0, SizeBytes: 5000, CreatedBy: "ADD base /"},
			{Side: "a", Index: 1, SizeBytes: 6000, CreatedBy: "RUN apt-get install -y liba"},
			{Side: "b", Index: 1, SizeBytes: 3000, CreatedBy: `RUN echo "<script>alert(1)</script>"`},
		},
		Size: diff.Sizes{
			Docker: diff.Delta{A: 11000, B: 8000, Delta: -3000},
			Final:  diff.Delta{A: 11000, B: 8000, Delta: -3000},
			Added:  2000, Removed: 5000, Changed: 0,
		},
		Added:   []diff.Entry{{Path: "/usr/lib/libb.so.2", Type: "file", Size: 2000}},
		Removed: []diff.Entry{{Path: "/var/cache/apt/archives/liba.deb", Type: "file", Size: 5000}},
		Changed: []diff.Change{
			{Path: "/app/config.yaml", What: []string{"size", "content"}, A: diff.Entry{Size: 100}, B: diff.Entry{Size: 400}, Delta: 300},
			{Path: "/app/server", What: []string{"size", "content"}, A: diff.Entry{Size: 1300}, B: diff.Entry{Size: 1000}, Delta: -300},
		},
		Dirs:    []diff.Dir{{Path: "/var/cache/apt", A: 5000, B: 0, Delta: -5000}, {Path: "/usr/lib", A: 0, B: 2000, Delta: 2000}},
		History: diff.History{Common: 1, Removed: []string{"RUN apt-get install -y liba"}, Added: []string{"RUN echo"}},
	}
}

// TestDiffHTML checks the diff page: self-contained and inert, the image's
// strings escaped, the growth treemap holding what b adds (green) and
// grows (orange) and nothing it removes, the shrinkage treemap the
// reverse, and the totals of the report.
func TestDiffHTML(t *testing.T) {
	r := appDiff()
	var buf bytes.Buffer
	if err := report.DiffHTML(&buf, r); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	for _, bad := range []string{"<script", "http://", "https://", "src=", "@import"} {
		if strings.Contains(page, bad) {
			t.Errorf("the page holds %q: it must be self-contained and inert", bad)
		}
	}
	if !strings.Contains(page, "app:&lt;b&gt;2&lt;/b&gt;") || !strings.Contains(page, "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Error("the images' strings are not escaped")
	}
	titles := func(svg string) string {
		var out []string
		for _, m := range regexp.MustCompile(`<title>([^<]*)</title>`).FindAllStringSubmatch(section(t, page, svg), -1) {
			out = append(out, m[1])
		}
		return strings.Join(out, "\n")
	}
	growth := titles(`<svg id="growth-treemap"`)
	for _, want := range []string{"/usr/lib — 2 kB (2.0 KiB) added", "/app — 300 B more in changed files"} {
		if !strings.Contains(growth, want) {
			t.Errorf("growth treemap lacks %q:\n%s", want, growth)
		}
	}
	if strings.Contains(growth, "/var/cache") || strings.Contains(growth, "less") {
		t.Errorf("growth treemap shows what shrank:\n%s", growth)
	}
	shrink := titles(`<svg id="shrink-treemap"`)
	for _, want := range []string{"/var/cache/apt — 5 kB (4.9 KiB) removed", "/app — 300 B less in changed files"} {
		if !strings.Contains(shrink, want) {
			t.Errorf("shrinkage treemap lacks %q:\n%s", want, shrink)
		}
	}
	for id, want := range map[string]int64{"size-docker": -3000, "size-final": -3000, "growth-bytes": 2300, "shrink-bytes": 5300} {
		m := regexp.MustCompile(`id="` + id + `" data-bytes="(-?\d+)"`).FindStringSubmatch(page)
		if m == nil || m[1] != strconv.FormatInt(want, 10) {
			t.Errorf("%s: %v, want %d", id, m, want)
		}
	}
	// The larger path first, each with its signed change.
	paths := page[strings.Index(page, `<section id="paths">`):]
	if i, j := strings.Index(paths, "liba.deb"), strings.Index(paths, "libb.so.2"); i < 0 || j < 0 || i > j {
		t.Errorf("paths: want liba.deb (5 kB) before libb.so.2 (2 kB):\n%s", paths)
	}
}

// TestDiffHTMLSame: two equal images make a page that says so, with no
// treemap.
func TestDiffHTMLSame(t *testing.T) {
	var buf bytes.Buffer
	if err := report.DiffHTML(&buf, &diff.Report{Schema: diff.Schema}); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	if strings.Contains(page, "<svg") || !strings.Contains(page, "Nothing grew") || !strings.Contains(page, "The final filesystems are the same") {
		t.Errorf("the page of two equal images:\n%s", page)
	}
}
