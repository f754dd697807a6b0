package report

import (
	"cmp"
	"slices"
	"strconv"
	"strings"

	"github.com/dietimage/diet/analyze"
)

func (p *printer) wasted(r *analyze.Report) {
	if len(r.Wasted) == 0 {
		p.section("Wasted", "none: no layer deletes or replaces bytes of an earlier layer")
		return
	}
	p.section("Wasted", "bytes stored in a layer but absent from the final filesystem: what a squash recovers")
	p.printf("  %s in %s\n", p.paint(yellow, Human(r.WastedBytes)), plural(len(r.Wasted), "file version"))
	t := table{align: "rlrrl", style: []string{yellow, "", "", "", ""}, head: true, fit: true, keepEnd: true}
	t.row("bytes", "reason", "removed by", "added in", "path")
	for _, w := range r.Wasted[:min(len(r.Wasted), TopRows)] {
		t.row(Decimal(w.Bytes), w.Reason, "layer "+strconv.Itoa(w.Layer), "layer "+strconv.Itoa(w.AddedIn), w.Path)
	}
	if rest := r.Wasted[min(len(r.Wasted), TopRows):]; len(rest) > 0 {
		var n int64
		for _, w := range rest {
			n += w.Bytes
		}
		t.row(Decimal(n), "", "", "", "… "+Exact(int64(len(rest)))+" more")
	}
	p.table(&t)
}

func (p *printer) dive(r *analyze.Report) {
	d := r.Dive
	p.section("Dive", "dive's figures by dive's definitions, which differ from ours (docs/analyze.md)")
	t := table{align: "lrl", style: []string{"", "", dim}}
	t.row("efficiency", percent(d.Efficiency), "Σ per path of the smallest size seen ÷ Σ of all sizes seen")
	t.row("wasted bytes", Decimal(d.WastedBytes),
		"every copy of a path seen in 2+ layers, the surviving one included ("+plural(len(d.InefficientFiles), "path")+")")
	t.row("user wasted", percent(d.UserWastedPercent),
		"dive's wasted ÷ bytes of all layers but the first ("+Decimal(d.UserSizeBytes)+")")
	p.table(&t)
}

// group is the culprits of one category and their total.
type group struct {
	category string
	bytes    int64
	items    []analyze.Culprit
}

// groups gathers culprits by category, largest total first; within a
// category the report's order (largest first) is kept.
func groups(cs []analyze.Culprit) []group {
	var out []group
	at := map[string]int{}
	for _, c := range cs {
		i, ok := at[c.Category]
		if !ok {
			i = len(out)
			at[c.Category] = i
			out = append(out, group{category: c.Category})
		}
		out[i].bytes += c.Bytes
		out[i].items = append(out[i].items, c)
	}
	slices.SortStableFunc(out, func(a, b group) int {
		return cmp.Or(cmp.Compare(b.bytes, a.bytes), cmp.Compare(a.category, b.category))
	})
	return out
}

func (p *printer) culprits(r *analyze.Report) {
	if len(r.Culprits) == 0 {
		p.section("Culprits", "none found")
		return
	}
	p.section("Culprits", "known kinds of size mistakes, by category, largest first")
	t := table{align: "lrrrl", style: []string{bold, "", dim, dim, ""}, head: true, fit: true, keepEnd: true}
	t.row("category", "bytes", "files", "layer", "path")
	for _, g := range groups(r.Culprits) {
		if len(g.items) > 1 {
			t.row(g.category, Decimal(g.bytes), "", "", plural(len(g.items), "path")+":")
		}
		for i, c := range g.items[:min(len(g.items), TopRows)] {
			cat := g.category
			if len(g.items) > 1 || i > 0 {
				cat = ""
			}
			t.row(cat, Decimal(c.Bytes), count(c.Files), strconv.Itoa(c.Layer), c.Path)
			if note := culpritNote(c); note != "" {
				t.row("", "", "", "", "  ↳ "+note)
			}
		}
		if rest := g.items[min(len(g.items), TopRows):]; len(rest) > 0 {
			var n int64
			for _, c := range rest {
				n += c.Bytes
			}
			t.row("", Decimal(n), "", "", "… "+Exact(int64(len(rest)))+" more")
		}
	}
	p.table(&t)
}

// culpritNote is what else the reader must know of a culprit: that a
// later layer deletes it (the bytes still ship), and the category's detail.
func culpritNote(c analyze.Culprit) string {
	var notes []string
	if c.RemovedBy != nil {
		notes = append(notes, "removed by layer "+strconv.Itoa(*c.RemovedBy)+": the bytes still ship")
	}
	if c.Detail != "" {
		notes = append(notes, c.Detail)
	}
	return strings.Join(notes, "; ")
}

func (p *printer) duplicates(r *analyze.Report) {
	if r.Duplicates == nil {
		return // not asked for: no hashes were computed
	}
	if len(r.Duplicates) == 0 {
		p.section("Duplicates", "none: every file content is stored once")
		return
	}
	var total int64
	for _, d := range r.Duplicates {
		total += d.WastedBytes
	}
	p.section("Duplicates", "the same content stored at more than one path or layer")
	p.printf("  %s in extra copies of %s\n", p.paint(yellow, Human(total)), plural(len(r.Duplicates), "content"))
	for _, d := range r.Duplicates[:min(len(r.Duplicates), TopRows)] {
		p.printf("  %s  %s × %d copies, %s extra\n", p.paint(dim, shortDigest(d.SHA256)),
			Decimal(d.Size), len(d.Copies), p.paint(yellow, Decimal(d.WastedBytes)))
		t := table{align: "rl", style: []string{dim, ""}, fit: true, keepEnd: true}
		for _, c := range d.Copies[:min(len(d.Copies), TopRows)] {
			t.row("  layer "+strconv.Itoa(c.Layer), c.Path)
		}
		if n := len(d.Copies) - TopRows; n > 0 {
			t.row("", "… "+Exact(int64(n))+" more copies")
		}
		p.table(&t)
	}
	if rest := r.Duplicates[min(len(r.Duplicates), TopRows):]; len(rest) > 0 {
		var n int64
		for _, d := range rest {
			n += d.WastedBytes
		}
		p.printf("  … %s, %s extra\n", plural(len(rest), "more content"), Decimal(n))
	}
}
