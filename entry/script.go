package entry

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"path"
	"slices"
	"strings"

	"mvdan.cc/sh/v3/syntax"

	"github.com/dietimage/diet/elfdeps"
	"github.com/dietimage/diet/internal/shell"
)

// ErrNotShell means a file is no shell script: it is ELF, binary, or its
// "#!" names an interpreter other than a shell.
var ErrNotShell = errors.New("not a shell script")

// errScriptLimit stops hostile or runaway scripts: too many files or
// strings parsed, shells or sourced files nested too deep, code nested too
// deep for the parser's stack (see shell.Parse), or too many commands.
var errScriptLimit = errors.New("scripts nest too deep or are too many to read")

const (
	headSize      = 256     // bytes read to tell a "#!" line, ELF and text apart, as Linux reads
	maxScriptSize = 1 << 20 // bytes read of one script
	maxScripts    = 256     // files and strings parsed in all
	maxNesting    = 16      // shells, sourced files and wrappers, one in another
	maxSteps      = 1 << 17 // commands followed in all: variables and wrappers multiply them
)

// Calls is what a shell script runs, as far as reading it can tell.
type Calls struct {
	// Programs are the files the script executes, directly or through a
	// script it calls, slash-rooted as the shell finds them (the PATH
	// entry, not the symlink's target): ELF programs and "#!" scripts, for
	// elfdeps.Closure. Sorted and unique.
	Programs []string
	// Sources are the other files the shell reads as code: sourced files,
	// files given to a shell ("sh x.sh") and executable text without "#!",
	// with the symlinks on the way to them. Sorted and unique.
	Sources []string
	// Dynamic are the commands whose name is known only at run time.
	Dynamic []Dynamic
	// NotFound are the literal commands and sourced files the image does
	// not have: scripts often test for a command before they call it.
	NotFound []string
}

// Dynamic is a command name, or a file to source, with an expansion in it.
type Dynamic struct {
	Script string // slash-rooted file the word is in; empty for the image's command
	Line   int
	Word   string // as written: "$APP", "${1:-x}", "$(dirname "$0")/lib.sh"
}

// ScriptCalls reads the shell script at the slash-rooted path script in
// fsys, a rootfs that may be hostile (symlinks are followed inside it
// only), and returns the programs it calls: every command whose name is
// literal once quotes are removed, found through PATH of env (default
// [elfdeps.DefaultPath]), except
// builtins and the script's functions. It looks through exec, command,
// env, nohup, nice, timeout, gosu, su-exec and other wrappers, into
// "sh -c" strings, eval and trap strings, sourced files, here-documents
// fed to a shell, and the scripts it calls, recursively. A command that
// is a variable ($CMD, "${psql[@]}") takes the literal values the script
// assigns it and env gives it. The shebang picks the dialect: bash for
// bash, POSIX for sh and dash, mksh for ksh; a script that a POSIX parser
// refuses is read again as bash.
//
// The error wraps [ErrNotShell] for a file that is no shell script, and
// is a syntax.ParseError for a script that does not parse.
func ScriptCalls(fsys fs.FS, script string, env []string) (*Calls, error) {
	s := newScanner(fsys, env, "/")
	real, _, err := s.root.Resolve(script)
	if err != nil {
		return nil, err
	}
	lang, err := s.dialect(real)
	if err != nil {
		return nil, err
	}
	if err := s.file(real, lang, nil, 0); err != nil {
		return nil, err
	}
	return s.result(), nil
}

// dialect is the shell dialect of the script at the real path real: its
// "#!" line's, POSIX for text without one; the error wraps [ErrNotShell]
// for a file that is no shell script.
func (s *scanner) dialect(real string) (syntax.LangVariant, error) {
	head, err := s.head(real)
	if err != nil {
		return 0, err
	}
	switch {
	case bytes.HasPrefix(head, []byte("#!")):
		if lang, ok := shellLang(s.root.Shebang(real)); ok {
			return lang, nil
		}
	case bytes.IndexByte(head, 0) < 0:
		return syntax.LangPOSIX, nil
	}
	return 0, &fs.PathError{Op: "read script", Path: rooted(real), Err: ErrNotShell}
}

