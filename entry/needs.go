package entry

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/dietimage/diet/elfdeps"
)

// ErrInterpreted means the command is run by an interpreter (python, node,
// java, ...): what the program imports cannot be read statically, so a
// minimal image would be incomplete. Prune is the level for it.
var ErrInterpreted = errors.New("the command runs an interpreter, whose imports a static closure cannot see")

// ErrArgumentProgram means an argument of the command names a program or
// script of the image that the static closure does not keep, as socat's
// "EXEC:/app/handler.sh" does: what the command does with it, and what
// that runs, reading cannot see. It wraps [ErrInterpreted], so that a
// caller that traces what an interpreter runs traces this command too.
var ErrArgumentProgram error = &sentinel{"an argument of the command names a program that a static closure cannot follow", ErrInterpreted}

// sentinel is an error value that is also another, more general one.
type sentinel struct {
	msg  string
	also error
}

func (e *sentinel) Error() string { return e.msg }
func (e *sentinel) Unwrap() error { return e.also }

// ErrIncomplete means a library or interpreter the command needs is not in
// the image: a minimal image would not start either.
var ErrIncomplete = errors.New("the command needs files the image does not have")

var interpreters = regexp.MustCompile(`^(python[0-9.]*|pypy[0-9.]*|node|nodejs|java|ruby[0-9.]*|perl[0-9.]*|php[0-9.]*|Rscript|dotnet)$`)

// CommonFiles are the files a running service commonly reads, which
// [Needs] keeps when the image has them.
func CommonFiles() []string { return slices.Clone(common) }

var common = []string{
	"/etc/passwd", "/etc/group", "/etc/nsswitch.conf", "/etc/hosts", "/etc/host.conf",
	"/etc/ssl/certs/ca-certificates.crt", "/etc/ssl/cert.pem", "/etc/pki/tls/certs/ca-bundle.crt",
	"/etc/mime.types", "/etc/localtime",
}

// Needs lists what the image's command needs to start, read from its
// filesystem fsys (the rootfs, paths without a leading slash): the
// entrypoint and command programs with their ELF closure (elfdeps), the
// common files above, /tmp, the working directory, the user's home, and
// the time zone database when the environment sets TZ. Paths are absolute.
//
// A shell script, run as the command, through a wrapper (tini, gosu, ...)
// or as "sh -c" string, keeps the programs it calls where they can be read
// statically ([ScriptCalls]), with their closures, and the files it
// sources. Commands named by an expansion, or missing from the image, add
// nothing; a script that cannot be parsed is [ErrInterpreted]. An
// argument naming, by a path (the word, or what follows a ":" or "=" in
// it), a program or script that the closure does not keep is
// [ErrArgumentProgram].
func Needs(fsys fs.FS, cf *v1.ConfigFile) ([]string, error) {
	argv := append(slices.Clone(cf.Config.Entrypoint), cf.Config.Cmd...)
	if len(argv) == 0 {
		return nil, errors.New("the image has neither entrypoint nor command")
	}
	if interpreters.MatchString(path.Base(argv[0])) {
		return nil, fmt.Errorf("%w: %s", ErrInterpreted, argv[0])
	}
	workdir := cmpOr(cf.Config.WorkingDir, "/")
	opts := []elfdeps.Option{elfdeps.WithEnv(cf.Config.Env), elfdeps.WithWorkingDir(workdir)}
	res, err := elfdeps.Closure(fsys, argv[:1], opts...)
	if err != nil {
		return nil, err
	}
	if len(res.Missing) > 0 {
		m := res.Missing[0]
		return nil, fmt.Errorf("%w: %s needs %s", ErrIncomplete, m.Needer, m.Name)
	}
	s := newScanner(fsys, cf.Config.Env, workdir)
	if err := s.exec(argv); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInterpreted, err)
	}
	calls := s.result()
	files := slices.Concat(res.Files, calls.Sources, closureOf(fsys, calls.Programs, opts))
	for _, p := range slices.Concat(files, calls.Programs) {
		if interpreters.MatchString(path.Base(p)) && !strings.Contains(path.Base(p), ".so") {
			return nil, fmt.Errorf("%w: %s", ErrInterpreted, p)
		}
	}
	if p := unkept(s.root, argFiles(s.root, argv[1:], workdir), slices.Concat(files, calls.Programs)); p != "" {
		return nil, fmt.Errorf("%w: %s", ErrArgumentProgram, p)
	}
	out := append(files, always(fsys, cf)...)
	slices.Sort(out)
	return slices.Compact(out), nil
}

// always is what a minimal image keeps whatever its command: /tmp, the
// working directory, the common files the image has, the user's home,
// and the time zone database when the environment sets TZ.
func always(fsys fs.FS, cf *v1.ConfigFile) []string {
	out := []string{"/tmp", path.Clean("/" + cmpOr(cf.Config.WorkingDir, "/"))}
	for _, p := range common {
		if _, err := fs.Stat(fsys, p[1:]); err == nil {
			out = append(out, p)
		}
	}
	if home := homeOf(fsys, cf.Config.User); home != "" {
		out = append(out, home)
	}
	for _, e := range cf.Config.Env {
		if _, err := fs.Stat(fsys, "usr/share/zoneinfo"); err == nil && strings.HasPrefix(e, "TZ=") {
			out = append(out, "/usr/share/zoneinfo")
		}
	}
	return out
}

// closureOf is the closure of the programs a script calls. A program that
// cannot be read, or misses a library, adds what it can: it failed in the
// original image too, and the script may never call it.
func closureOf(fsys fs.FS, programs []string, opts []elfdeps.Option) []string {
	if res, err := elfdeps.Closure(fsys, programs, opts...); err == nil {
		return res.Files
	}
	var files []string
	for _, p := range programs {
		if res, err := elfdeps.Closure(fsys, []string{p}, opts...); err == nil {
			files = append(files, res.Files...)
		}
	}
	return files
}

// homeOf finds user's home directory in the image's /etc/passwd.
func homeOf(fsys fs.FS, user string) string {
	name, _, _ := strings.Cut(user, ":")
	if name == "" {
		name = "0"
	}
	b, err := fs.ReadFile(fsys, "etc/passwd")
	if err != nil {
		return ""
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		f := strings.Split(line, ":")
		if len(f) >= 6 && (f[0] == name || f[2] == name) && strings.HasPrefix(f[5], "/") {
			return path.Clean(f[5])
		}
	}
	return ""
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
