// This file walks the syntax of one shell: the commands it runs, the files
// it sources, the strings it evaluates, and the wrappers that run a command
// after their own arguments.

package entry

import (
	"cmp"
	"errors"
	"io/fs"
	"maps"
	"path"
	"slices"
	"strings"

	"mvdan.cc/sh/v3/syntax"

	"github.com/dietimage/diet/internal/shell"
)

// process is one shell process: its dialect, functions and arguments.
type process struct {
	s     *scanner
	lang  syntax.LangVariant
	depth int
	funcs map[string]bool
	args  []word              // "$@"; nil when unknown
	sets  [][]word            // the lists of every "set --"
	vars  map[string][]string // the literal values given to each variable
	dyn   map[string]bool     // the variables given a value that expands
	cwd   string
	self  string // "$0": the script, slash-rooted; empty for strings
	name  string // the file being read
	line0 int    // the line of name before the source's first one
}

// shell starts a shell: args are its arguments, nil when unknown.
func (s *scanner) shell(lang syntax.LangVariant, args []word, depth int) *process {
	for _, a := range args {
		if !a.lit {
			args = nil
			break
		}
	}
	return &process{s: s, lang: lang, depth: depth, funcs: map[string]bool{}, args: args, cwd: s.workdir,
		vars: maps.Clone(s.env), dyn: map[string]bool{}}
}

// run parses src, read from the file name, and follows what it runs.
func (sh *process) run(src []byte, name string, line0 int) error {
	f, err := parse(src, cmp.Or(name, "-c"), sh.lang)
	if err != nil {
		return err
	}
	defer func(name string, line0 int) { sh.name, sh.line0 = name, line0 }(sh.name, sh.line0)
	sh.name, sh.line0 = name, line0
	sh.declare(f)
	syntax.Walk(f, func(n syntax.Node) bool {
		if st, ok := n.(*syntax.Stmt); ok && err == nil {
			if c, ok := st.Cmd.(*syntax.CallExpr); ok && len(c.Args) > 0 {
				err = sh.command(words(c.Args), st, 0, false)
			}
		}
		return err == nil
	})
	return err
}

// declare notes the functions f defines and the lists it gives "set --",
// wherever they are: a call may come before the definition in the text.
func (sh *process) declare(f *syntax.File) {
	syntax.Walk(f, func(n syntax.Node) bool {
		switch n := n.(type) {
		case *syntax.FuncDecl:
			if n.Name != nil {
				sh.funcs[n.Name.Value] = true
			}
		case *syntax.Assign:
			sh.assign(n)
		case *syntax.CallExpr:
			ws := words(n.Args)
			switch {
			case len(ws) > 2 && ws[0].val == "set" && ws[1].val == "--":
				sh.sets = append(sh.sets, sh.splice(ws[2:]))
			case len(ws) > 1 && (ws[0].val == "export" || ws[0].val == "readonly" || ws[0].val == "local"):
				for _, w := range n.Args[1:] { // a POSIX parser leaves these as words
					sh.assign(&syntax.Assign{Name: assignName(w), Value: assignValue(w)})
				}
			}
		}
		return true
	})
}