// usedScript reads the file at the real path real, which a traced run
// used, when it is a shell script: a "#!" line naming a shell, or text
// named *.sh or *.bash (a file given to a shell as its argument has no
// need of a "#!" line). Other files are no error.
func (s *scanner) usedScript(real string) error {
	head, err := s.head(real)
	if err != nil {
		return nil
	}
	if !bytes.HasPrefix(head, []byte("#!")) && !strings.HasSuffix(real, ".sh") && !strings.HasSuffix(real, ".bash") {
		return nil
	}
	lang, err := s.dialect(real)
	if err != nil {
		return nil
	}
	return s.file(real, lang, nil, 0)
}

// scanner collects what the shells of one container run.
type scanner struct {
	root     *elfdeps.Root
	path     []string
	env      map[string][]string // the image's environment
	workdir  string
	seen     map[string]bool // real paths parsed
	parsed   int
	steps    int // commands followed, with each wrapper and each value of a variable
	programs map[string]bool
	sources  map[string]bool
	notFound map[string]bool
	dynamic  []Dynamic
}

func newScanner(fsys fs.FS, env []string, workdir string) *scanner {
	vars := map[string][]string{"PATH": {elfdeps.DefaultPath}}
	for _, e := range env {
		if k, v, ok := strings.Cut(e, "="); ok {
			vars[k] = []string{v} // the last one wins, as in the engine
		}
	}
	return &scanner{
		root: elfdeps.NewRoot(fsys), path: strings.Split(vars["PATH"][0], ":"), env: vars, workdir: path.Clean("/" + workdir),
		seen: map[string]bool{}, programs: map[string]bool{}, sources: map[string]bool{}, notFound: map[string]bool{},
	}
}

// exec follows argv as the engine starts it: no shell, no builtins.
func (s *scanner) exec(argv []string) error {
	sh := s.shell(0, nil, 0)
	return sh.command(literals(argv), nil, 0, true)
}

func (s *scanner) result() *Calls {
	sorted := func(m map[string]bool) []string { return slices.Sorted(maps.Keys(m)) }
	slices.SortFunc(s.dynamic, func(a, b Dynamic) int {
		return cmp.Or(cmp.Compare(a.Script, b.Script), cmp.Compare(a.Line, b.Line), cmp.Compare(a.Word, b.Word))
	})
	return &Calls{
		Programs: sorted(s.programs), Sources: sorted(s.sources),
		Dynamic: slices.Compact(s.dynamic), NotFound: sorted(s.notFound),
	}
}

// abs makes a command or file name slash-rooted, relative to cwd.
func abs(name, cwd string) string {
	if strings.HasPrefix(name, "/") {
		return path.Clean(name)
	}
	return path.Join("/", cwd, name)
}

// lookPath finds a command as execvp does: a name with a slash is a path
// (relative to cwd), any other the first executable regular file of that
// name in PATH.
func (s *scanner) lookPath(name, cwd string) (string, bool) {
	if strings.Contains(name, "/") {
		p := abs(name, cwd)
		return p, s.regular(p, false)
	}
	for _, dir := range s.path {
		if p := path.Join(abs(dir, cwd), name); s.regular(p, true) {
			return p, true
		}
	}
	return "", false
}

// findSource finds the file of ". name": a path, or searched in PATH
// (readable is enough) and then in cwd, as bash does.
func (s *scanner) findSource(name, cwd string) (string, bool) {
	if !strings.Contains(name, "/") {
		for _, dir := range s.path {
			if p := path.Join(abs(dir, cwd), name); s.regular(p, false) {
				return p, true
			}
		}
	}
	p := abs(name, cwd)
	return p, s.regular(p, false)
}

