package report

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/dietimage/diet/diff"
)

// DiffRows is how many paths [DiffText] and [DiffMarkdown] show of each
// list, largest first; [DiffJSON] has them all.
const DiffRows = 20

// DiffText writes a comparison for people: both images, their sizes and
// the change, the layers (the shared base once), the paths added, removed
// and changed (largest first), the directories that changed most and the
// history lines that differ. Strings go through [Escape].
func DiffText(w io.Writer, r *diff.Report, o TextOptions) error {
	r = escaped(r)
	p := &printer{w: w, color: o.Color, width: o.Width}
	if p.width <= 0 {
		p.width = DefaultWidth
	}
	p.printf("%s  %s → %s\n", p.paint(bold, "Diff"), r.A.Ref, r.B.Ref)

	p.printf("\n%s\n", p.paint(bold, "Size"))
	t := table{align: "lrrr", head: true, style: []string{"", "", "", ""}}
	t.row("", "a", "b", "change")
	sizeRow := func(label string, d diff.Delta) { t.row(label, Decimal(d.A), Decimal(d.B), change(d.Delta, d.A)) }
	sizeRow("docker size", r.Size.Docker)
	sizeRow("final filesystem", r.Size.Final)
	if c := r.Size.Compressed; c != nil {
		sizeRow("compressed", *c)
	} else {
		t.row("compressed", "", "", "unknown")
	}
	p.table(&t)

	shared := 0
	for _, l := range r.Layers {
		if l.Side == "both" {
			shared++
		}
	}
	p.printf("\n%s — %s shared, then each image's own\n", p.paint(bold, "Layers"), plural(shared, "base layer"))
	t = table{align: "lrrl", head: true, fit: true, style: []string{"", dim, "", ""}}
	t.row("", "#", "size", "created by")
	for _, l := range r.Layers {
		t.row(l.Side, strconv.Itoa(l.Index), Decimal(l.SizeBytes), strings.Join(strings.Fields(l.CreatedBy), " "))
	}
	p.table(&t)

	p.printf("\n%s — %d added (%s), %d removed (%s), %d changed (%s)\n", p.paint(bold, "Paths"),
		len(r.Added), signed(r.Size.Added), len(r.Removed), signed(-r.Size.Removed), len(r.Changed), signed(r.Size.Changed))
	lines := pathChanges(r)
	t = table{align: "lrll", fit: true, keepEnd: false, style: []string{"", "", dim, ""}}
	for _, l := range lines[:min(len(lines), DiffRows)] {
		size := Decimal(l.Bytes)
		if l.Mark == "~" {
			size = signed(l.Delta)
		}
		t.row(l.Mark, size, l.What+l.Note, l.Path)
	}
	p.table(&t)
	if len(lines) > DiffRows {
		p.printf("  %s\n", p.paint(dim, fmt.Sprintf("and %d more (--format json lists every path)", len(lines)-DiffRows)))
	}

	if len(r.Dirs) > 0 {
		p.printf("\n%s\n", p.paint(bold, "Directories that changed most"))
		t = table{align: "rrrl", head: true, style: []string{"", dim, dim, ""}}
		t.row("change", "a", "b", "")
		for _, d := range r.Dirs {
			t.row(signed(d.Delta), Decimal(d.A), Decimal(d.B), d.Path)
		}
		p.table(&t)
	}

	if len(r.History.Removed)+len(r.History.Added) > 0 {
		p.printf("\n%s — %s in common\n", p.paint(bold, "History"), plural(r.History.Common, "line"))
		for _, h := range r.History.Removed {
			p.printf("  %s %s\n", p.paint(red, "-"), trim(strings.Join(strings.Fields(h), " "), max(p.width-4, minLast), false))
		}
		for _, h := range r.History.Added {
			p.printf("  %s %s\n", p.paint(green, "+"), trim(strings.Join(strings.Fields(h), " "), max(p.width-4, minLast), false))
		}
	}
	return p.err
}

// A pathChange is one line of a diff's paths.
type pathChange struct {
	Mark  string // + added, - removed, ~ changed
	Path  string
	What  string // the type added or removed, or what changed
	Note  string // a changed mode or type: " 0755→0700"
	Bytes int64  // the larger size of the two sides
	Delta int64  // the size change
}

