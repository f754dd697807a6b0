package dockerfile

import (
	"cmp"
	"path"
	"regexp"
	"slices"
	"strings"
)

// check reports whether the rewrite understands instruction i of the
// stage: it either stays in the build stage without being needed at run
// time, or moves to the final stage as it is.
func (p *stagePlan) check(i int, in *Instruction) bool {
	switch in.Cmd {
	case "run":
		return p.checkRun(i, in)
	case "copy", "add":
		if _, ok := in.Flag("from"); ok {
			return false
		}
		if in.Cmd == "add" && slices.ContainsFunc(sources(in), func(a string) bool {
			return isArchive(a, false) || strings.Contains(a, "://") || strings.HasPrefix(dropQuotes(a), "git@")
		}) {
			return false
		}
		if i > p.lastBuild {
			return true // a runtime file: the final stage copies it again
		}
		w := p.fx.l.factsOf(in).writes
		if len(w) == 0 {
			return false
		}
		gopath := p.fx.l.factsOf(in).env["GOPATH"]
		// Sources go where a go command builds (or into a tree it builds
		// in), or into GOPATH.
		return slices.ContainsFunc(append(slices.Clone(p.allowed), gopath), func(d string) bool {
			return within(w[0].path, d) || under(d, w[0].path)
		})
	case "env", "arg", "workdir", "cmd", "entrypoint":
		return true // checked when the final stage is written
	case "user", "volume", "label", "expose", "maintainer", "stopsignal":
		return !strings.Contains(in.Original, "$")
	case "healthcheck":
		return len(in.Args) > 0 && strings.EqualFold(in.Args[0], "none")
	}
	return false
}

// within reports whether p is inside the build directory dir. A build
// in / does not make the whole filesystem a build directory.
func within(p, dir string) bool {
	if dir == "/" {
		return p == "/"
	}
	return dir != "" && path.IsAbs(dir) && under(p, dir)
}

// sedFiles are the files a build may edit with sed -i: package sources.
var sedFiles = regexp.MustCompile(`^/etc/(apk/repositories|apt/sources\.list.*|yum\.repos\.d/.*)$`)

// checkRun reports whether every command of a RUN only serves the build.
func (p *stagePlan) checkRun(i int, in *Instruction) bool {
	fc := p.fx.l.factsOf(in)
	dirs := append(slices.Clone(p.allowed), fc.env["HOME"], fc.env["GOPATH"], fc.env["GOCACHE"], fc.env["GOMODCACHE"],
		"/tmp", "/var/tmp", "/usr/local/go")
	inside := func(ps ...string) bool {
		return !slices.ContainsFunc(ps, func(x string) bool {
			return !slices.ContainsFunc(dirs, func(d string) bool { return within(x, d) })
		})
	}
	binary := func(x string) bool {
		return slices.ContainsFunc(p.artifacts, func(a *artifact) bool { return a.build == x || a.name == path.Base(x) })
	}
	lastGo := -1
	for k, c := range in.Run.Commands {
		if c.Name() == "go" && c.HasArg("build", "install") {
			lastGo = k
		}
	}
	for k, c := range in.Run.Commands {
		if !p.redirectsOK(in, fc, c, k, inside) {
			return false
		}
		abs := func(ops []string) []string {
			var out []string
			for _, o := range ops {
				out = append(out, fc.abs(o, fc.cwd[k]))
			}
			return out
		}
		name := c.Name()
		ops := c.Operands()
		ok := false
		switch {
		case name == "go":
			sub := ""
			if len(ops) > 0 {
				sub = ops[0]
			}
			ok = slices.Contains([]string{"build", "install", "get", "mod", "generate", "vet", "test", "env", "version",
				"clean", "work", "run", "list", "fmt", "tool", "doc", "fix", "download"}, sub)
		case neutral[name] || slices.Contains([]string{"source", ".", "export", "unset", "local", "declare", "readonly", "typeset", "git", "rm", "strip", "upx", "llvm-strip"}, name) ||
			strings.HasSuffix(name, "-strip"):
			ok = true
		case family(name) != "" && name != "npm":
			ok = p.checkPkgs(fc, c)
		case name == "mkdir" || name == "touch":
			ok = inside(abs(ops)...)
		case name == "cp" || name == "mv":
			ok = p.moves[c] || inside(abs(ops)...)
		case name == "chmod" || name == "chown":
			ok = len(ops) > 1 && !slices.ContainsFunc(abs(ops[1:]), func(x string) bool { return !binary(x) && !inside(x) })
		case name == "sed":
			ok = c.HasFlag("i") && len(ops) > 1 && !slices.ContainsFunc(abs(ops[1:]), func(x string) bool { return !sedFiles.MatchString(x) })
		case name == "wget" || name == "curl":
			ok = !slices.ContainsFunc(fc.writes, func(w write) bool { return w.cmd == c && !inside(w.path) })
		case name == "tar":
			ok = tarExtract(c) && !slices.ContainsFunc(fc.writes, func(w write) bool { return w.cmd == c && !inside(w.path) })
		case decompressor(c):
			ok = inside(abs(ops)...)
		}
		if !ok {
			return false
		}
	}
	// The binaries must survive to the end of the stage.
	for _, d := range fc.deletes {
		after := i > p.lastBuild || i == p.lastBuild && slices.Index(in.Run.Commands, d.cmd) > lastGo
		if after && slices.ContainsFunc(p.artifacts, func(a *artifact) bool { return covers(d.path, a.build) }) {
			return false
		}
	}
	return true
}

