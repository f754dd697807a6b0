package dockerfile

import (
	"path"
	"strings"

	"mvdan.cc/sh/v3/syntax"
)

// shScript returns the script word of sh -c 'script' (any POSIX-like shell,
// flags such as -ex or -o pipefail allowed before -c), nil if c is not one.
func (w *walker) shScript(c *Command, x *syntax.CallExpr) *syntax.Word {
	if !shells[c.Name()] {
		return nil
	}
	skip := len(x.Args) - len(c.Args)
	dashC := false
	for i := 1; i < len(c.Args); i++ {
		a := c.Args[i]
		switch {
		case a == "-o" || a == "+o":
			i++
		case strings.HasPrefix(a, "-") && !strings.HasPrefix(a, "--"):
			dashC = dashC || strings.Contains(a, "c")
		case dashC:
			return x.Args[skip+i]
		default:
			return nil
		}
	}
	return nil
}

// nestedWord parses the script held in one word: single-quoted,
// double-quoted without expansions, or bare.
func (w *walker) nestedWord(wd *syntax.Word) {
	if len(wd.Parts) != 1 {
		return
	}
	var text string
	var base int
	switch p := wd.Parts[0].(type) {
	case *syntax.SglQuoted:
		text, base = p.Value, int(p.Pos().Offset())+1
		if p.Dollar {
			base++
		}
	case *syntax.DblQuoted:
		var sb strings.Builder
		for _, q := range p.Parts {
			l, ok := q.(*syntax.Lit)
			if !ok {
				return
			}
			sb.WriteString(l.Value)
		}
		text, base = sb.String(), int(p.Pos().Offset())+1
		if p.Dollar {
			base++
		}
	case *syntax.Lit:
		text, base = p.Value, int(p.Pos().Offset())
	default:
		return
	}
	w.parseWith(text, func(off int) (int, bool) { return w.at(base + off) }, w.depth+1)
}

// heredocShell parses the body of sh <<EOF as the shell script it is.
func (w *walker) heredocShell(st *syntax.Stmt) {
	call, ok := st.Cmd.(*syntax.CallExpr)
	if !ok || len(call.Args) == 0 || w.depth >= maxNesting {
		return
	}
	args := make([]string, len(call.Args))
	for i, a := range call.Args {
		args[i] = a.Lit()
	}
	c := &Command{Args: unwrap(args)}
	if !shells[c.Name()] || len(c.Operands()) > 0 {
		return
	}
	for _, r := range st.Redirs {
		if (r.Op == syntax.Hdoc || r.Op == syntax.DashHdoc) && r.Hdoc != nil {
			from, to := int(r.Hdoc.Pos().Offset()), int(r.Hdoc.End().Offset())
			if from > to || to > len(w.text) {
				return
			}
			body := w.text[from:to]
			// The word may run on to the delimiter line: drop it.
			if i := strings.LastIndexByte(strings.TrimRight(body, "\n"), '\n'); i >= 0 && strings.TrimSpace(body[i+1:]) == r.Word.Lit() {
				body = body[:i+1]
			} else if strings.TrimSpace(body) == r.Word.Lit() {
				body = ""
			}
			w.parseWith(body, func(off int) (int, bool) { return w.at(from + off) }, w.depth+1)
			return
		}
	}
}

// exec records an exec-form RUN: one command, and the script of
// ["sh", "-c", "..."].
func (w *walker) exec(argv []string) {
	if len(argv) == 0 {
		return
	}
	c := &Command{Offset: -1, End: -1}
	c.Line = w.line(0)
	c.EndLine = c.Line
	for _, a := range argv {
		c.Words = append(c.Words, Word{Value: a, Lit: true, Offset: -1, End: -1, Line: c.Line})
	}
	c.Args = unwrap(argv)
	w.run.Commands = append(w.run.Commands, c)
	if !shells[c.Name()] {
		return
	}
	dashC := false
	for i := 1; i < len(c.Args); i++ {
		a := c.Args[i]
		switch {
		case strings.HasPrefix(a, "-") && !strings.HasPrefix(a, "--"):
			dashC = dashC || strings.Contains(a, "c")
		case dashC:
			w.run.Script = a
			w.parseWith(a, w.at, 1)
			return
		default:
			return
		}
	}
}

// cleanPath cleans a path from a flag or argument, keeping "" as "".
func cleanPath(p string) string {
	if p == "" {
		return ""
	}
	return path.Clean(p)
}