// pathChanges lists r's added, removed and changed paths, the largest
// first (by the larger of their two sizes).
func pathChanges(r *diff.Report) []pathChange {
	var out []pathChange
	for _, e := range r.Added {
		out = append(out, pathChange{"+", e.Path, e.Type, "", e.Size, e.Size})
	}
	for _, e := range r.Removed {
		out = append(out, pathChange{"-", e.Path, e.Type, "", e.Size, -e.Size})
	}
	for _, c := range r.Changed {
		out = append(out, pathChange{"~", c.Path, strings.Join(c.What, ", "), changeNote(c), max(c.A.Size, c.B.Size), c.Delta})
	}
	slices.SortStableFunc(out, func(x, y pathChange) int {
		return cmp.Or(cmp.Compare(y.Bytes, x.Bytes), strings.Compare(x.Path, y.Path))
	})
	return out
}

// changeNote adds what a changed file was and is, where the size does not.
func changeNote(c diff.Change) string {
	switch {
	case slices.Contains(c.What, "mode"):
		return " " + c.A.Mode + "→" + c.B.Mode
	case slices.Contains(c.What, "type"):
		return " " + c.A.Type + "→" + c.B.Type
	case slices.Contains(c.What, "owner"):
		return fmt.Sprintf(" %d:%d→%d:%d", c.A.UID, c.A.GID, c.B.UID, c.B.GID)
	}
	return ""
}

// signed is a byte change with its sign: "+1.2 MB", "-300 B", "0 B".
func signed(n int64) string {
	if n > 0 {
		return "+" + Decimal(n)
	}
	return Decimal(n)
}

// change is a size change and its share of before.
func change(delta, before int64) string {
	if before == 0 {
		return signed(delta)
	}
	return fmt.Sprintf("%s (%+.1f%%)", signed(delta), 100*float64(delta)/float64(before))
}

// DiffJSON writes r as JSON (the diet.diff/v1 schema of docs/analyze.md),
// lists [] when empty.
func DiffJSON(w io.Writer, r *diff.Report) error {
	c := *r
	c.Layers, c.Added, c.Removed, c.Changed, c.Dirs = nonNil(c.Layers), nonNil(c.Added), nonNil(c.Removed), nonNil(c.Changed), nonNil(c.Dirs)
	return writeJSON(w, &c)
}

// DiffMarkdown writes a summary of r for a pull request comment: sizes,
// the largest path changes and the directories, strings in code spans.
func DiffMarkdown(w io.Writer, r *diff.Report) error {
	var b strings.Builder
	fmt.Fprintf(&b, "### diet diff %s → %s\n\n", code(r.A.Ref), code(r.B.Ref))
	b.WriteString("| | a | b | change |\n|---|---:|---:|---:|\n")
	row := func(label string, d diff.Delta) {
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", label, Decimal(d.A), Decimal(d.B), change(d.Delta, d.A))
	}
	row("docker size", r.Size.Docker)
	row("final filesystem", r.Size.Final)
	if c := r.Size.Compressed; c != nil {
		row("compressed", *c)
	}
	fmt.Fprintf(&b, "\n%d added (%s), %d removed (%s), %d changed (%s)\n", len(r.Added), signed(r.Size.Added),
		len(r.Removed), signed(-r.Size.Removed), len(r.Changed), signed(r.Size.Changed))
	if len(r.Dirs) > 0 {
		b.WriteString("\n| directory | change |\n|---|---:|\n")
		for _, d := range r.Dirs[:min(len(r.Dirs), markdownRows)] {
			fmt.Fprintf(&b, "| %s | %s |\n", code(d.Path), signed(d.Delta))
		}
	}
	items := pathChanges(r)
	if len(items) > 0 {
		marks := map[string]string{"+": "➕", "-": "➖", "~": "✏️"}
		b.WriteString("\n| | path | change | |\n|---|---|---:|---|\n")
		for _, it := range items[:min(len(items), DiffRows)] {
			fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", marks[it.Mark], code(it.Path), signed(it.Delta), it.What)
		}
		if len(items) > DiffRows {
			fmt.Fprintf(&b, "\n%d more paths: `diet diff --format json` lists them all.\n", len(items)-DiffRows)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}
