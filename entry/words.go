// This file turns the words of a script into what a command may be: quote
// removal, the literal values of variables, the positional arguments, and
// the words known only at run time.

package entry

import (
	"slices"
	"strings"

	"mvdan.cc/sh/v3/syntax"

	"github.com/dietimage/diet/internal/shell"
)

// word is a word after quote removal, when it is literal.
type word struct {
	val string
	lit bool
	w   *syntax.Word // nil for words of the image's command
}

func literals(ss []string) []word {
	ws := make([]word, len(ss))
	for i, s := range ss {
		ws[i] = word{val: s, lit: true}
	}
	return ws
}

// argv gives the words' values to shell.Wrapped: "" for one known only
// at run time, which is no option.
func argv(ws []word) []string {
	out := make([]string, len(ws))
	for i, w := range ws {
		if w.lit {
			out[i] = w.val
		}
	}
	return out
}

// words removes quotes.
func words(in []*syntax.Word) []word {
	ws := make([]word, len(in))
	for i, w := range in {
		v, ok := literal(w)
		ws[i] = word{val: v, lit: ok, w: w}
	}
	return ws
}

// splice replaces "$@" with the shell's arguments, when they are known.
func (sh *process) splice(ws []word) []word {
	out := make([]word, 0, len(ws))
	for _, w := range ws {
		if sh.args != nil && !w.lit && positional(w.w) == "@" {
			out = append(out, sh.args...)
		} else {
			out = append(out, w)
		}
	}
	return out
}

// assign notes the value given to a variable: literal, or one that expands.
// An array is known by its first element, which a command would be.
func (sh *process) assign(a *syntax.Assign) {
	if a.Name == nil || a.Naked || (a.Array != nil && a.Append) {
		return
	}
	name, v, ok := a.Name.Value, "", true
	switch {
	case a.Array != nil && len(a.Array.Elems) > 0 && a.Array.Elems[0].Index == nil:
		v, ok = literal(a.Array.Elems[0].Value)
	case a.Array != nil || a.Index != nil || a.Append:
		ok = false
	case a.Value != nil:
		v, ok = literal(a.Value)
	}
	if !ok {
		sh.dyn[name] = true
		return
	}
	if !slices.Contains(sh.vars[name], v) {
		sh.vars[name] = append(sh.vars[name], v)
	}
}

// assignName and assignValue split a NAME=value word; the name is nil when
// w is no assignment.
func assignName(w *syntax.Word) *syntax.Lit {
	if l, ok := w.Parts[0].(*syntax.Lit); ok {
		if name, _, ok := strings.Cut(l.Value, "="); ok && syntax.ValidName(name) {
			return &syntax.Lit{Value: name}
		}
	}
	return nil
}

func assignValue(w *syntax.Word) *syntax.Word {
	l, ok := w.Parts[0].(*syntax.Lit)
	if !ok {
		return nil
	}
	_, v, _ := strings.Cut(l.Value, "=")
	return &syntax.Word{Parts: append([]syntax.WordPart{&syntax.Lit{Value: v}}, w.Parts[1:]...)}
}

func (sh *process) dynamic(w word) {
	if w.w == nil {
		sh.dynamicAt(w.val, syntax.Pos{})
		return
	}
	var b strings.Builder
	syntax.NewPrinter().Print(&b, w.w)
	sh.dynamicAt(b.String(), w.w.Pos())
}

func (sh *process) dynamicAt(text string, pos syntax.Pos) {
	d := Dynamic{Script: sh.name, Word: text}
	if pos.IsValid() {
		d.Line = sh.line0 + int(pos.Line())
	}
	sh.s.dynamic = append(sh.s.dynamic, d)
}

// values are the fields a word that is one variable ($x, "${x}",
// "${x[@]}") may expand to, from the literal values the script and the
// image's environment give it. The word is noted as dynamic unless all
// its values are known.
func (sh *process) values(w word) [][]string {
	name, quoted := variable(w.w)
	if name == "" || len(sh.vars[name]) == 0 || sh.dyn[name] {
		sh.dynamic(w)
	}
	var out [][]string
	for _, v := range sh.vars[name] {
		f := []string{v}
		if !quoted {
			f = strings.Fields(v)
		}
		if len(f) > 0 {
			out = append(out, f)
		}
	}
	return out
}

// variable names the variable w expands, alone and plain: $x, "${x}",
// "${x[@]}" or ${x[0]}. quoted says its value is not split in fields.
func variable(w *syntax.Word) (name string, quoted bool) {
	if w == nil || len(w.Parts) != 1 {
		return "", false
	}
	part := w.Parts[0]
	if dq, ok := part.(*syntax.DblQuoted); ok && len(dq.Parts) == 1 && !dq.Dollar {
		part, quoted = dq.Parts[0], true
	}
	pe, ok := part.(*syntax.ParamExp)
	if !ok || pe.Param == nil || !syntax.ValidName(pe.Param.Value) || pe.Excl || pe.Length || pe.Width || pe.IsSet ||
		pe.Slice != nil || pe.Repl != nil || pe.Names != 0 || pe.Exp != nil || len(pe.Modifiers) > 0 {
		return "", false
	}
	if pe.Index != nil {
		if i, ok := pe.Index.(*syntax.Word); !ok || !slices.Contains([]string{"@", "*", "0"}, i.Lit()) {
			return "", false
		}
	}
	return pe.Param.Value, quoted || pe.Index != nil
}

