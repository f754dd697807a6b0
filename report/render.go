package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"

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
//
// Every string of r reaches the terminal through [Escape]: the image wrote
// them, and control characters in them would drive the terminal.
func Text(w io.Writer, r *analyze.Report, o TextOptions) error {
	orig := r
	r = escaped(r)
	for i, l := range orig.Layers {
		// A history line is shown on one line, its whitespace collapsed
		// (analyze.Instruction): a tab or newline of a RUN line is layout,
		// not an attack, and must not show as \t.
		r.Layers[i].CreatedBy = Escape(strings.Join(strings.Fields(l.CreatedBy), " "))
	}
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

// JSON writes r as JSON indented down to the items of its lists, one item
// a line (full indentation made large reports several times slower to
// write than to analyse): fields in the order of the Go types
// (the schema in docs/analyze.md), lists in the report's order, and no HTML
// escaping, so that history lines keep their && and <. The same report
// gives the same bytes.
//
// Lists are [] when empty, never null, with two exceptions: "duplicates"
// is null when duplicates were not looked for, and "entrypoint" and "cmd"
// are null when the image sets none. r itself is not modified.
func JSON(w io.Writer, r *analyze.Report) error { return writeJSON(w, normalized(r)) }

// normalized is a copy of r whose lists are [] when empty.
func normalized(r *analyze.Report) *analyze.Report {
	c := *r
	c.Layers = nonNil(c.Layers)
	c.Wasted = nonNil(c.Wasted)
	c.Culprits = nonNil(c.Culprits)
	c.Recommendations = nonNil(c.Recommendations)
	c.Dive.InefficientFiles = nonNil(c.Dive.InefficientFiles)
	return &c
}

func writeJSON(w io.Writer, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := w.Write(indentShallow(buf.Bytes(), 2))
	return err
}

// indentShallow breaks compact JSON into lines down to depth levels of
// objects and arrays; what is deeper stays on one line.
func indentShallow(b []byte, depth int) []byte {
	out := make([]byte, 0, len(b)+len(b)/8)
	level, inString, escaped := 0, false, false
	newline := func(l int) {
		out = append(out, '\n')
		for range l {
			out = append(out, ' ', ' ')
		}
	}
	for i, c := range b {
		if inString {
			out = append(out, c)
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
			continue
		}
		switch c {
		case '"':
			inString = true
			out = append(out, c)
		case '{', '[':
			out = append(out, c)
			level++
			if level <= depth && i+1 < len(b) && b[i+1] != '}' && b[i+1] != ']' {
				newline(level)
			}
		case '}', ']':
			if level <= depth && i > 0 && b[i-1] != '{' && b[i-1] != '[' {
				newline(level - 1)
			}
			level--
			out = append(out, c)
		case ',':
			out = append(out, c)
			if level <= depth {
				newline(level)
			}
		case ':':
			out = append(out, ':')
			if level <= depth {
				out = append(out, ' ')
			}
		default:
			out = append(out, c)
		}
	}
	return out
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
