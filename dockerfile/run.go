package dockerfile

import (
	"encoding/csv"
	"fmt"
	"path"
	"strings"
	"unicode"

	"github.com/moby/buildkit/frontend/dockerfile/parser"
)

// Run is the shell model of a RUN instruction.
type Run struct {
	Exec bool // exec form: Commands holds the argv as written
	// Shell is what runs a shell-form RUN: the stage's SHELL, or
	// /bin/sh -c. Commands stays empty when it is not a POSIX-like shell.
	Shell []string
	// Script is the text the shell runs: the joined command line, heredoc
	// bodies included; for a RUN <<EOF it is the body alone.
	Script string
	Mounts []Mount // --mount flags
	// Commands lists every simple command in source order: those nested in
	// sh -c '...', subshells, if, loops and command substitutions included.
	Commands []*Command
	// Err is set when the shell does not parse; Commands then holds what
	// the parser could recover.
	Err *ShellError
}

// Mount is one --mount flag of a RUN.
type Mount struct {
	Type   string // "bind" when not given, as BuildKit defaults
	Target string
	Source string
	From   string
	ID     string
}

// Command is one simple command of a RUN.
type Command struct {
	// Args is the argv with wrappers (sudo, env, exec, gosu, timeout, ...) removed
	// and quotes resolved; a word that is not literal keeps its $-text.
	Args  []string
	Words []Word   // every word as written, wrappers included
	Env   []string // NAME=value assignments before the command
	// Stmt is the index of the top-level statement (the &&-chain) holding
	// the command; commands nested in it share the index.
	Stmt int
	// Op is the operator before the command in its chain: "", "&&", "||",
	// "|" or "|&"; ";" for the first command of a later statement.
	Op     string
	Nested bool // inside sh -c, a subshell, a block, if, a loop or $(...)
	// Offset and End delimit the command in File.Source, its redirections
	// included, so a fix can insert "&& rm ..." right after it; -1 when
	// not known exactly.
	Offset, End int
	Line        int
	EndLine     int
}

// Word is one word of a command.
type Word struct {
	Value  string // quotes removed; a non-literal part keeps its source text
	Lit    bool   // no expansion: Value is what the command receives
	Offset int    // byte offset in File.Source, -1 when not known exactly
	End    int    // byte offset just past the word, -1 when not known exactly
	Line   int
}

// ShellError is a RUN whose shell does not parse.
type ShellError struct {
	Line    int // 1-based line in the Dockerfile
	Message string
}

// Error implements error.
func (e *ShellError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Message) }

// Name returns the command's base name: "apt-get" for /usr/bin/apt-get.
func (c *Command) Name() string {
	if len(c.Args) == 0 {
		return ""
	}
	return path.Base(c.Args[0])
}

// HasArg reports whether any argument equals one of want.
func (c *Command) HasArg(want ...string) bool {
	for _, a := range c.args() {
		for _, w := range want {
			if a == w {
				return true
			}
		}
	}
	return false
}

// HasFlag reports whether a flag is set, as hadolint reads flags: --name
// and --name=value give "name"; -abc gives "a", "b" and "c".
func (c *Command) HasFlag(name string) bool {
	for _, a := range c.args() {
		switch {
		case a == "--" || a == "-":
		case strings.HasPrefix(a, "--"):
			if n, _, _ := strings.Cut(a[2:], "="); n == name {
				return true
			}
		case strings.HasPrefix(a, "-") && len(name) == 1:
			if strings.Contains(a[1:], name) {
				return true
			}
		}
	}
	return false
}

// FlagValue returns the value of a flag given as -n value, -nvalue,
// --name value or --name=value.
func (c *Command) FlagValue(short, long string) (string, bool) {
	args := c.args()
	for i, a := range args {
		next := func() (string, bool) {
			if i+1 < len(args) {
				return args[i+1], true
			}
			return "", false
		}
		switch {
		case long != "" && a == "--"+long:
			return next()
		case long != "" && strings.HasPrefix(a, "--"+long+"="):
			return a[len(long)+3:], true
		case short != "" && a == "-"+short:
			return next()
		case short != "" && len(a) > 1 && a[0] == '-' && a[1] != '-':
			// A group of short flags: the value is the rest of the group,
			// or the next argument when the flag ends it (-fsSLo file).
			if j := strings.Index(a[1:], short); j >= 0 {
				if rest := a[1+j+len(short):]; rest != "" {
					return rest, true
				}
				return next()
			}
		}
	}
	return "", false
}