// argsOf is what a called script gets as "$@": nil unless all literal
// once "$@" is spliced in.
func (sh *process) argsOf(rest []word) []word {
	args := sh.splice(rest)
	for _, w := range args {
		if !w.lit {
			return nil
		}
	}
	return args
}

// positional follows a command named by "$@", "$*" or "$1": the shell's
// arguments, when known, and every list given to "set --". A list that
// starts with an option is skipped: scripts put a default command first
// when they see one. "$0" and "$BASH_SOURCE" are the script and the file
// being read ("exec gosu postgres "$BASH_SOURCE" "$@"").
func (sh *process) positional(p string, w word, rest []word, st *syntax.Stmt, hops int, direct bool) error {
	self := map[string]string{"0": sh.self, "BASH_SOURCE": sh.name}[p]
	switch {
	case self != "" && strings.HasPrefix(self, "/"):
		return sh.command(append([]word{{val: self, lit: true}}, rest...), st, hops+1, direct)
	case p == "0" || p == "BASH_SOURCE":
		sh.dynamic(w)
		return nil
	}
	lists := sh.sets
	if sh.args != nil {
		lists = append([][]word{sh.args}, lists...)
	} else {
		sh.dynamic(w)
	}
	for _, l := range lists {
		if len(l) == 0 || (l[0].lit && strings.HasPrefix(l[0].val, "-")) {
			continue
		}
		if p == "1" {
			l = l[:1]
		}
		if err := sh.command(append(slices.Clone(l), rest...), st, hops+1, direct); err != nil {
			return err
		}
	}
	return nil
}

// evalCode joins the words of eval, as far as they are literal; dyn is
// the first word that is not.
func evalCode(rest []word) (code string, dyn *word) {
	var b strings.Builder
	for i, w := range rest {
		if i > 0 {
			b.WriteByte(' ')
		}
		if w.lit {
			b.WriteString(w.val)
			continue
		}
		for _, part := range w.w.Parts {
			switch p := part.(type) {
			case *syntax.Lit:
				b.WriteString(shell.Unescape(p.Value, false))
				continue
			case *syntax.SglQuoted:
				b.WriteString(p.Value)
				continue
			case *syntax.DblQuoted:
				for _, q := range p.Parts {
					l, ok := q.(*syntax.Lit)
					if !ok {
						return b.String(), &rest[i]
					}
					b.WriteString(shell.Unescape(l.Value, true))
				}
				continue
			}
			return b.String(), &rest[i]
		}
	}
	return b.String(), nil
}

// hdocText is the body of a here-document once expanded, when nothing
// in it expands: its delimiter is quoted, or it holds no expansion.
func hdocText(r *syntax.Redirect) (string, bool) {
	quoted := false
	for _, p := range r.Word.Parts {
		if l, ok := p.(*syntax.Lit); !ok || strings.Contains(l.Value, `\`) {
			quoted = true
		}
	}
	var b strings.Builder
	for _, p := range r.Hdoc.Parts {
		l, ok := p.(*syntax.Lit)
		switch {
		case ok && quoted:
			b.WriteString(l.Value)
		case ok:
			b.WriteString(shell.Unescape(l.Value, true))
		default:
			return "", false
		}
	}
	return b.String(), true
}

// literal removes the quotes of w, when nothing in it expands: no
// parameter, command substitution, glob or tilde.
func literal(w *syntax.Word) (string, bool) {
	var b strings.Builder
	for i, part := range w.Parts {
		switch p := part.(type) {
		case *syntax.Lit:
			if (i == 0 && strings.HasPrefix(p.Value, "~")) || isGlob(p.Value) {
				return "", false
			}
			b.WriteString(shell.Unescape(p.Value, false))
		case *syntax.SglQuoted:
			if p.Dollar {
				return "", false
			}
			b.WriteString(p.Value)
		case *syntax.DblQuoted:
			for _, q := range p.Parts {
				l, ok := q.(*syntax.Lit)
				if !ok || p.Dollar {
					return "", false
				}
				b.WriteString(shell.Unescape(l.Value, true))
			}
		default:
			return "", false
		}
	}
	return b.String(), true
}

// isGlob reports an unquoted *, ? or [...] in a literal.
func isGlob(v string) bool {
	for i := 0; i < len(v); i++ {
		switch v[i] {
		case '\\':
			i++
		case '*', '?':
			return true
		case '[':
			if strings.IndexByte(v[i+1:], ']') >= 0 {
				return true
			}
		}
	}
	return false
}

// positional says which of "$@", "$*", "$1", "$0" and "$BASH_SOURCE" w
// is, alone and plain.
func positional(w *syntax.Word) string {
	if w == nil || len(w.Parts) == 0 {
		return ""
	}
	parts := w.Parts
	if dq, ok := parts[0].(*syntax.DblQuoted); ok && len(parts) == 1 && !dq.Dollar {
		parts = dq.Parts
	}
	if len(parts) != 1 {
		return ""
	}
	pe, ok := parts[0].(*syntax.ParamExp)
	if !ok || pe.Param == nil || pe.Excl || pe.Length || pe.Width || pe.IsSet || pe.Index != nil ||
		pe.Slice != nil || pe.Repl != nil || pe.Names != 0 || pe.Exp != nil || len(pe.Modifiers) > 0 {
		return ""
	}
	switch v := pe.Param.Value; v {
	case "@", "*", "1", "0", "BASH_SOURCE":
		return v
	}
	return ""
}
