package dockerfile

import (
	"bytes"
	"errors"
	"fmt"
	"path"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/parser"
)

// ParseError is a Dockerfile that BuildKit's parser rejects.
type ParseError struct {
	Name string // the file, as given to Parse
	Line int    // 1-based; 0 when the parser gave none
	Err  error
}

// Error implements error: "Dockerfile:12: unterminated heredoc".
func (e *ParseError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %v", e.Name, e.Line, e.Err)
	}
	return fmt.Sprintf("%s: %v", e.Name, e.Err)
}

// Unwrap returns BuildKit's error.
func (e *ParseError) Unwrap() error { return e.Err }

// MaxSize is the largest Dockerfile Parse accepts, 4 MiB: real
// Dockerfiles are a few KB, and the limit bounds the work and memory a
// hostile one can cost.
const MaxSize = 4 << 20

// ErrTooLarge is the cause of the *ParseError Parse returns for a
// Dockerfile over MaxSize.
var ErrTooLarge = errors.New("larger than 4194304 bytes (4 MiB), the most diet reads in a Dockerfile")

// known lists the instructions BuildKit dispatches.
var known = map[string]bool{
	"add": true, "arg": true, "cmd": true, "copy": true, "entrypoint": true, "env": true,
	"expose": true, "from": true, "healthcheck": true, "label": true, "maintainer": true,
	"onbuild": true, "run": true, "shell": true, "stopsignal": true, "user": true,
	"volume": true, "workdir": true,
}

// Parse reads a Dockerfile. name is used in errors and findings. A
// Dockerfile BuildKit's parser rejects gives a *ParseError naming the file
// and line; shell that does not parse does not: it is recorded on the RUN.
//
// A Dockerfile over [MaxSize] gives a *ParseError wrapping [ErrTooLarge];
// readers should read at most MaxSize+1 bytes (io.LimitReader) and let
// Parse refuse.
func Parse(name string, src []byte) (*File, error) {
	if len(src) > MaxSize {
		return nil, &ParseError{Name: name, Err: ErrTooLarge}
	}
	res, err := parser.Parse(bytes.NewReader(src))
	if err != nil {
		pe := &ParseError{Name: name, Err: err}
		if le, ok := errors.AsType[*parser.LocationError](err); ok && len(le.Locations) > 0 && len(le.Locations[0]) > 0 {
			pe.Line = le.Locations[0][0].Start.Line
			pe.Err = le.Unwrap()
		}
		return nil, pe
	}
	f := &File{Name: name, Source: src, Escape: res.EscapeToken, lineStarts: indexLines(src)}
	f.Syntax, _, _, _ = parser.ParseDirective("syntax", src)
	b := builder{f: f}
	for _, n := range res.AST.Children {
		b.add(n)
	}
	b.finish()
	return f, nil
}

type builder struct {
	f     *File
	stage *Stage
}

func (b *builder) add(n *parser.Node) {
	f := b.f
	in := b.instruction(n)
	in.Line, in.EndLine = n.StartLine, n.EndLine
	f.Instructions = append(f.Instructions, in)
	if in.Cmd == "onbuild" && n.Next != nil && len(n.Next.Children) > 0 {
		in.Trigger = b.instruction(n.Next.Children[0])
		in.Trigger.Line, in.Trigger.EndLine = in.Line, in.EndLine
	}
	switch {
	case in.Cmd == "from":
		b.from(in)
	case b.stage == nil && in.Cmd == "arg":
		in.Stage = -1
		f.Args = append(f.Args, vars(in)...)
		return
	case b.stage == nil:
		b.open(nil)
	}
	s := b.stage
	in.Stage = s.Index
	if in.Trigger != nil {
		in.Trigger.Stage = s.Index
	}
	if in.Cmd != "from" {
		s.Instructions = append(s.Instructions, in)
	}
	b.track(s, in)
	j := f.join(in.Line)
	heredocLines(in, j.endLine)
	if in.Trigger != nil {
		b.shell(s, in.Trigger, j)
	} else {
		b.shell(s, in, j)
	}
}

