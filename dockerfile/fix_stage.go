package dockerfile

import (
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/dietimage/diet/elfdeps"
)

// stagePlan is the multi-stage rewrite of a single-stage Go build: what
// the build produces, what the final stage needs, and from which base.
//
// The rewrite is only made when every instruction is understood: a RUN
// may only prepare or run the Go build (toolchain packages, go commands,
// downloads into build directories, cleanup), a COPY before the build
// must write into a directory a go command builds in, and a COPY after
// it is a runtime file the final stage copies again. Anything else (a
// user created with useradd, a runtime package, a file written outside
// the build) would be lost by copying only the binary, so the finding
// stays a suggestion.
type stagePlan struct {
	fx *fixer
	s  *Stage

	builds    []goBuild
	artifacts []*artifact
	allowed   []string          // directories a build may write: its own, GOPATH, HOME, /tmp
	cgoHint   bool              // a C compiler or libc headers are installed: the build means cgo
	certs     bool              // ca-certificates installed by the Dockerfile
	zoneinfo  bool              // tzdata installed by the Dockerfile
	lastBuild int               // index in s.Instructions of the last RUN that builds
	moves     map[*Command]bool // cp and mv of a binary

	static bool   // the final base is scratch: CGO_ENABLED=0
	base   string // the final stage's FROM
	link   string // for the message: how the binary links
}

// goBuild is one go build or go install of the stage.
type goBuild struct {
	in  *Instruction
	c   *Command
	cgo string // CGO_ENABLED as the command sees it, "" if unset
}

// artifact is one program the build leaves: where it is in the build
// stage, and where the final stage puts it.
type artifact struct {
	build, final string
	name         string
	installed    bool // by go install, into GOBIN or GOPATH/bin
}

// buildTools are packages a build installs that the program does not need
// at run time, besides toolchainPkg's compilers and headers.
var buildTools = map[string]bool{
	"git": true, "curl": true, "wget": true, "xz": true, "xz-utils": true, "binutils": true, "upx": true,
	"upx-ucl": true, "make": true, "openssh-client": true, "pkgconf": true, "pkgconfig": true,
	"pkg-config": true, "bash": true, "unzip": true, "tar": true, "gzip": true, "ca-certificates": true,
	"tzdata": true, "mercurial": true, "file": true, "patch": true,
}

// cgoPkgs are packages that make cgo work: compilers and libc headers.
var cgoPkgs = map[string]bool{
	"gcc": true, "g++": true, "gcc-c++": true, "clang": true, "musl-dev": true, "libc-dev": true,
	"libc6-dev": true, "build-base": true, "build-essential": true, "linux-headers": true, "glibc-devel": true,
}

// goFlagValues are the go build flags that take a value.
var goFlagValues = map[string]bool{
	"o": true, "p": true, "ldflags": true, "gcflags": true, "asmflags": true, "tags": true, "mod": true,
	"modfile": true, "overlay": true, "pkgdir": true, "buildmode": true, "compiler": true, "gccgoflags": true,
	"installsuffix": true, "pgo": true, "toolexec": true, "exec": true, "C": true, "coverpkg": true,
	"covermode": true,
}

// goPackages returns the package arguments of go build or install.
func goPackages(c *Command) []string {
	args := c.args()
	var out []string
	i := slices.IndexFunc(args, func(a string) bool { return a == "build" || a == "install" })
	for i++; i > 0 && i < len(args); i++ {
		a := args[i]
		if !strings.HasPrefix(a, "-") {
			out = append(out, a)
			continue
		}
		if name, _, eq := strings.Cut(strings.TrimLeft(a, "-"), "="); !eq && goFlagValues[name] {
			i++
		}
	}
	return out
}

var majorRe = regexp.MustCompile(`^v[0-9]+$`)

// binName is the name go gives the binary of an import path: its last
// element, or the one before a major version suffix.
func binName(pkg string) string {
	pkg = strings.TrimSuffix(pkg, "/")
	name := path.Base(pkg)
	if majorRe.MatchString(name) && strings.Contains(pkg, "/") {
		name = path.Base(path.Dir(pkg))
	}
	if name == "." || name == "/" || name == ".." || majorRe.MatchString(name) {
		return ""
	}
	return name
}

