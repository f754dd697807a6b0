package report

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/dietimage/diet/analyze"
)

// DefaultWidth is the width [Text] fits its tables to when
// [TextOptions.Width] is zero.
const DefaultWidth = 100

// TextOptions chooses how [Text] looks. The CLI fills it from the terminal.
type TextOptions struct {
	// Color adds ANSI colour codes; leave it false unless the output is a
	// terminal that wants them.
	Color bool
	// Width is the number of columns to fit tables to; long history lines
	// and paths are trimmed with "…". Zero means [DefaultWidth].
	Width int
}

// TopRows is how many rows [Text] shows of each long list (wasted paths,
// duplicates, paths per culprit category); the rest are summed on one line.
// [JSON] always has every row.
const TopRows = 10

// Sections are the headings of [Text], in order. Sections with nothing to
// show (duplicates when not asked for) are left out.
var Sections = []string{
	"Image", "Size", "Layers", "Wasted", "Dive", "Culprits", "Duplicates",
	"Directories", "Recommendations", "Accounting", "Units",
}

// Text writes r for people: the image, its sizes, the layers with the
// history lines that made them, wasted bytes, dive's figures, culprits,
// duplicates, the directory tree, recommendations and an accounting of every
// byte that visibly adds up.
func Text(w io.Writer, r *analyze.Report, o TextOptions) error {
	p := &printer{w: w, color: o.Color, width: o.Width}
	if p.width <= 0 {
		p.width = DefaultWidth
	}
	p.header(r)
	p.size(r)
	p.layers(r)
	p.wasted(r)
	p.dive(r)
	p.culprits(r)
	p.duplicates(r)
	p.tree(r)
	p.recommendations(r)
	p.accounting(r)
	p.units(r)
	return p.err
}

// printer writes text and keeps the first write error, so the sections
// read as straight-line code.
type printer struct {
	w     io.Writer
	err   error
	color bool
	width int
}

// ANSI styles. Plain codes: no dependency, and any terminal that wants
// colour knows them.
const (
	bold   = "1"
	dim    = "2"
	red    = "31"
	green  = "32"
	yellow = "33"
	cyan   = "36"
)

// paint wraps s in the style code when colour is on.
func (p *printer) paint(code, s string) string {
	if !p.color || code == "" || s == "" {
		return s
	}
	return "\x1b[" + code + "m" + s + "\x1b[0m"
}

func (p *printer) printf(format string, args ...any) {
	if p.err != nil {
		return
	}
	_, p.err = fmt.Fprintf(p.w, format, args...)
}

// section starts a section: a blank line (except at the top), the heading
// and an optional note after it.
func (p *printer) section(title, note string) {
	if title != Sections[0] {
		p.printf("\n")
	}
	if note != "" {
		note = " — " + p.paint(dim, note)
	}
	p.printf("%s%s\n", p.paint(bold, title), note)
}

// JSON writes r as indented JSON: fields in the order of the Go types
// (the schema in docs/analyze.md), lists in the report's order, and no HTML
// escaping, so that history lines keep their && and <. The same report
// gives the same bytes.
//
// Lists are [] when empty, never null, with two exceptions: "duplicates"
// is null when duplicates were not looked for, and "entrypoint" and "cmd"
// are null when the image sets none. r itself is not modified.
func JSON(w io.Writer, r *analyze.Report) error {
	c := *r
	c.Layers = nonNil(c.Layers)
	c.Wasted = nonNil(c.Wasted)
	c.Culprits = nonNil(c.Culprits)
	c.Recommendations = nonNil(c.Recommendations)
	c.Dive.InefficientFiles = nonNil(c.Dive.InefficientFiles)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(&c)
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
