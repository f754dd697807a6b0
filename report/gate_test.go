package report_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/dietimage/diet/analyze"
	"github.com/dietimage/diet/gate"
	"github.com/dietimage/diet/report"
)

// storyVerdict is the gate on the story fixture: one rule of each outcome.
func storyVerdict() (*analyze.Report, *gate.Verdict) {
	r := story()
	size, c := int64(1), int64(1)
	return r, gate.Check(r, gate.Rules{MaxSize: &size, MaxCompressedSize: &c, DenyCulprits: []string{"go-build-cache"},
		LowestEfficiency: ptr(0.0)})
}

func TestGateGolden(t *testing.T) {
	r, v := storyVerdict()
	var text, md bytes.Buffer
	if err := report.GateText(&text, v, report.TextOptions{}); err != nil {
		t.Fatal(err)
	}
	golden(t, "story-gate.txt", text.Bytes())
	if err := report.Markdown(&md, r, v); err != nil {
		t.Fatal(err)
	}
	golden(t, "story.md", md.Bytes())
}

// TestGateJSON: the report's fields, then "ci", and the report itself as
// JSON writes it.
func TestGateJSON(t *testing.T) {
	r, v := storyVerdict()
	var plain, gated bytes.Buffer
	if err := report.JSON(&plain, r); err != nil {
		t.Fatal(err)
	}
	if err := report.GateJSON(&gated, r, v); err != nil {
		t.Fatal(err)
	}
	var a, b map[string]any
	if err := json.Unmarshal(plain.Bytes(), &a); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(gated.Bytes(), &b); err != nil {
		t.Fatal(err)
	}
	ci := b["ci"].(map[string]any)
	delete(b, "ci")
	if !jsonEqual(a, b) {
		t.Errorf("GateJSON without ci differs from JSON")
	}
	if ci["passed"] != false || len(ci["results"].([]any)) != 4 {
		t.Errorf("ci = %v, want failed with four results", ci)
	}
}

func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}

// TestMarkdownHostile: a history line and a path are the image's words;
// in markdown they must stay text in their cell: no link, image, HTML, new
// row or broken code span.
func TestMarkdownHostile(t *testing.T) {
	r := story()
	r.Layers[0].CreatedBy = "RUN x | y ``` ![pwn](http://evil/x.png) <img src=x onerror=alert(1)>\n| 9 | fake row |\x1b[2J"
	r.Image.Ref = "evil`ref"
	var md bytes.Buffer
	if err := report.Markdown(&md, r, nil); err != nil {
		t.Fatal(err)
	}
	out := md.String()
	rows := 0
	for _, line := range strings.Split(out, "\n") {
		if !strings.Contains(line, "pwn") {
			continue
		}
		rows++
		want := "| 0 | "
		if !strings.HasPrefix(line, want) || strings.Count(strings.ReplaceAll(line, `\|`, ""), "|") != 5 {
			t.Errorf("the hostile layer's row is not one row of four cells:\n%s", line)
		}
		if !strings.Contains(line, "````RUN x \\| y ``` ![pwn](http://evil/x.png) <img src=x onerror=alert(1)> \\| 9 \\| fake row \\|\\x1b[2J````") {
			t.Errorf("the history line is not one code span fenced past its backticks:\n%s", line)
		}
	}
	if rows != 1 {
		t.Errorf("the hostile history line is on %d lines, want 1:\n%s", rows, out)
	}
	if strings.Contains(out, "\x1b") || strings.Contains(out, "\n| 9 |") {
		t.Errorf("markdown carries a control character or a forged row:\n%s", out)
	}
	if !strings.Contains(out, "### diet analyze ``evil`ref``") {
		t.Errorf("the ref is not a code span:\n%s", out)
	}
}
