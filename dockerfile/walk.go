package dockerfile

import (
	"errors"
	"strings"

	"mvdan.cc/sh/v3/syntax"

	"github.com/dietimage/diet/internal/shell"
)

// maxNesting bounds sh -c inside sh -c, so hostile input cannot recurse
// without end.
const maxNesting = 4

// walker turns a parsed script into Commands.
type walker struct {
	f     *File
	run   *Run
	at    func(off int) (src int, exact bool) // script offset to source offset
	text  string
	depth int
	stmt  int // the outer statement, for nested scripts
}

// parse parses script, whose offsets src maps to the source, and appends
// its commands to the Run.
func (w *walker) parse(script string, src func(int) int, depth int) {
	exact := depth == 0
	w.parseWith(script, func(off int) (int, bool) { return src(off), exact }, depth)
}

func (w *walker) parseWith(script string, at func(int) (int, bool), depth int) {
	sub := &walker{f: w.f, run: w.run, at: at, text: script, depth: depth, stmt: w.stmt}
	// The shell is the Dockerfile's: hostile input, which shell.Parse keeps from
	// nesting the parser past the stack.
	p := syntax.NewParser(syntax.Variant(syntax.LangBash))
	file, err := shell.Parse(p, []byte(script), "")
	if err != nil {
		if w.run.Err == nil {
			w.run.Err = sub.shellError(err)
		}
		if errors.Is(err, shell.ErrTooDeep) {
			return
		}
		file, err = shell.Parse(syntax.NewParser(syntax.Variant(syntax.LangBash), syntax.RecoverErrors(16)), []byte(script), "")
		if err != nil {
			return
		}
	}
	for i, st := range file.Stmts {
		if depth == 0 {
			sub.stmt = i
		}
		op := ""
		if i > 0 || depth > 0 {
			op = ";"
		}
		sub.walk(st, op)
	}
}

func (w *walker) shellError(err error) *ShellError {
	e := &ShellError{Line: w.line(0), Message: err.Error()}
	if pe, ok := errors.AsType[syntax.ParseError](err); ok {
		e.Message = pe.Text
		src, _ := w.at(int(pe.Pos.Offset()))
		e.Line = w.f.LineOf(src)
	}
	return e
}

// walk collects the commands of one top-level statement. It keeps its own
// stack: the parser reads "a && b && ..." and pipelines in a loop but nests
// the result one level per operator, so a recursive walk (syntax.Walk)
// over 300,000 continuation lines overflows the stack where the parse did
// not.
func (w *walker) walk(st *syntax.Stmt, first string) {
	type frame struct {
		n      syntax.Node
		parent syntax.Node
		nested bool // inside a subshell, block, if, loop or $(...)
	}
	opOf := map[*syntax.Stmt]string{st: first}
	pending := ""
	stack := []frame{{n: st}}
	var kids []syntax.Node
	for len(stack) > 0 {
		fr := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		switch x := fr.n.(type) {
		case *syntax.BinaryCmd:
			opOf[x.Y] = x.Op.String()
		case *syntax.Stmt:
			if op, ok := opOf[x]; ok {
				pending = op
				delete(opOf, x)
			}
		case *syntax.CallExpr:
			st, _ := fr.parent.(*syntax.Stmt)
			if len(x.Args) > 0 {
				w.call(x, st, pending, fr.nested)
				pending = ""
			}
			if st != nil {
				w.heredocShell(st)
			}
		case *syntax.DeclClause:
			st, _ := fr.parent.(*syntax.Stmt)
			w.decl(x, st, pending, fr.nested)
			pending = ""
		}
		nested := fr.nested || nests(fr.n)
		kids = children(fr.n, kids[:0])
		for i := len(kids) - 1; i >= 0; i-- {
			stack = append(stack, frame{n: kids[i], parent: fr.n, nested: nested})
		}
	}
}

// children appends the direct children of n to out, in source order: a
// syntax.Walk that descends one level only.
func children(n syntax.Node, out []syntax.Node) []syntax.Node {
	self := true
	syntax.Walk(n, func(c syntax.Node) bool {
		if self {
			self = false
			return true
		}
		if c != nil {
			out = append(out, c)
		}
		return false
	})
	return out
}

// inspect calls f for n and every node under it in source order, with its
// own stack for the reason walk has one; f returning false skips the
// node's children.
func inspect(n syntax.Node, f func(syntax.Node) bool) {
	stack := []syntax.Node{n}
	var kids []syntax.Node
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if !f(n) {
			continue
		}
		kids = children(n, kids[:0])
		for i := len(kids) - 1; i >= 0; i-- {
			stack = append(stack, kids[i])
		}
	}
}

