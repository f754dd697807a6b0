package dockerfile

import (
	"fmt"
	"path"
	"regexp"
	"slices"
	"strings"

	"mvdan.cc/sh/v3/syntax"

	"github.com/dietimage/diet/internal/shell"
)

// inert lists instructions that neither touch the filesystem nor change
// what a later RUN sees: a RUN may move across them.
var inert = map[string]bool{
	"label": true, "expose": true, "maintainer": true, "stopsignal": true,
	"healthcheck": true, "cmd": true, "entrypoint": true,
}

// fixCleanupLater moves a cleanup RUN into the RUN that added what it
// removes. When other RUNs stand between the two, they are merged too,
// in order: moving the cleanup alone before them would remove what they
// use. Each RUN that was merged keeps its meaning: one whose shell state
// (cd, export, set) would leak into the next runs in a subshell, and one
// of several statements runs as a group, so a failure still stops the
// build. Only RUNs with the same flags and inert instructions may stand
// between; ENV, WORKDIR, USER or COPY between them stop the merge.
func fixCleanupLater(fx *fixer, fd Finding) *candidate {
	s, outer, in := fx.runAt(fd.Line)
	if in == nil || outer != in {
		return nil
	}
	first := cleanupSource(fx.l, s, in)
	if first == nil {
		return nil
	}
	i0, i1 := slices.Index(s.Instructions, first), slices.Index(s.Instructions, in)
	if i0 < 0 || i1 <= i0 {
		return nil
	}
	var runs []*Instruction
	for _, x := range s.Instructions[i0 : i1+1] {
		switch {
		case x.Cmd == "run":
			if x.Trigger != nil || !sameFlags(x, first) || fx.lastTop(x) == nil || fx.scriptStart(x) < 0 {
				return nil
			}
			runs = append(runs, x)
		case !inert[x.Cmd]:
			return nil
		}
	}
	var edits []edit
	end, _ := fx.end(fx.lastTop(first))
	open, close := fx.wrap(first, true, false)
	if open != "" {
		edits = append(edits, insert(fx.scriptStart(first), open))
	}
	// Short one-line RUNs stay on one line; otherwise each merged RUN
	// starts a continuation line, after the comments that were above it.
	oneLine := open == ""
	width := end - fx.f.Offset(first.Line)
	for _, x := range runs[1:] {
		xEnd, _ := fx.end(fx.lastTop(x))
		width += len(" && ") + xEnd - fx.scriptStart(x)
		oneLine = oneLine && x.Line == x.EndLine && first.Line == first.EndLine && fx.commentsAbove(x) == x.Line
	}
	oneLine = oneLine && width <= 100
	var sb strings.Builder
	sb.WriteString(close)
	ind := fx.indent(first, fx.f.LineOf(fx.lastTop(first).Offset))
	for i, x := range runs[1:] {
		from := fx.commentsAbove(x)
		if oneLine {
			sb.WriteString(" ")
		} else {
			sb.WriteString(" " + string(fx.f.Escape) + "\n")
			for n := from; n < x.Line; n++ {
				sb.WriteString(ind + strings.TrimSpace(string(fx.f.Lines(n, n))) + "\n")
			}
			sb.WriteString(ind)
		}
		open, close := fx.wrap(x, false, i == len(runs)-2)
		sb.WriteString("&& " + open)
		xEnd, _ := fx.end(fx.lastTop(x))
		sb.Write(fx.f.Source[fx.scriptStart(x):xEnd])
		sb.WriteString(close)
		edits = append(edits, fx.deleteLines(from, x.EndLine))
	}
	edits = append(edits, insert(end, sb.String()))
	msg := fmt.Sprintf("move the cleanup on line %d into the RUN on line %d", in.Line, first.Line)
	if len(runs) > 2 {
		msg = fmt.Sprintf("merge the RUNs on lines %d-%d, so the cleanup on line %d runs in the layer that adds what it removes", first.Line, in.Line, in.Line)
	}
	return &candidate{msg: msg, edits: edits}
}

// cleanupSource returns the earliest RUN of the cleanup's stage that added
// what the cleanup removes, as checkCleanupLater matches them; nil when a
// COPY or an instruction of another stage added some of it.
func cleanupSource(l *linter, s *Stage, in *Instruction) *Instruction {
	fc := l.factsOf(in)
	var first *Instruction
	for _, src := range l.cleanupSources(s, in, fc) {
		sf := l.factsOf(src)
		hit := false
		for _, rm := range fc.removes {
			for _, ins := range sf.installs {
				hit = hit || ins.mgr == rm.mgr && slices.ContainsFunc(rm.pkgs, func(p string) bool {
					return slices.Contains(ins.pkgs, p) || p == ins.virtual
				})
			}
		}
		for _, d := range fc.deletes {
			for _, w := range sf.writes {
				hit = hit || overlaps(d.path, w.path) && !sf.deleted(w.path)
			}
		}
		if !hit {
			continue
		}
		if src.Run == nil || src.Stage != s.Index {
			return nil
		}
		if first == nil {
			first = src
		}
	}
	return first
}

// scriptStart returns the offset in Source where a RUN's shell script
// starts, after the keyword and flags; -1 when unknown.
func (fx *fixer) scriptStart(in *Instruction) int {
	if len(in.Args) == 0 {
		return -1
	}
	j := fx.f.join(in.Line)
	trimmed := strings.TrimRight(j.text, " \t\r\n")
	cut := len(trimmed) - len(in.Args[0])
	if cut < 0 || trimmed[cut:] != in.Args[0] {
		return -1
	}
	at := j.m.slice(cut).src(0)
	if at < 0 || at >= len(fx.f.Source) {
		return -1
	}
	return at
}

