package report

import (
	"strings"
	"unicode/utf8"
)

// table lays rows out in aligned columns, two spaces apart and indented by
// two. Cells are plain text: styles are applied after padding, so escape
// codes never count as width.
type table struct {
	align string   // per column: 'l' or 'r'
	style []string // per column ANSI style; "" or missing for none
	head  bool     // the first row is a header, printed dim
	// fit trims the last column so that lines fit the printer's width;
	// keepEnd trims its start instead of its end (paths: the name matters).
	fit, keepEnd bool
	rows         [][]string
}

func (t *table) row(cells ...string) { t.rows = append(t.rows, cells) }

// minLast is the narrowest a trimmed last column gets, however narrow the
// terminal: a few words of a history line beat none.
const minLast = 16

func (p *printer) table(t *table) {
	var widths []int
	for _, r := range t.rows {
		for i, c := range r {
			if i >= len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], utf8.RuneCountInString(c))
		}
	}
	if len(widths) == 0 {
		return
	}
	last := len(widths) - 1
	if t.fit {
		used := 2
		for _, w := range widths[:last] {
			used += w + 2
		}
		widths[last] = min(widths[last], max(p.width-used, minLast))
	}
	for ri, r := range t.rows {
		var b strings.Builder
		b.WriteString("  ")
		for i, c := range r {
			if i > 0 {
				b.WriteString("  ")
			}
			if i == last && t.fit {
				c = trim(c, widths[i], t.keepEnd)
			}
			pad := strings.Repeat(" ", widths[i]-utf8.RuneCountInString(c))
			right := i < len(t.align) && t.align[i] == 'r'
			if !right && i == len(r)-1 {
				pad = "" // no trailing blanks
			}
			style := ""
			if i < len(t.style) {
				style = t.style[i]
			}
			if t.head && ri == 0 {
				style = dim
			} else if c == "-" {
				style = "" // an empty figure needs no colour
			}
			if right {
				b.WriteString(pad + p.paint(style, c))
			} else {
				b.WriteString(p.paint(style, c) + pad)
			}
		}
		p.printf("%s\n", strings.TrimRight(b.String(), " "))
	}
}

// trim shortens s to n runes, marking the cut with "…": at the end, or at
// the start when keepEnd is set.
func trim(s string, n int, keepEnd bool) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	if n <= 1 {
		return "…"
	}
	r := []rune(s)
	if keepEnd {
		return "…" + string(r[len(r)-(n-1):])
	}
	return string(r[:n-1]) + "…"
}