// nests reports whether commands inside n are nested: they may not run, or
// run apart from the statement's chain.
func nests(n syntax.Node) bool {
	switch n.(type) {
	case *syntax.Subshell, *syntax.Block, *syntax.IfClause, *syntax.WhileClause, *syntax.ForClause,
		*syntax.CaseClause, *syntax.FuncDecl, *syntax.CmdSubst, *syntax.ProcSubst:
		return true
	}
	return false
}

// command starts a Command for node n; st is the statement holding it,
// whose end (redirections included) ends the command.
func (w *walker) command(op string, nested bool, n syntax.Node, st *syntax.Stmt) *Command {
	c := &Command{Stmt: w.stmt, Op: op, Nested: nested || w.depth > 0, Offset: -1, End: -1}
	end := n.End()
	if st != nil && !st.Negated && st.Pos() == n.Pos() {
		end = st.End()
	}
	from, to := int(n.Pos().Offset()), int(end.Offset())
	c.Line = w.line(from)
	c.EndLine = max(w.line(to-1), c.Line)
	if src, exact := w.at(from); exact {
		if srcEnd, _ := w.at(to); src <= srcEnd {
			c.Offset, c.End = src, srcEnd
		}
	}
	w.run.Commands = append(w.run.Commands, c)
	return c
}

func (w *walker) line(off int) int {
	src, _ := w.at(max(off, 0))
	return w.f.LineOf(src)
}

func (w *walker) call(x *syntax.CallExpr, st *syntax.Stmt, op string, nested bool) {
	c := w.command(op, nested, x, st)
	for _, a := range x.Assigns {
		c.Env = append(c.Env, w.assign(a))
	}
	var argv []string
	for _, wd := range x.Args {
		word := w.word(wd)
		c.Words = append(c.Words, word)
		argv = append(argv, word.Value)
	}
	c.Args = unwrap(argv)
	if script := w.shScript(c, x); script != nil && w.depth < maxNesting {
		w.nestedWord(script)
	}
}

// decl records export, local, declare and readonly as commands whose
// arguments are NAME=value.
func (w *walker) decl(x *syntax.DeclClause, st *syntax.Stmt, op string, nested bool) {
	c := w.command(op, nested, x, st)
	c.Args = []string{x.Variant.Value}
	c.Words = []Word{w.span(x.Variant.Value, true, int(x.Variant.Pos().Offset()), int(x.Variant.End().Offset()))}
	for _, a := range x.Args {
		text := w.assign(a)
		c.Args = append(c.Args, text)
		c.Words = append(c.Words, w.span(text, a.Value == nil || isLit(a.Value), int(a.Pos().Offset()), int(a.End().Offset())))
	}
}

func isLit(wd *syntax.Word) bool {
	for _, p := range wd.Parts {
		switch p.(type) {
		case *syntax.Lit, *syntax.SglQuoted:
		case *syntax.DblQuoted:
			return wd.Lit() != "" || len(p.(*syntax.DblQuoted).Parts) == 0
		default:
			return false
		}
	}
	return true
}

func (w *walker) assign(a *syntax.Assign) string {
	name := ""
	if a.Name != nil {
		name = a.Name.Value
	}
	if a.Value == nil {
		if a.Naked {
			return name
		}
		return name + "="
	}
	return name + "=" + w.word(a.Value).Value
}

func (w *walker) span(value string, lit bool, off, end int) Word {
	wd := Word{Value: value, Lit: lit, Offset: -1, End: -1}
	src, exact := w.at(off)
	wd.Line = w.f.LineOf(src)
	if srcEnd, _ := w.at(end); exact && src <= srcEnd { // recovered nodes can end before they start
		wd.Offset, wd.End = src, srcEnd
	}
	return wd
}

func (w *walker) word(wd *syntax.Word) Word {
	var sb strings.Builder
	lit := true
	for _, p := range wd.Parts {
		lit = w.part(&sb, p, false) && lit
	}
	return w.span(sb.String(), lit, int(wd.Pos().Offset()), int(wd.End().Offset()))
}

func (w *walker) part(sb *strings.Builder, p syntax.WordPart, dbl bool) bool {
	switch x := p.(type) {
	case *syntax.Lit:
		sb.WriteString(shell.Unescape(x.Value, dbl))
		return true
	case *syntax.SglQuoted:
		sb.WriteString(x.Value)
		return true
	case *syntax.DblQuoted:
		lit := true
		for _, q := range x.Parts {
			lit = w.part(sb, q, true) && lit
		}
		return lit
	}
	if from, to := int(p.Pos().Offset()), int(p.End().Offset()); from <= to && to <= len(w.text) {
		sb.WriteString(w.text[from:to])
	}
	return false
}

// unwrap drops wrappers such as sudo, env and gosu, with their options and
// operands, so Args starts with the program that does the work. A wrapper
// given no command is that program.
func unwrap(args []string) []string {
	for {
		i, ok := shell.Wrapped(args)
		if !ok || i >= len(args) {
			return args
		}
		args = args[i:]
	}
}
