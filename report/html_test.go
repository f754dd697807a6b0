package report_test

import (
	"bytes"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/dietimage/diet/analyze"
	"github.com/dietimage/diet/report"
)

// TestHTML checks the page of the story fixture: self-contained (no
// script, no URL to fetch), its treemaps drawn with the largest
// directory labelled, its totals the report's, and every string of the
// image escaped.
func TestHTML(t *testing.T) {
	r := story()
	r.Layers[1].CreatedBy = `RUN echo "<script>alert(1)</script>" && make`
	r.Culprits[0].Path = "/usr/lib/<b>go</b>"
	var buf bytes.Buffer
	if err := report.HTML(&buf, r); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	for _, bad := range []string{"<script", "http://", "https://", "src=", "@import"} {
		if strings.Contains(page, bad) {
			t.Errorf("the page holds %q: it must be self-contained and inert", bad)
		}
	}
	if !strings.Contains(page, "&lt;script&gt;alert(1)&lt;/script&gt;") || !strings.Contains(page, "/usr/lib/&lt;b&gt;go&lt;/b&gt;") {
		t.Error("the image's strings are not escaped")
	}
	final := section(t, page, `<svg id="final-treemap"`)
	if n := strings.Count(final, "<rect"); n < 10 {
		t.Errorf("final treemap: %d rectangles, want the tree's directories", n)
	}
	if !strings.Contains(final, ">go</text>") {
		t.Error("final treemap: the largest directory, /usr/lib/go, has no label")
	}
	if n := strings.Count(section(t, page, `<svg id="wasted-treemap"`), "<rect"); n == 0 {
		t.Error("wasted treemap: no rectangles")
	}
	if n := strings.Count(section(t, page, `<svg id="layer-bars"`), "<g>"); n != len(r.Layers) {
		t.Errorf("layer bars: %d, want %d", n, len(r.Layers))
	}
	for id, want := range map[string]int64{"size-docker": r.Size.UncompressedBytes, "size-final": r.Size.FinalBytes, "size-wasted": r.WastedBytes} {
		m := regexp.MustCompile(`id="` + id + `" data-bytes="(\d+)"`).FindStringSubmatch(page)
		if m == nil || m[1] != strconv.FormatInt(want, 10) {
			t.Errorf("%s: %v, want %d", id, m, want)
		}
	}
	// The rectangles of the final treemap tile it: their leaves' areas add
	// up to the whole.
	var area float64
	for _, m := range regexp.MustCompile(`<rect class="leaf" x="[\d.]+" y="[\d.]+" width="([\d.]+)" height="([\d.]+)"`).FindAllStringSubmatch(final, -1) {
		w, _ := strconv.ParseFloat(m[1], 64)
		h, _ := strconv.ParseFloat(m[2], 64)
		area += w * h
	}
	if whole := 960.0 * 480; area > whole*1.01 || area < whole*0.85 {
		t.Errorf("leaves cover %.0f of %.0f (the rest: directory names and borders)", area, whole)
	}
}

// section is page from the first occurrence of start to the end of its svg.
func section(t *testing.T, page, start string) string {
	t.Helper()
	i := strings.Index(page, start)
	if i < 0 {
		t.Fatalf("no %s in the page", start)
	}
	j := strings.Index(page[i:], "</svg>")
	return page[i : i+j]
}

// TestHTMLEmpty: an image of nothing still makes a page.
func TestHTMLEmpty(t *testing.T) {
	var buf bytes.Buffer
	if err := report.HTML(&buf, &analyze.Report{Schema: analyze.Schema, Tree: &analyze.Dir{Path: "/"}}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "</html>") {
		t.Error("no page")
	}
}