func (b *builder) instruction(n *parser.Node) *Instruction {
	in := &Instruction{Cmd: strings.ToLower(n.Value), Original: n.Original, JSON: n.Attributes["json"]}
	in.Known = known[in.Cmd]
	for _, fl := range n.Flags {
		name, value, _ := strings.Cut(strings.TrimLeft(fl, "-"), "=")
		in.Flags = append(in.Flags, Flag{Name: strings.ToLower(name), Value: value})
	}
	for a := n.Next; a != nil; a = a.Next {
		in.Args = append(in.Args, a.Value)
	}
	for _, h := range n.Heredocs {
		in.Heredocs = append(in.Heredocs, Heredoc{Name: h.Name, Content: h.Content, Expand: h.Expand, Chomp: h.Chomp})
	}
	return in
}

// open starts a stage at from, or an implicit one when from is nil.
func (b *builder) open(from *Instruction) {
	s := &Stage{Index: len(b.f.Stages), BaseStage: -1, From: from}
	if from != nil {
		s.Instructions = []*Instruction{from}
	}
	b.f.Stages = append(b.f.Stages, s)
	b.stage = s
}

func (b *builder) from(in *Instruction) {
	b.open(in)
	s := b.stage
	if len(in.Args) > 0 {
		s.Base = in.Args[0]
	}
	if len(in.Args) >= 3 && strings.EqualFold(in.Args[1], "as") {
		s.Name = in.Args[2]
	}
	s.Platform, _ = in.Flag("platform")
	ref := expandArgs(s.Base, b.f.Args)
	if _, num := atoi(ref); !num {
		if base := b.f.Stage(ref, s.Index); base != nil {
			s.BaseStage = base.Index
		}
	}
}

// track records what a stage's summary fields need.
func (b *builder) track(s *Stage, in *Instruction) {
	switch in.Cmd {
	case "env":
		// BuildKit gives (name, value, separator) triples.
		for i := 0; i+1 < len(in.Args); i += 3 {
			s.Env = append(s.Env, Var{Name: in.Args[i], Value: unquote(in.Args[i+1]), Line: in.Line})
		}
	case "arg":
		s.Args = append(s.Args, vars(in)...)
	case "user":
		if len(in.Args) > 0 {
			s.User = in.Args[0]
		}
	case "workdir":
		if len(in.Args) > 0 {
			dir := unquote(in.Args[0])
			if !path.IsAbs(dir) {
				dir = path.Join("/", s.Workdir, dir)
			}
			s.Workdir = path.Clean(dir)
		}
	case "expose":
		s.Expose = append(s.Expose, in.Args...)
	case "entrypoint":
		s.Entrypoint = in
	case "cmd":
		s.Cmd = in
	case "shell":
		s.Shell = in.Args
	case "copy", "add":
		if from, ok := in.Flag("from"); ok {
			ref := CopyFrom{Instruction: in, From: from, Stage: -1}
			if st := b.f.Stage(expandArgs(from, b.f.Args), s.Index); st != nil {
				ref.Stage = st.Index
			}
			s.CopyFrom = append(s.CopyFrom, ref)
		}
	}
}

func (b *builder) finish() {
	if s := b.f.Final(); s != nil {
		s.Final = true
	}
}

// heredocLines places each heredoc body after the instruction's last line.
func heredocLines(in *Instruction, end int) {
	for i := range in.Heredocs {
		h := &in.Heredocs[i]
		h.Line = end + 1
		h.EndLine = h.Line + strings.Count(h.Content, "\n")
		end = h.EndLine
	}
	if in.Trigger != nil {
		in.Trigger.Heredocs = in.Heredocs
	}
}

func vars(in *Instruction) []Var {
	var out []Var
	for _, a := range in.Args {
		name, value, _ := strings.Cut(a, "=")
		out = append(out, Var{Name: name, Value: unquote(value), Line: in.Line})
	}
	return out
}

// expandArgs substitutes $NAME and ${NAME} with the defaults of args, the
// way BuildKit resolves a FROM before any stage exists.
func expandArgs(s string, args []Var) string {
	if !strings.Contains(s, "$") {
		return s
	}
	for _, a := range args {
		s = strings.ReplaceAll(s, "${"+a.Name+"}", a.Value)
		s = strings.ReplaceAll(s, "$"+a.Name, a.Value)
	}
	return s
}

// unquote drops one pair of surrounding quotes, as BuildKit does for ENV
// and WORKDIR values and as hadolint does for paths.
func unquote(s string) string {
	if len(s) >= 2 && (s[0] == '"' || s[0] == '\'') && s[len(s)-1] == s[0] {
		return s[1 : len(s)-1]
	}
	return s
}
