package dockerfile

import (
	"bytes"
	"cmp"
	"slices"
	"strings"
)

// edit replaces Source[start:end] with text.
type edit struct {
	start, end int
	text       string
}

// apply makes edits on src. Edits at the same offset apply in the order
// given; overlapping or out-of-range edits make the whole set invalid.
func apply(src []byte, edits []edit) ([]byte, bool) {
	sorted := slices.Clone(edits)
	slices.SortStableFunc(sorted, func(a, b edit) int { return cmp.Compare(a.start, b.start) })
	var out bytes.Buffer
	at := 0
	for _, e := range sorted {
		if e.start < at || e.end < e.start || e.end > len(src) {
			return nil, false
		}
		out.Write(src[at:e.start])
		out.WriteString(e.text)
		at = e.end
	}
	out.Write(src[at:])
	return out.Bytes(), true
}

func insert(at int, text string) edit { return edit{start: at, end: at, text: text} }

// runAt returns the RUN holding line, the RUN of an ONBUILD RUN included,
// with the instruction that holds it and its stage; nil when it cannot be
// edited in place.
func (fx *fixer) runAt(line int) (s *Stage, outer, in *Instruction) {
	outer = fx.l.at(line)
	if outer == nil {
		return nil, nil, nil
	}
	in = outer
	if outer.Trigger != nil {
		in = outer.Trigger
	}
	if !editable(in) {
		return nil, nil, nil
	}
	return fx.l.stageOf(outer), outer, in
}

// nameWord returns the index in c.Words of the program's word, after
// wrappers; -1 when it has no exact position.
func nameWord(c *Command) int {
	i := len(c.Words) - len(c.Args)
	if len(c.Args) == 0 || i < 0 || c.Words[i].Offset < 0 {
		return -1
	}
	return i
}

// argWord returns the index of the first word after the program that is
// one of values; -1 if none has an exact position.
func argWord(c *Command, values ...string) int {
	i := nameWord(c)
	if i < 0 {
		return -1
	}
	for j := i + 1; j < len(c.Words); j++ {
		if w := c.Words[j]; w.Lit && slices.Contains(values, w.Value) {
			if w.End < 0 {
				return -1
			}
			return j
		}
	}
	return -1
}

// insertAfterArg inserts " text" after the first argument equal to one of
// values: a flag after its subcommand, as in "apk add --no-cache".
func insertAfterArg(c *Command, text string, values ...string) (edit, bool) {
	j := argWord(c, values...)
	if j < 0 {
		return edit{}, false
	}
	return insert(c.Words[j].End, " "+text), true
}

// quoteAround returns the quote character of the word that holds offset,
// when a command of run sits inside a quoted sh -c script; 0 otherwise.
func (fx *fixer) quoteAround(run *Run, off int) byte {
	for _, c := range run.Commands {
		for _, w := range c.Words {
			if w.Offset >= 0 && w.Offset < off && off < w.End {
				switch q := fx.f.Source[w.Offset]; q {
				case '\'', '"':
					return q
				case '$':
					return '\''
				}
			}
		}
	}
	return 0
}

// lastTop returns the last top-level command of a RUN, if the RUN ends
// with it: after it come only blanks, continuations and comments. That is
// where "&& more" can go.
func (fx *fixer) lastTop(in *Instruction) *Command {
	if len(in.Heredocs) > 0 || in.Run == nil || in.Run.Err != nil || in.Run.Exec {
		return nil
	}
	var last *Command
	for _, c := range in.Run.Commands {
		if !c.Nested && c.Offset >= 0 && (last == nil || c.End > last.End) {
			last = c
		}
	}
	if last == nil || !fx.blank(last.End, fx.f.Offset(in.EndLine+1)) {
		return nil
	}
	if _, ok := fx.end(last); !ok {
		return nil
	}
	return last
}

// end returns where a command ends without the ";" that ends its
// statement: mvdan/sh counts it in. A statement sent to the background
// with "&" has no end something can be chained to.
func (fx *fixer) end(c *Command) (int, bool) {
	if c.End < 1 || c.End > len(fx.f.Source) {
		return 0, false
	}
	switch fx.f.Source[c.End-1] {
	case ';':
		return c.End - 1, true
	case '&':
		return 0, false
	}
	return c.End, true
}

// blank reports whether Source[from:to] holds only blanks, escaped line
// ends and comments.
func (fx *fixer) blank(from, to int) bool {
	if from < 0 || to > len(fx.f.Source) || from > to {
		return false
	}
	return fx.squeeze(from, to) == ""
}

// squeeze returns Source[from:to] without escaped line ends, comments
// and blanks: the operator between two commands, say.
func (fx *fixer) squeeze(from, to int) string {
	var sb strings.Builder
	esc := string(fx.f.Escape)
	for line := range strings.SplitSeq(string(fx.f.Source[from:to]), "\n") {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "#") {
			continue
		}
		sb.WriteString(strings.TrimSpace(strings.TrimSuffix(line, esc)))
	}
	return sb.String()
}