// profileFiles are the files a build may append its environment to.
var profileFiles = regexp.MustCompile(`^/etc/(profile|profile\.d/.*|environment|bash\.bashrc|apk/repositories|apt/sources\.list.*)$`)

// redirectsOK reports whether a command writes, through > or >>, only
// into build directories or shell profiles.
func (p *stagePlan) redirectsOK(in *Instruction, fc *facts, c *Command, k int, inside func(...string) bool) bool {
	if in.Run.Exec {
		return true
	}
	if c.Offset < 0 || len(c.Words) == 0 || c.Words[len(c.Words)-1].End < 0 {
		return false
	}
	tail := string(p.fx.f.Source[c.Words[len(c.Words)-1].End:c.End])
	for {
		i := strings.IndexByte(tail, '>')
		if i < 0 {
			return true
		}
		tail = strings.TrimLeft(tail[i+1:], ">| \t")
		target, _, _ := strings.Cut(tail, " ")
		target = strings.Trim(strings.TrimSpace(target), `"'`)
		switch {
		case strings.HasPrefix(target, "&") || target == "/dev/null":
		case target == "" || strings.Contains(target, "$") && !strings.HasPrefix(target, "$HOME/"):
			return false
		default:
			t := fc.abs(target, fc.cwd[k])
			if !profileFiles.MatchString(t) && !inside(t) {
				return false
			}
		}
	}
}

// checkPkgs reports whether a package manager command only installs
// what a Go build needs and the program does not: compilers, headers,
// git and the like. It notes cgo's compilers, CA certificates and tzdata.
func (p *stagePlan) checkPkgs(fc *facts, c *Command) bool {
	for _, ins := range fc.installs {
		if ins.cmd != c {
			continue
		}
		for _, pkg := range ins.pkgs {
			switch {
			case cgoPkgs[pkg]:
				p.cgoHint = true
			case pkg == "ca-certificates":
				p.certs = true
			case pkg == "tzdata":
				p.zoneinfo = true
			case strings.HasSuffix(pkg, "-dev") || strings.HasSuffix(pkg, "-devel"):
				return false // a C library the binary links against at run time
			case !toolchainPkg(pkg) && !buildTools[pkg]:
				return false // a runtime package the final stage would lack
			}
		}
	}
	return true
}