// program records an executed file and reads it when a shell runs it:
// a "#!" shell script in a shell of its own, text without "#!" in a shell
// of the caller's dialect (lang; none when the engine execs it). rest
// are the words after the program's name: its arguments.
func (s *scanner) program(p string, rest []word, lang syntax.LangVariant, depth int) error {
	real, links, err := s.root.Resolve(p)
	if err != nil {
		s.notFound[p] = true
		return nil
	}
	head, err := s.head(real)
	if err != nil {
		return err
	}
	switch {
	case s.root.IsELF(real):
		s.programs[p] = true
	case bytes.HasPrefix(head, []byte("#!")):
		s.programs[p] = true
		interp, args, ok := s.root.Shebang(real)
		if l, sh := shellLang(interp, args, ok); sh {
			return s.file(real, l, rest, depth)
		}
		if _, _, script := s.root.Shebang(interp); script && depth < maxNesting {
			return s.program(interp, nil, 0, depth+1) // an interpreter that is a script
		}
	case lang != 0 && bytes.IndexByte(head, 0) < 0:
		s.keep(real, links)
		return s.file(real, lang, rest, depth)
	default:
		s.keep(real, links)
	}
	return nil
}

// keep records a file the shell reads and the symlinks on its way.
func (s *scanner) keep(real string, links []string) {
	for _, l := range links {
		s.sources[rooted(l)] = true
	}
	s.sources[rooted(real)] = true
}

// file parses the script at the real path real in a new shell of dialect
// lang whose arguments are args.
func (s *scanner) file(real string, lang syntax.LangVariant, args []word, depth int) error {
	src, ok, err := s.read(real, depth)
	if !ok || err != nil {
		return err
	}
	sh := s.shell(lang, args, depth)
	sh.self = rooted(real)
	return sh.run(src, sh.self, 0)
}

// read reads a script once: ok is false when it was read before.
func (s *scanner) read(real string, depth int) ([]byte, bool, error) {
	if s.seen[real] {
		return nil, false, nil
	}
	if err := s.count(depth); err != nil {
		return nil, false, &fs.PathError{Op: "read script", Path: rooted(real), Err: err}
	}
	s.seen[real] = true
	src, err := s.readFile(real, maxScriptSize)
	return src, err == nil, err
}

func (s *scanner) count(depth int) error {
	if s.parsed++; s.parsed > maxScripts || depth > maxNesting {
		return errScriptLimit
	}
	return nil
}

// parse reads src in dialect lang, and again as bash when that fails:
// busybox ash and many "#!/bin/sh" scripts take bash's syntax. Code nested
// too deep for the parser's stack gives errScriptLimit.
func parse(src []byte, name string, lang syntax.LangVariant) (*syntax.File, error) {
	f, err := shell.Parse(syntax.NewParser(syntax.Variant(lang)), src, name)
	if err != nil && lang != syntax.LangBash && !errors.Is(err, shell.ErrTooDeep) {
		if fb, errb := shell.Parse(syntax.NewParser(syntax.Variant(syntax.LangBash)), src, name); errb == nil {
			return fb, nil
		}
	}
	if errors.Is(err, shell.ErrTooDeep) {
		err = &fs.PathError{Op: "parse", Path: name, Err: fmt.Errorf("%w: %w", errScriptLimit, err)}
	}
	return f, err
}

// shells are the interpreters whose scripts are read, by name.
var shells = map[string]syntax.LangVariant{
	"sh": syntax.LangPOSIX, "dash": syntax.LangPOSIX, "ash": syntax.LangPOSIX, "posh": syntax.LangPOSIX,
	"bash": syntax.LangBash, "ksh": syntax.LangMirBSDKorn, "mksh": syntax.LangMirBSDKorn, "lksh": syntax.LangMirBSDKorn,
}

// shellLang gives the dialect of a "#!" line, as [elfdeps.Shebang] parses
// it (ok false: there is none), seeing through env and busybox
// ("#!/usr/bin/env bash", "#!/bin/busybox sh").
func shellLang(interp string, args []string, ok bool) (syntax.LangVariant, bool) {
	if !ok {
		return 0, false
	}
	name := path.Base(interp)
	if name == "env" || name == "busybox" {
		name = ""
		for f := range strings.FieldsSeq(strings.Join(args, " ")) {
			if !strings.HasPrefix(f, "-") && !strings.Contains(f, "=") {
				name = path.Base(f)
				break
			}
		}
	}
	l, ok := shells[name]
	return l, ok
}
