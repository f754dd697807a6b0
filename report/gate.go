package report

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/dietimage/diet/analyze"
	"github.com/dietimage/diet/gate"
)

// GateText writes the verdict of diet analyze --ci after [Text]: each rule
// with its limit, the image's value and PASS, FAIL or SKIP, then the
// outcome, as dive's "Evaluation" does.
func GateText(w io.Writer, v *gate.Verdict, o TextOptions) error {
	v = escaped(v)
	p := &printer{w: w, color: o.Color, width: o.Width}
	if p.width <= 0 {
		p.width = DefaultWidth
	}
	p.section("CI rules", "diet analyze --ci: exit 3 when a rule fails")
	t := table{align: "llrr", style: []string{"", "", "", ""}, head: true}
	t.row("", "rule", "limit", "value")
	var pass, fail, skip int
	var notes []string
	for _, res := range v.Results {
		switch res.Status {
		case gate.Pass:
			pass++
		case gate.Fail:
			fail++
		default:
			skip++
		}
		t.row(strings.ToUpper(string(res.Status)), res.Rule, Limit(res), Value(res))
		if w := why(res); w != "" {
			notes = append(notes, res.Rule+": "+w)
		}
	}
	p.table(&t)
	for _, n := range notes {
		p.printf("  %s\n", p.paint(dim, n)) // whole: the evidence of a failed build
	}
	verdict := p.paint(green, "PASS")
	if !v.Passed {
		verdict = p.paint(red, "FAIL")
	}
	p.printf("\n%s [pass:%d fail:%d skip:%d]\n", verdict, pass, fail, skip)
	return p.err
}

// Limit is a rule's limit as people read it.
func Limit(res gate.Result) string {
	if res.Kind == gate.Culprits {
		return "none"
	}
	return quantity(res.Kind, res.Limit)
}

// Value is what the image measures for a rule.
func Value(res gate.Result) string {
	switch {
	case res.Value == nil:
		return "unknown"
	case res.Kind == gate.Culprits && len(res.Found) == 0:
		return "none"
	case res.Kind == gate.Culprits:
		return fmt.Sprintf("%d (%s)", len(res.Found), Decimal(int64(*res.Value)))
	}
	return quantity(res.Kind, *res.Value)
}

func quantity(k gate.Kind, f float64) string {
	if k == gate.Fraction {
		return percent(f)
	}
	return Decimal(int64(f))
}

// why says which layers or culprits broke a rule, or why it was skipped.
func why(res gate.Result) string {
	if res.Reason != "" {
		return res.Reason
	}
	var parts []string
	for _, l := range res.Layers {
		parts = append(parts, "layer "+strconv.Itoa(l))
	}
	for _, c := range res.Found {
		s := fmt.Sprintf("%s in layer %d", c.Path, c.Layer)
		if c.RemovedBy != nil {
			s += fmt.Sprintf(" (deleted by %d, still shipped)", *c.RemovedBy)
		}
		parts = append(parts, s)
	}
	if res.Kind == gate.Culprits {
		return strings.Join(append([]string{"of " + strings.Join(res.Categories, ", ")}, parts...), "; ")
	}
	return strings.Join(parts, ", ")
}

// GateJSON is [JSON] with the verdict of diet analyze --ci as a last
// field, "ci" (docs/analyze.md).
func GateJSON(w io.Writer, r *analyze.Report, v *gate.Verdict) error {
	return writeJSON(w, struct {
		*analyze.Report
		CI *gate.Verdict `json:"ci"`
	}{normalized(r), v})
}