// debianReleases are the code names a golang or debian tag may carry.
var debianReleases = []string{"stretch", "buster", "bullseye", "bookworm", "trixie", "forky"}

var debianTag = regexp.MustCompile(`^([a-z]+|[0-9]+(\.[0-9]+)?)$`)

// chooseBase picks the final stage's base from how the binary links.
// Static (CGO_ENABLED=0 everywhere, or no sign of cgo: no C compiler or
// libc headers installed) gives scratch, and CGO_ENABLED=0 is added to
// the builds that do not set it. Otherwise the base has the build's libc:
// alpine (musl) at the build's alpine tag, or a slim Debian (glibc): the
// build's release when its tag names one, else stable-slim, whose glibc
// is never older than the golang images'.
func (p *stagePlan) chooseBase() bool {
	all0, any1 := true, false
	for _, b := range p.builds {
		all0 = all0 && b.cgo == "0"
		any1 = any1 || b.cgo != "" && b.cgo != "0"
	}
	// cgo is on by default where a C compiler is: in the golang images
	// but the alpine ones, and wherever the Dockerfile installs one. There
	// only the sources can tell whether CGO_ENABLED=0 builds the same
	// program; when they do not rule cgo out, the build keeps it and the
	// binary goes onto a base with its libc.
	why := ""
	if !all0 && !any1 && !p.cgoHint && p.noCompiler() {
		all0 = true
	}
	if !all0 {
		use, reason := p.cgo()
		switch {
		case use == cgoLibs:
			return false // a library the final base may lack: leave it to the user
		case use == cgoNone && !any1 && !p.cgoHint:
			all0 = true
		case use != cgoNone && !any1 && !p.cgoHint:
			why = ": " + reason // cgo is on by default, not by the Dockerfile: say why it stays
		}
	}
	if all0 {
		p.static, p.base, p.link = true, "scratch", "is static: CGO_ENABLED=0"
		for _, b := range p.builds {
			if b.cgo == "" && (b.in.Run.Exec || b.c.Offset < 0 || nameWord(b.c) != 0) {
				return false
			}
		}
		return true
	}
	ref := expandArgs(p.s.Base, p.fx.f.Args)
	if strings.ContainsAny(ref, "$@") {
		return false
	}
	name, tag := imageName(ref), imageTag(ref)
	repo := strings.TrimSuffix(ref, ":"+tag)
	musl, glibc := "links against musl", "links against glibc"
	switch name {
	case "alpine":
		p.base, p.link = repo+":"+cmp.Or(tag, "latest"), musl
	case "golang":
		if i := strings.Index(tag, "alpine"); i >= 0 {
			p.base, p.link = "alpine:"+cmp.Or(tag[i+len("alpine"):], "latest"), musl
			break
		}
		p.base, p.link = "debian:stable-slim", glibc
		for _, r := range debianReleases {
			if strings.Contains(tag, r) {
				p.base = "debian:" + r + "-slim"
			}
		}
	case "debian":
		switch {
		case tag == "" || tag == "latest":
			p.base = repo + ":stable-slim"
		case strings.HasSuffix(tag, "-slim"):
			p.base = ref
		case debianTag.MatchString(tag):
			p.base = repo + ":" + tag + "-slim"
		default:
			return false
		}
		p.link = glibc
	case "ubuntu":
		p.base, p.link = ref, glibc
	default:
		return false
	}
	p.link += why
	return true
}

// noCompiler reports whether the build stage's base has no C compiler,
// so that go builds with cgo off whatever the sources: alpine, and the
// golang alpine images (the others ship gcc).
func (p *stagePlan) noCompiler() bool {
	ref := expandArgs(p.s.Base, p.fx.f.Args)
	switch imageName(ref) {
	case "alpine":
		return true
	case "golang":
		return strings.Contains(imageTag(ref), "alpine")
	}
	return false
}