// leaky lists commands whose effect outlives them in the shell.
var leaky = map[string]bool{
	"cd": true, "pushd": true, "popd": true, "source": true, ".": true, "export": true, "set": true,
	"unset": true, "shopt": true, "umask": true, "alias": true, "ulimit": true, "eval": true, "exec": true,
	"exit": true, "trap": true, "readonly": true, "declare": true, "typeset": true, "local": true, "hash": true,
}

// wrap returns what to put around the script of a RUN merged into
// another: "( " and " )" when its shell state would leak into what
// follows, "{ " and "; }" when it has several statements and something
// runs before it (a failure must still stop the build), nothing else.
func (fx *fixer) wrap(in *Instruction, first, last bool) (string, string) {
	p := syntax.NewParser(syntax.Variant(syntax.LangBash))
	file, err := shell.Parse(p, []byte(in.Run.Script), "")
	if err != nil {
		return "( ", " )"
	}
	leaks := false
	inspect(file, func(n syntax.Node) bool {
		switch x := n.(type) {
		case *syntax.CallExpr:
			if len(x.Args) == 0 || leaky[path.Base(x.Args[0].Lit())] {
				leaks = true
			}
		case *syntax.DeclClause, *syntax.FuncDecl:
			leaks = true
		}
		return !leaks
	})
	switch {
	case leaks && !last:
		return "( ", " )"
	case len(file.Stmts) > 1 && !first:
		return "{ ", "; }"
	}
	return "", ""
}

// ownerRe and modeRe match what COPY --chown and --chmod take.
var (
	ownerRe = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]*(:[A-Za-z0-9_][A-Za-z0-9_.-]*)?$`)
	modeRe  = regexp.MustCompile(`^[0-7]{3,4}$`)
)

// systemDirs hold directories a base image may already have: a chown -R
// of one changes a directory COPY --chown leaves alone (it owns only what
// it creates). Under /opt and /srv, an application's directory is the
// COPY's own.
var systemDirs = []string{"bin", "boot", "dev", "etc", "home", "lib", "lib32", "lib64", "libx32", "media", "mnt",
	"opt", "proc", "root", "run", "sbin", "srv", "sys", "tmp", "usr", "var"}

// fixChownCopy sets the owner (or mode) on the COPY and deletes the RUN
// chown -R. Only certain when the COPY created the directory (so no WORKDIR,
// RUN or base image made it before), nothing else wrote under it since,
// and the RUN does nothing else.
func fixChownCopy(fx *fixer, fd Finding) *candidate {
	s, outer, in := fx.runAt(fd.Line)
	if in == nil || outer != in || len(in.Run.Commands) != 1 || len(in.Flags) > 0 {
		return nil
	}
	c := in.Run.Commands[0]
	if len(c.Args) != 4 || len(c.Words) != 4 || len(c.Env) > 0 || c.Args[1] != "-R" && c.Args[1] != "--recursive" {
		return nil
	}
	verb, value := c.Name(), c.Args[2]
	if verb == "chown" && !ownerRe.MatchString(value) || verb == "chmod" && !modeRe.MatchString(value) {
		return nil
	}
	fc := fx.l.factsOf(in)
	p := fc.abs(c.Args[3], fc.cwd[0])
	top, rest, _ := strings.Cut(strings.TrimPrefix(p, "/"), "/")
	if !safePath.MatchString(p) || slices.Contains(systemDirs, top) && !((top == "opt" || top == "srv") && rest != "") {
		return nil
	}
	var src *Instruction
	for _, x := range fx.l.before(s, in) {
		switch {
		case x.Cmd == "copy" || x.Cmd == "add":
			w := fx.l.factsOf(x).writes
			if len(w) > 0 && overlaps(p, w[0].path) {
				if src != nil || w[0].path != p || x.Stage != s.Index {
					return nil
				}
				src = x
			}
		case x.Cmd == "workdir" && len(x.Args) > 0:
			if under(resolveDir(fx.l.workdir(x), unquote(x.Args[0])), p) {
				return nil // WORKDIR made the directory before COPY did
			}
		case x.Run != nil:
			if src != nil || strings.Contains(x.Run.Script, p) {
				return nil // a RUN made it before, or wrote into it after
			}
		case !inert[x.Cmd] && x.Cmd != "env" && x.Cmd != "arg" && x.Cmd != "user" && x.Cmd != "from":
			if src != nil {
				return nil
			}
		}
	}
	if src == nil || slices.ContainsFunc(sources(src), func(a string) bool { return isArchive(a, false) || isURL(a) }) {
		return nil
	}
	if _, has := src.Flag(verb); has {
		return nil
	}
	_, kwEnd, ok := fx.keyword(src)
	if !ok {
		return nil
	}
	flag := "--chown=" + value
	if verb == "chmod" {
		flag = "--chmod=" + value
	}
	return &candidate{
		msg:   fmt.Sprintf("use %s %s on line %d instead of %s -R", strings.ToUpper(src.Cmd), flag, src.Line, verb),
		edits: []edit{insert(kwEnd, " "+flag), fx.deleteLines(in.Line, in.EndLine)},
	}
}

// resolveDir resolves a WORKDIR argument against the directory before it.
func resolveDir(cwd, dir string) string {
	if !path.IsAbs(dir) {
		dir = path.Join(cwd, dir)
	}
	return path.Clean(dir)
}
