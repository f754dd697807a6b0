package report

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/dietimage/diet/analyze"
	"github.com/dietimage/diet/gate"
)

// markdownRows is how many rows each table of [Markdown] shows.
const markdownRows = 5

// Markdown writes a summary of r fit for a pull request comment or a
// GitHub step summary: sizes, the largest layers, the waste and, with v
// (diet analyze --ci), the rules. Every string from the image is a code
// span, so that a history line cannot add links, images or HTML to the
// page, and cannot break out of its table cell.
func Markdown(w io.Writer, r *analyze.Report, v *gate.Verdict) error {
	var b strings.Builder
	title := "diet analyze " + code(r.Image.Ref)
	if v != nil {
		title += map[bool]string{true: " — ✅ rules pass", false: " — ❌ rules fail"}[v.Passed]
	}
	fmt.Fprintf(&b, "### %s\n\n", title)

	b.WriteString("| | size |\n|---|---:|\n")
	fmt.Fprintf(&b, "| docker size (`docker image ls`) | %s |\n", Decimal(r.Size.UncompressedBytes))
	if c := r.Size.CompressedBytes; c != nil {
		fmt.Fprintf(&b, "| compressed (a pull) | %s |\n", Decimal(*c))
	} else {
		b.WriteString("| compressed (a pull) | unknown |\n")
	}
	fmt.Fprintf(&b, "| final filesystem (squashed) | %s |\n", Decimal(r.Size.FinalBytes))
	fmt.Fprintf(&b, "| wasted (deleted or replaced by a later layer) | %s (%s) |\n", Decimal(r.WastedBytes), share(r.WastedBytes, r.Size.UncompressedBytes))
	fmt.Fprintf(&b, "| dive efficiency | %s |\n", percent(r.Dive.Efficiency))

	layers := slices.Clone(r.Layers)
	slices.SortStableFunc(layers, func(a, b analyze.Layer) int { return cmp.Compare(b.SizeBytes, a.SizeBytes) })
	fmt.Fprintf(&b, "\n**Largest layers** (%d of %d)\n\n| # | size | wasted | created by |\n|---:|---:|---:|---|\n", min(len(layers), markdownRows), len(layers))
	for _, l := range layers[:min(len(layers), markdownRows)] {
		fmt.Fprintf(&b, "| %d | %s | %s | %s |\n", l.Index, Decimal(l.SizeBytes), dash(l.WastedBytes, Decimal), code(analyze.Instruction(l.CreatedBy)))
	}

	if gs := groups(r.Culprits); len(gs) > 0 {
		b.WriteString("\n**Culprits**\n\n| category | size | where |\n|---|---:|---|\n")
		for _, g := range gs[:min(len(gs), markdownRows)] {
			fmt.Fprintf(&b, "| %s | %s | %s |\n", g.category, Decimal(g.bytes), code(culpritWhere(g.items)))
		}
	}

	if v != nil {
		b.WriteString("\n**Rules** (`diet analyze --ci`)\n\n| | rule | limit | value | |\n|---|---|---:|---:|---|\n")
		for _, res := range v.Results {
			mark := map[gate.Status]string{gate.Pass: "✅", gate.Fail: "❌", gate.Skip: "⏭️"}[res.Status]
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", mark, res.Rule, Limit(res), Value(res), code(why(res)))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// code makes s a code span that holds whatever s holds: fenced by more
// backticks than any run in it, its pipes escaped for the table, its
// control characters escaped for the eye.
func code(s string) string {
	if s == "" {
		return ""
	}
	s = strings.ReplaceAll(Escape(s), "|", `\|`)
	fence, run := "`", 0
	for _, c := range s {
		if run = map[bool]int{true: run + 1, false: 0}[c == '`']; run >= len(fence) {
			fence += "`"
		}
	}
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		s = " " + s + " "
	}
	return fence + s + fence
}

// culpritWhere names a category's largest path and how many more there are.
func culpritWhere(cs []analyze.Culprit) string {
	top := slices.MaxFunc(cs, func(a, b analyze.Culprit) int { return cmp.Compare(a.Bytes, b.Bytes) })
	s := fmt.Sprintf("%s (layer %d)", top.Path, top.Layer)
	if len(cs) > 1 {
		s += fmt.Sprintf(" and %d more", len(cs)-1)
	}
	return s
}