// Operands returns the arguments that are not flags.
func (c *Command) Operands() []string {
	var out []string
	dash := false
	for _, a := range c.args() {
		if !dash && a == "--" {
			dash = true
			continue
		}
		if dash || !strings.HasPrefix(a, "-") || a == "-" {
			out = append(out, a)
		}
	}
	return out
}

func (c *Command) args() []string {
	if len(c.Args) == 0 {
		return nil
	}
	return c.Args[1:]
}

// String returns the argv joined by spaces, for messages.
func (c *Command) String() string { return strings.Join(c.Args, " ") }

// shells lists the interpreters whose scripts we parse as POSIX shell.
var shells = map[string]bool{"sh": true, "bash": true, "ash": true, "dash": true, "zsh": true, "ksh": true, "mksh": true}

// shell builds the Run of in, a RUN, an ONBUILD's RUN, or a stray operator
// line, from j, the joined text of its lines.
func (b *builder) shell(s *Stage, in *Instruction, j joined) {
	var rest string
	switch {
	case in.Cmd == "run":
		if len(in.Args) > 0 {
			rest = in.Args[0]
		}
	case !in.Known && (in.Cmd == "&&" || in.Cmd == "||" || in.Cmd == "|" || in.Cmd == ";"):
		rest = strings.TrimSpace(j.text[min(len(in.Cmd), len(j.text)):])
	default:
		return
	}
	f := b.f
	r := &Run{Shell: []string{"/bin/sh", "-c"}, Exec: in.JSON}
	if s.Shell != nil {
		r.Shell = s.Shell
	}
	for _, fl := range in.Flags {
		if fl.Name == "mount" {
			r.Mounts = append(r.Mounts, parseMount(fl.Value))
		}
	}
	in.Run = r
	start := f.Offset(in.Line)
	w := &walker{f: f, run: r, at: func(int) (int, bool) { return start, false }}
	if in.JSON {
		w.exec(in.Args)
		return
	}
	if len(r.Shell) == 0 || !shells[path.Base(r.Shell[0])] {
		r.Script = rest
		return
	}
	m := spanMap{{at: 0, src: start, n: 0}}
	trimmed := strings.TrimRightFunc(j.text, unicode.IsSpace)
	if cut := len(trimmed) - len(rest); cut >= 0 && trimmed[cut:] == rest {
		m = j.m.slice(cut)
	}
	script := rest
	if len(in.Heredocs) > 0 {
		body := string(f.Source[f.Offset(j.endLine+1):f.Offset(in.EndLine+1)])
		bodyAt := f.Offset(j.endLine + 1)
		if h := in.Heredocs[0]; len(in.Heredocs) == 1 && heredocOnly(rest) {
			// RUN <<EOF runs the body as a script of its own.
			body = string(f.Source[f.Offset(h.Line):f.Offset(h.EndLine)])
			r.Script = body
			if shebang, _, _ := strings.Cut(body, "\n"); strings.HasPrefix(shebang, "#!") && !shebangShell(shebang) {
				return
			}
			w.parse(body, spanMap{{at: 0, src: f.Offset(h.Line), n: len(body)}}.src, 0)
			return
		}
		m = append(m, span{at: len(script), src: bodyAt - 1, n: 0}, span{at: len(script) + 1, src: bodyAt, n: len(body)})
		script += "\n" + body
	}
	r.Script = script
	w.parse(script, m.src, 0)
}

// heredocOnly reports whether a RUN's command is a single heredoc word.
func heredocOnly(rest string) bool {
	fields := strings.Fields(rest)
	return len(fields) == 1 && strings.Contains(fields[0], "<<") && parser.MustParseHeredoc(strings.TrimLeft(fields[0], "0123456789")) != nil
}

func shebangShell(line string) bool {
	fields := strings.Fields(strings.TrimPrefix(line, "#!"))
	if len(fields) == 0 {
		return true
	}
	name := path.Base(fields[0])
	if name == "env" && len(fields) > 1 {
		name = path.Base(fields[1])
	}
	return shells[name]
}

// parseMount reads a --mount value: comma-separated key=value pairs, CSV
// quoting allowed, as BuildKit reads it.
func parseMount(v string) Mount {
	m := Mount{Type: "bind"}
	fields, err := csv.NewReader(strings.NewReader(v)).Read()
	if err != nil {
		fields = strings.Split(v, ",")
	}
	for _, fl := range fields {
		key, value, _ := strings.Cut(strings.TrimSpace(fl), "=")
		switch strings.ToLower(key) {
		case "type":
			m.Type = value
		case "target", "dst", "destination":
			m.Target = cleanPath(value)
		case "source", "src":
			m.Source = value
		case "from":
			m.From = value
		case "id":
			m.ID = value
		}
	}
	return m
}
