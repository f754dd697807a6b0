package dockerfile

import (
	"fmt"
	"slices"
	"strings"
)

// goBuilds calls fn for every go build and go install in the stages
// whose output reaches the final image.
func (l *linter) goBuilds(fn func(s *Stage, in *Instruction, i int, c *Command)) {
	for _, s := range l.f.Stages {
		if !l.used[s.Index] {
			continue
		}
		for _, in := range s.Instructions {
			if in.Run == nil {
				continue
			}
			for i, c := range in.Run.Commands {
				if c.Name() == "go" && c.HasArg("build", "install") {
					fn(s, in, i, c)
				}
			}
		}
	}
}

// goFlag returns the value of a go command flag: -name v, -name=v, --name=v.
func goFlag(c *Command, name string) (string, bool) {
	args := c.args()
	for i, a := range args {
		if !strings.HasPrefix(a, "-") {
			continue
		}
		a = a[1:]
		switch {
		case a == "-"+name || a == name:
			if i+1 < len(args) {
				return args[i+1], true
			}
		case strings.HasPrefix(a, name+"=") || strings.HasPrefix(a, "-"+name+"="):
			_, v, _ := strings.Cut(a, "=")
			return v, true
		}
	}
	return "", false
}

// goFlagIn reports whether GOFLAGS (in ENV or before the command) sets flag.
func goFlagIn(env map[string]string, c *Command, flag string) bool {
	flags := env["GOFLAGS"]
	for _, e := range c.Env {
		if v, ok := strings.CutPrefix(e, "GOFLAGS="); ok {
			flags = v
		}
	}
	return strings.Contains(flags, flag)
}

var ruleGoStrip = Rule{
	ID: "DIET303", Name: "go-unstripped", Severity: SeverityWarning, Fixable: true,
	Summary: "a Go binary is built with its symbol table and debug info",
	Doc: "`go build` keeps the symbol table and DWARF debug information, often a quarter to a third " +
		"of the binary. `-ldflags=\"-s -w\"` leaves them out (since Go 1.22 `-s` alone implies `-w`). " +
		"diet reports go build and go install in every stage whose output reaches the final image, " +
		"unless a later strip or upx in the stage treats the binary (the story's v1.04).",
	Bad:  "FROM golang:1.23 AS build\nRUN go build -trimpath -o /app .\nFROM scratch\nCOPY --from=build /app /app\n",
	Good: "FROM golang:1.23 AS build\nRUN go build -trimpath -ldflags=\"-s -w\" -o /app .\nFROM scratch\nCOPY --from=build /app /app\n",
	check: func(l *linter) []Finding {
		var out []Finding
		l.goBuilds(func(s *Stage, in *Instruction, i int, c *Command) {
			fc := l.factsOf(in)
			if ld, ok := goFlag(c, "ldflags"); ok && slices.Contains(strings.Fields(ld), "-s") {
				return
			}
			if goFlagIn(fc.env, c, "-ldflags=-s") || strippedLater(s, in, i) {
				return
			}
			_, has := goFlag(c, "ldflags")
			out = append(out, Finding{Line: c.Line, EndLine: c.EndLine, Fixable: editable(in) && exact(c) && !has,
				Message: fmt.Sprintf("`%s` keeps the symbol table and DWARF in the binary (often 25–35%% of it): add -ldflags=\"-s -w\"", c.String())})
		})
		return out
	},
}

// strippedLater reports whether strip or upx runs after command i of in,
// in the same stage.
func strippedLater(s *Stage, in *Instruction, i int) bool {
	strips := func(c *Command) bool {
		n := c.Name()
		return n == "strip" || n == "upx" || n == "llvm-strip" || strings.HasSuffix(n, "-strip")
	}
	if slices.ContainsFunc(in.Run.Commands[i+1:], strips) {
		return true
	}
	for _, x := range s.Instructions {
		if x.Line > in.Line && x.Run != nil && slices.ContainsFunc(x.Run.Commands, strips) {
			return true
		}
	}
	return false
}

var ruleGoTrimpath = Rule{
	ID: "DIET304", Name: "go-no-trimpath", Severity: SeverityInfo, Fixable: true,
	Summary: "go build without -trimpath embeds build paths in the binary",
	Doc: "Without -trimpath the binary records the absolute paths of the build machine: a few " +
		"bytes per file, and builds that differ by where they ran. `-trimpath` (or GOFLAGS=-trimpath) " +
		"removes them.",
	Bad:  "FROM golang:1.23 AS build\nRUN go build -ldflags=\"-s -w\" -o /app .\nFROM scratch\nCOPY --from=build /app /app\n",
	Good: "FROM golang:1.23 AS build\nRUN go build -trimpath -ldflags=\"-s -w\" -o /app .\nFROM scratch\nCOPY --from=build /app /app\n",
	check: func(l *linter) []Finding {
		var out []Finding
		l.goBuilds(func(s *Stage, in *Instruction, i int, c *Command) {
			if _, ok := goFlag(c, "trimpath"); ok || c.HasArg("-trimpath", "--trimpath") || goFlagIn(l.factsOf(in).env, c, "-trimpath") {
				return
			}
			out = append(out, Finding{Line: c.Line, EndLine: c.EndLine, Fixable: editable(in) && exact(c),
				Message: fmt.Sprintf("`%s` embeds the build's file paths in the binary: add -trimpath", c.String())})
		})
		return out
	},
}