// command follows one simple command. direct means it is executed, not
// looked up as a function or builtin first: after exec, a wrapper, or in
// the image's command.
func (sh *process) command(ws []word, st *syntax.Stmt, hops int, direct bool) error {
	funcs := !direct
	for ; len(ws) > 0 && hops <= maxNesting; hops++ {
		if sh.s.steps++; sh.s.steps > maxSteps {
			return &fs.PathError{Op: "read script", Path: cmp.Or(sh.name, "-c"), Err: errScriptLimit}
		}
		w, rest := ws[0], ws[1:]
		if !w.lit {
			if p := positional(w.w); p != "" {
				return sh.positional(p, w, rest, st, hops, direct)
			}
			for _, v := range sh.values(w) {
				if err := sh.command(append(literals(v), rest...), st, hops+1, direct); err != nil {
					return err
				}
			}
			return nil
		}
		name := w.val
		if name == "" {
			return nil
		}
		if !direct {
			switch name {
			case "exec", "command":
				i, ok := shell.Wrapped(argv(ws))
				if !ok {
					return nil // "command -v" runs nothing
				}
				ws = ws[i:]
				if name == "exec" {
					direct = true
				} else {
					funcs = false
				}
				continue
			case ".", "source":
				return sh.source(rest)
			case "eval":
				return sh.eval(rest)
			case "trap":
				return sh.trap(rest)
			case "cd":
				sh.cd(rest)
				return nil
			}
			if (funcs && sh.funcs[name]) || builtins[name] || syntax.IsKeyword(name) {
				return nil
			}
		}
		p, ok := sh.s.lookPath(name, sh.cwd)
		if !ok {
			sh.s.notFound[name] = true
			return nil
		}
		if err := sh.s.program(p, sh.argsOf(rest), sh.lang, sh.depth+1); err != nil {
			return err
		}
		base := path.Base(name)
		if l, ok := shells[base]; ok {
			return sh.shellArgs(l, rest, st)
		}
		if base == "find" {
			return sh.find(rest, st, hops)
		}
		i, ok := shell.Wrapped(argv(ws))
		if !ok {
			return nil
		}
		ws, direct = ws[i:], true
	}
	return nil
}

// source reads ". file" in this shell.
func (sh *process) source(rest []word) error {
	if len(rest) == 0 {
		return nil
	}
	if !rest[0].lit {
		for _, v := range sh.values(rest[0]) {
			if err := sh.source(literals(v[:1])); err != nil {
				return err
			}
		}
		return nil
	}
	p, ok := sh.s.findSource(rest[0].val, sh.cwd)
	if !ok {
		sh.s.notFound[rest[0].val] = true
		return nil
	}
	real, links, err := sh.s.root.Resolve(p)
	if err != nil {
		return err
	}
	sh.s.keep(real, links)
	src, ok, err := sh.s.read(real, sh.depth+1)
	if !ok || err != nil {
		return err
	}
	sh.depth++
	defer func() { sh.depth-- }()
	return sh.run(src, rooted(real), 0)
}

// eval runs its arguments in this shell. When they expand, the literal
// text before the first expansion is still read, up to its last blank
// ("eval "initdb --username=postgres $ARGS"" calls initdb), and what does
// not parse of it is let go.
func (sh *process) eval(rest []word) error {
	code, dyn := evalCode(rest)
	if dyn == nil {
		return sh.runString(sh, code, rest)
	}
	sh.dynamic(*dyn)
	if i := strings.LastIndexAny(code, " \t\n;"); i > 0 {
		err := sh.runString(sh, code[:i], rest)
		if _, ok := errors.AsType[syntax.ParseError](err); ok {
			return nil
		}
		return err
	}
	return nil
}

// trap runs its literal action, later, in this shell.
func (sh *process) trap(rest []word) error {
	if len(rest) > 0 && rest[0].lit && rest[0].val == "--" {
		rest = rest[1:]
	}
	if len(rest) < 2 || (rest[0].lit && (rest[0].val == "" || rest[0].val == "-" || strings.HasPrefix(rest[0].val, "-"))) {
		return nil
	}
	return sh.eval(rest[:1])
}

// runString parses code, which the words at hold in the file being read,
// in the shell in: this one for eval and trap, a new one for "sh -c".
func (sh *process) runString(in *process, code string, at []word) error {
	if err := sh.s.count(in.depth); err != nil {
		return &fs.PathError{Op: "read script", Path: cmp.Or(sh.name, "-c"), Err: err}
	}
	line := sh.line0
	if len(at) > 0 && at[0].w != nil {
		line += int(at[0].w.Pos().Line()) - 1
	}
	return in.run([]byte(code), sh.name, line)
}

func (sh *process) cd(rest []word) {
	for _, w := range rest {
		switch {
		case !w.lit || w.val == "-":
			return
		case strings.HasPrefix(w.val, "-") && w.val != "--":
		case w.val != "--":
			sh.cwd = abs(w.val, sh.cwd)
			return
		}
	}
}