// planStage decides the rewrite, or reports that it is not certain.
func (fx *fixer) planStage() (*stagePlan, bool) {
	f := fx.f
	if len(f.Stages) != 1 || f.Stages[0].From == nil || !clean(f) {
		return nil, false
	}
	p := &stagePlan{fx: fx, s: f.Stages[0], lastBuild: -1, moves: map[*Command]bool{}}
	s := p.s
	if s.From.EndLine != s.From.Line || len(s.From.Args) == 0 {
		return nil, false
	}
	// First the builds, in order, following the binaries through cp and mv.
	for i, in := range s.Instructions {
		if in.Run == nil {
			continue
		}
		fc := fx.l.factsOf(in)
		for k, c := range in.Run.Commands {
			switch {
			case c.Name() == "go" && c.HasArg("build", "install"):
				if !p.addBuild(in, fc, k, c) {
					return nil, false
				}
				p.lastBuild = i
			case (c.Name() == "cp" || c.Name() == "mv") && len(c.Operands()) == 2:
				ops := c.Operands()
				src, dst := fc.abs(ops[0], fc.cwd[k]), fc.abs(ops[1], fc.cwd[k])
				for _, a := range p.artifacts {
					if a.build != src {
						continue
					}
					switch {
					case strings.HasSuffix(ops[1], "/") || defaultPath(dst):
						dst = path.Join(dst, path.Base(src))
					case path.Base(dst) != path.Base(src):
						return nil, false // a new name, or into a directory: which is not known
					}
					a.build = dst
					p.moves[c] = true
				}
			}
		}
	}
	if len(p.builds) == 0 || len(p.artifacts) == 0 {
		return nil, false
	}
	for _, a := range p.artifacts {
		if strings.ContainsAny(a.build, "$*?[`\"'\\ ") {
			return nil, false
		}
	}
	// Then everything else must be understood.
	for i, in := range s.Instructions[1:] {
		if !p.check(i+1, in) {
			return nil, false
		}
	}
	return p, p.chooseBase()
}

// addBuild records a go build or go install and the binaries it leaves.
func (p *stagePlan) addBuild(in *Instruction, fc *facts, k int, c *Command) bool {
	env := func(name string) string {
		v := fc.env[name]
		for _, x := range in.Run.Commands[:k] {
			if x.Name() == "export" {
				for _, a := range x.Args[1:] {
					if val, ok := strings.CutPrefix(a, name+"="); ok {
						v = val
					}
				}
			}
		}
		for _, e := range c.Env {
			if val, ok := strings.CutPrefix(e, name+"="); ok {
				v = val
			}
		}
		return v
	}
	if env("GOOS") != "" && env("GOOS") != "linux" || env("GOARCH") != "" || env("GOFLAGS") != "" && strings.Contains(env("GOFLAGS"), "-o") {
		return false
	}
	if _, ok := goFlag(c, "C"); ok {
		return false
	}
	cwd := fc.cwd[k]
	p.builds = append(p.builds, goBuild{in: in, c: c, cgo: env("CGO_ENABLED")})
	p.allowed = appendNew(p.allowed, cwd)
	pkgs := goPackages(c)
	out, hasOut := goFlag(c, "o")
	add := func(build string) {
		for _, a := range p.artifacts {
			if a.build == build {
				return
			}
		}
		p.artifacts = append(p.artifacts, &artifact{build: build, name: path.Base(build), installed: c.HasArg("install")})
	}
	if c.HasArg("build") {
		switch {
		case hasOut && (strings.HasSuffix(out, "/") || len(pkgs) > 1):
			return false // a directory of binaries: which ones is not known
		case hasOut:
			add(fc.abs(out, cwd))
		case len(pkgs) > 1 || len(pkgs) == 1 && strings.Contains(pkgs[0], "..."):
			// compiles and discards: a check, not the program
		case len(pkgs) == 1 && pkgs[0] != "." && strings.HasPrefix(pkgs[0], "."):
			name := binName(pkgs[0])
			if name == "" {
				return false
			}
			add(path.Join(cwd, name))
		default:
			// go build . names the binary after the module: only the CMD
			// can tell which name that is.
			prog := p.program()
			if prog == "" || path.Dir(path.Join(p.s.Workdir, prog)) != cwd && strings.Contains(prog, "/") {
				return false
			}
			add(path.Join(cwd, path.Base(prog)))
		}
		return true
	}
	if hasOut {
		return false
	}
	bin := fc.env["GOBIN"]
	if bin == "" {
		bin = fc.env["GOPATH"] + "/bin"
	}
	if !path.IsAbs(bin) {
		return false
	}
	if len(pkgs) == 0 {
		pkgs = []string{"."}
	}
	for _, pkg := range pkgs {
		pkg, _, _ = strings.Cut(pkg, "@")
		name := binName(pkg)
		switch {
		case strings.Contains(pkg, "..."):
			return false
		case pkg == ".":
			prog := p.program()
			if prog == "" || strings.Contains(prog, "/") {
				return false
			}
			name = prog
		case name == "":
			return false
		}
		add(path.Join(bin, name))
	}
	return true
}

// program returns the program the image runs: the first word of its
// ENTRYPOINT, or of its CMD when it has none; "" if neither.
func (p *stagePlan) program() string {
	in := p.s.Entrypoint
	if in == nil {
		in = p.s.Cmd
	}
	if in == nil || len(in.Args) == 0 {
		return ""
	}
	if in.JSON {
		return in.Args[0]
	}
	fields := strings.Fields(in.Args[0])
	if len(fields) == 0 {
		return ""
	}
	return fields[0]
}

// defaultPath reports whether dir is on the PATH every base image (and
// BuildKit, for scratch) sets: the container runtime's default.
func defaultPath(dir string) bool {
	return slices.Contains(strings.Split(elfdeps.DefaultPath, ":"), dir)
}
