package report

import (
	"io"

	"github.com/dietimage/diet/diff"
)

// The fills of the diff page's treemaps: what B adds and grows, what it
// removes and shrinks.
const (
	fillAdded   = "#59a14f"
	fillGrown   = "#f28e2b"
	fillRemoved = "#e15759"
	fillShrunk  = "#ff9da7"
)

// diffPageRows is how many paths the diff page lists.
const diffPageRows = 100

// DiffHTML writes r as one self-contained page: the sizes of both images
// and the change, the growth treemap (what B adds and grows, by
// directory), the same for what it removes and shrinks, the directories
// that changed most, the layers (the shared base once), the largest path
// changes and the history lines that differ. No script, no network; every
// string of r is escaped by html/template.
func DiffHTML(w io.Writer, r *diff.Report) error {
	var grew, shrank []piece
	for _, e := range r.Added {
		grew = append(grew, piece{e.Path, e.Size, fillAdded, "added"})
	}
	for _, e := range r.Removed {
		shrank = append(shrank, piece{e.Path, e.Size, fillRemoved, "removed"})
	}
	for _, c := range r.Changed {
		switch {
		case c.Delta > 0:
			grew = append(grew, piece{c.Path, c.Delta, fillGrown, "more in changed files"})
		case c.Delta < 0:
			shrank = append(shrank, piece{c.Path, -c.Delta, fillShrunk, "less in changed files"})
		}
	}
	paths := pathChanges(r)
	data := struct {
		R                 *diff.Report
		Growth, Shrinkage []box
		Grew, Shrank      int64
		Paths             []pathChange
		More              int
		MapW, MapH        float64
		Added, Grown      string
		Removed, Shrunk   string
	}{R: r, MapW: mapW, MapH: mapH / 2, Added: fillAdded, Grown: fillGrown, Removed: fillRemoved, Shrunk: fillShrunk,
		Paths: paths[:min(len(paths), diffPageRows)], More: max(len(paths)-diffPageRows, 0)}
	for _, p := range grew {
		data.Grew += p.Bytes
	}
	for _, p := range shrank {
		data.Shrank += p.Bytes
	}
	data.Growth = groupMap(grew, rect{0, 0, mapW, mapH / 2})
	data.Shrinkage = groupMap(shrank, rect{0, 0, mapW, mapH / 2})
	return pages.ExecuteTemplate(w, "diff", data)
}