// appendRun adds "&& text" at the end of a RUN: on a new continuation
// line when the RUN already spans several, else on its line.
func (fx *fixer) appendRun(in *Instruction, text string) (edit, bool) {
	last := fx.lastTop(in)
	if last == nil {
		return edit{}, false
	}
	end, _ := fx.end(last)
	return insert(end, fx.joiner(in, last.Offset)+text), true
}

// joiner returns what goes before another command of a RUN: " && ", or
// " \" and a new line indented like the line at offset.
func (fx *fixer) joiner(in *Instruction, at int) string {
	if in.EndLine == in.Line {
		return " && "
	}
	return " " + string(fx.f.Escape) + "\n" + fx.indent(in, fx.f.LineOf(at)) + "&& "
}

// indent returns the leading blanks of a continuation line, four spaces
// for the instruction's first line.
func (fx *fixer) indent(in *Instruction, line int) string {
	if line <= in.Line {
		return "    "
	}
	text := fx.f.Lines(line, line)
	n := len(text) - len(bytes.TrimLeft(text, " \t"))
	if n == 0 {
		return "    "
	}
	return string(text[:n])
}

// dropCommand removes one command from its &&-chain or statement list,
// with the operator that joins it to a neighbour: "apk update && apk add"
// becomes "apk add". It refuses when a pipe or || would change meaning.
func (fx *fixer) dropCommand(outer, in *Instruction, c *Command) (edit, bool) {
	if c.Nested || c.Offset < 0 || !exact(c) {
		return edit{}, false
	}
	var prev, next *Command
	for _, x := range in.Run.Commands {
		if x.Nested || x == c {
			continue
		}
		if x.Offset < 0 {
			return edit{}, false
		}
		if x.End <= c.Offset && (prev == nil || x.End > prev.End) {
			prev = x
		}
		if x.Offset >= c.End && (next == nil || x.Offset < next.Offset) {
			next = x
		}
	}
	cEnd, ok := fx.end(c)
	if !ok {
		return edit{}, false
	}
	var before, after string
	prevEnd := 0
	if prev != nil {
		if prevEnd, ok = fx.end(prev); !ok {
			return edit{}, false
		}
		before = fx.squeeze(prevEnd, c.Offset)
	}
	if next != nil {
		after = fx.squeeze(cEnd, next.Offset)
	} else if !fx.blank(c.End, fx.f.Offset(in.EndLine+1)) {
		return edit{}, false
	}
	seps := func(s string) bool { return s == "&&" || s == ";" }
	switch {
	case prev == nil && next == nil:
		if len(in.Run.Commands) != 1 {
			return edit{}, false
		}
		return fx.deleteLines(outer.Line, outer.EndLine), true
	case next != nil && seps(after) && (prev == nil || before == ";" || before == "&&" && after == "&&"):
		return edit{start: c.Offset, end: next.Offset}, true
	case prev != nil && seps(before) && (next == nil || seps(after)):
		return edit{start: prevEnd, end: cEnd}, true
	}
	return edit{}, false
}

// deleteLines removes lines from to to, and one blank line around them
// when they stood between two blank lines (or a blank and the end).
func (fx *fixer) deleteLines(from, to int) edit {
	f := fx.f
	start, end := f.Offset(from), f.Offset(to+1)
	n := len(f.lineStarts)
	isBlank := func(line int) bool { return line >= 1 && line <= n && len(bytes.TrimSpace(f.Lines(line, line))) == 0 }
	if isBlank(from-1) && (to+1 > n || isBlank(to+1)) {
		start = f.Offset(from - 1)
	}
	return edit{start: start, end: end}
}

// commentsAbove returns the first line of the comment block right above
// an instruction (no blank line between), or in.Line if there is none.
// Comments before the first instruction (parser directives, a header) are
// never part of it.
func (fx *fixer) commentsAbove(in *Instruction) int {
	floor := 1
	if len(fx.f.Instructions) > 0 {
		floor = fx.f.Instructions[0].EndLine + 1
	}
	line := in.Line
	for line-1 >= floor && isComment(fx.f.Lines(line-1, line-1)) {
		line--
	}
	return line
}

// keyword returns the range of an instruction's keyword in Source.
func (fx *fixer) keyword(in *Instruction) (int, int, bool) {
	start := fx.f.Offset(in.Line)
	line := fx.f.Lines(in.Line, in.Line)
	lead := len(line) - len(bytes.TrimLeft(line, " \t"))
	start += lead
	end := start + len(in.Cmd)
	if end > len(fx.f.Source) || !strings.EqualFold(string(fx.f.Source[start:end]), in.Cmd) {
		return 0, 0, false
	}
	if end < len(fx.f.Source) && !strings.ContainsRune(" \t", rune(fx.f.Source[end])) {
		return 0, 0, false
	}
	return start, end, true
}

// findCmd returns the command of a RUN on a finding's lines that matches.
func findCmd(in *Instruction, fd Finding, match func(*Command) bool) *Command {
	for _, c := range in.Run.Commands {
		if c.Line == fd.Line && c.EndLine == fd.EndLine && match(c) {
			return c
		}
	}
	return nil
}
