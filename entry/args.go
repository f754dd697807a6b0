// This file finds the programs a command's arguments name: socat's
// "EXEC:/app/handler.sh", "--exec=/usr/local/bin/hook", a path given to
// a supervisor. What the program does with them reading cannot tell.

package entry

import (
	"strings"

	"github.com/dietimage/diet/elfdeps"
)

// maxArgNames bounds the names tried in a command's arguments: an "sh -c"
// string may be long.
const maxArgNames = 1024

// argFiles are the programs and scripts of the image that args (the
// arguments of a command, without its name) name, slash-rooted as named,
// in order, each once. A name is read from every whitespace-separated
// field of an argument, and of each ","-separated piece of a field: the
// piece itself and what follows each ":" or "=" in it, with quotes
// trimmed ("TCP-LISTEN:8080,fork" gives "8080" and "fork";
// "EXEC:/app/handler.sh,pty" gives "/app/handler.sh"). Only a name with
// a slash counts, relative to workdir when it does not start with one: a
// bare word ("fork", "test", "serve") names a program of PATH only by
// chance. A name counts when it is a regular file, resolved inside the
// root, that is an executable ELF file (a program, or a library a plugin
// flag loads) or starts with "#!": a data file that a careless COPY left
// executable is no program.
func argFiles(rt *elfdeps.Root, args []string, workdir string) []string {
	var out []string
	seen := map[string]bool{}
	tried := 0
	for _, a := range args {
		for _, name := range argNames(a) {
			if tried++; tried > maxArgNames {
				return out
			}
			if !strings.Contains(name, "/") || seen[name] {
				continue
			}
			seen[name] = true
			p := abs(name, workdir)
			if isProgram(rt, p) {
				out = append(out, p)
			}
		}
	}
	return out
}

// argNames are the names argFiles tries in one argument.
func argNames(a string) []string {
	var out []string
	for f := range strings.FieldsSeq(a) {
		for piece := range strings.SplitSeq(f, ",") {
			out = append(out, strings.Trim(piece, `"'`))
			for i, c := range piece {
				if c == ':' || c == '=' {
					out = append(out, strings.Trim(piece[i+1:], `"'`))
				}
			}
		}
	}
	return out
}

// isProgram reports whether the slash-rooted p is a regular file, inside
// the root, that is an executable ELF file or a "#!" script.
func isProgram(rt *elfdeps.Root, p string) bool {
	real, _, err := rt.Resolve(p)
	if err != nil || real == "." {
		return false
	}
	m, err := rt.Lstat(real)
	if err != nil || !m.IsRegular() {
		return false
	}
	if m.Perm()&0o111 != 0 && rt.IsELF(real) {
		return true
	}
	_, _, ok := rt.Shebang(real)
	return ok
}

// unkept is the first of programs whose real path is not among the
// real paths that files (slash-rooted, as a closure lists them) lead to,
// or "".
func unkept(rt *elfdeps.Root, programs, files []string) string {
	kept := map[string]bool{}
	for _, f := range files {
		if real, _, err := rt.Resolve(f); err == nil {
			kept[real] = true
		}
	}
	for _, p := range programs {
		if real, _, err := rt.Resolve(p); err == nil && !kept[real] {
			return p
		}
	}
	return ""
}