// shellArgs follows what a shell program runs: a "-c" string, a script
// file, or a here-document on its standard input, in a shell of its own.
func (sh *process) shellArgs(lang syntax.LangVariant, rest []word, st *syntax.Stmt) error {
	i, c := 0, false
	for ; i < len(rest) && rest[i].lit; i++ {
		v := rest[i].val
		if v == "--" || v == "-" {
			i++
			break
		}
		if v == "-o" || v == "+o" || v == "-O" || v == "+O" || v == "--rcfile" || v == "--init-file" {
			i++
			continue
		}
		if len(v) < 2 || (v[0] != '-' && v[0] != '+') {
			break
		}
		c = c || (v[0] == '-' && v[1] != '-' && strings.ContainsRune(v, 'c'))
	}
	switch {
	case i >= len(rest) && !c:
		return sh.heredoc(lang, st)
	case i >= len(rest):
		return nil
	case !rest[i].lit:
		sh.dynamic(rest[i])
		return nil
	}
	var args []word // "$@" of the new shell; for -c, the word after the string is $0
	if j := i + 1; j < len(rest) {
		if c {
			j++
		}
		args = sh.argsOf(rest[min(j, len(rest)):])
	} else {
		args = []word{}
	}
	child := sh.s.shell(lang, args, sh.depth+1)
	child.cwd = sh.cwd
	if c {
		return sh.runString(child, rest[i].val, rest[i:])
	}
	p, ok := sh.s.findSource(rest[i].val, sh.cwd)
	if !ok {
		sh.s.notFound[rest[i].val] = true
		return nil
	}
	real, links, err := sh.s.root.Resolve(p)
	if err != nil {
		return err
	}
	sh.s.keep(real, links)
	src, ok, err := sh.s.read(real, child.depth)
	if !ok || err != nil {
		return err
	}
	child.self = rooted(real)
	return child.run(src, child.self, 0)
}

// heredoc reads a literal here-document given to a shell as its script.
func (sh *process) heredoc(lang syntax.LangVariant, st *syntax.Stmt) error {
	if st == nil {
		return nil
	}
	for _, r := range st.Redirs {
		if (r.Op != syntax.Hdoc && r.Op != syntax.DashHdoc) || r.Hdoc == nil {
			continue
		}
		code, ok := hdocText(r)
		if !ok {
			var b strings.Builder
			syntax.NewPrinter().Print(&b, r.Word)
			sh.dynamicAt("<<"+b.String(), r.Pos())
			continue
		}
		child := sh.s.shell(lang, nil, sh.depth+1)
		child.cwd = sh.cwd
		if err := sh.runString(child, code, []word{{w: r.Hdoc}}); err != nil {
			return err
		}
	}
	return nil
}

// find follows the commands of -exec, -execdir, -ok and -okdir.
func (sh *process) find(rest []word, st *syntax.Stmt, hops int) error {
	for i, w := range rest {
		if !w.lit || !slices.Contains([]string{"-exec", "-execdir", "-ok", "-okdir"}, w.val) {
			continue
		}
		end := i + 1
		for end < len(rest) && !(rest[end].lit && (rest[end].val == ";" || rest[end].val == "+")) {
			end++
		}
		if err := sh.command(rest[i+1:end], st, hops+1, true); err != nil {
			return err
		}
	}
	return nil
}

// builtins are the commands a shell runs itself, of bash, dash, mksh and
// busybox ash: their programs, where the image has them, are not called.
var builtins = func() map[string]bool {
	m := map[string]bool{}
	for _, b := range strings.Fields(`: . [ [[ ]] alias bg bind break builtin caller cd command compgen complete
		compopt continue declare dirs disown echo enable eval exec exit export false fc fg getopts hash help
		history jobs kill let local logout mapfile popd printf pushd pwd read readarray readonly return set
		shift shopt source suspend test times trap true type typeset ulimit umask unalias unset wait print whence`) {
		m[b] = true
	}
	return m
}()
