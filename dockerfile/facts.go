package dockerfile

import (
	"path"
	"regexp"
	"strings"
)

// facts is what one instruction does to the filesystem, as far as the
// rules need to know: packages installed and removed, paths written and
// deleted. Paths are absolute and clean; deletions keep glob characters.
type facts struct {
	in       *Instruction
	env      map[string]string
	cwd      []string // per command of in.Run, the directory it runs in
	at       int      // index in in.Run.Commands of the command being read
	installs []install
	removes  []removal
	writes   []write
	deletes  []deletion
	// cleanupOnly: every command deletes, uninstalls or cleans (or is a
	// bystander such as cd), and at least one does.
	cleanupOnly bool
}

type install struct {
	mgr     string   // family: apk, apt, yum, zypper, pip, npm
	pkgs    []string // names, versions cut
	virtual string   // apk add --virtual NAME
	cmd     *Command
}

type removal struct {
	mgr  string
	pkgs []string
	cmd  *Command
}

type write struct {
	path string
	what string // for messages: "/var/cache/apk", "the download of x.tar.gz"
	cmd  *Command
	kind string // "cache", "download", "extract", "copy", "build", "clone"
	at   int    // index of cmd in the RUN's commands
}

type deletion struct {
	path string
	cmd  *Command
	at   int // index of cmd in the RUN's commands
}

// factsOf analyses a RUN (or COPY, ADD) once.
func (l *linter) factsOf(in *Instruction) *facts {
	if fc := l.facts[in]; fc != nil {
		return fc
	}
	fc := &facts{in: in, env: l.env(in)}
	l.facts[in] = fc
	cwd := l.workdir(in)
	switch {
	case in.Cmd == "copy" || in.Cmd == "add":
		if len(in.Args) >= 2 {
			dest := fc.abs(unquote(in.Args[len(in.Args)-1]), cwd)
			fc.writes = append(fc.writes, write{path: dest, what: in.Cmd + " to " + dest, kind: "copy"})
		}
	case in.Run != nil:
		fc.cleanupOnly = len(in.Run.Commands) > 0
		cleaned := false
		for i, c := range in.Run.Commands {
			fc.at = i
			fc.cwd = append(fc.cwd, cwd)
			if c.Name() == "cd" {
				if ops := c.Operands(); len(ops) == 0 {
					cwd = fc.env["HOME"]
				} else if ops[0] != "-" {
					cwd = fc.abs(ops[0], cwd)
				}
			}
			kind := fc.command(c, cwd)
			cleaned = cleaned || kind == cleanupCmd
			fc.cleanupOnly = fc.cleanupOnly && kind != otherCmd
		}
		fc.cleanupOnly = fc.cleanupOnly && cleaned
	}
	return fc
}

// goEnv fills in the Go, Cargo and Maven locations the base image implies
// when no ENV sets them: golang images set GOPATH=/go, rust images
// CARGO_HOME=/usr/local/cargo.
func (fc *facts) goEnv(root *Stage) {
	base := imageName(root.Base)
	if fc.env["GOPATH"] == "" {
		fc.env["GOPATH"] = fc.env["HOME"] + "/go"
		if base == "golang" {
			fc.env["GOPATH"] = "/go"
		}
	}
	gopath, _, _ := strings.Cut(fc.env["GOPATH"], ":")
	defaults := map[string]string{
		"GOCACHE":    fc.env["HOME"] + "/.cache/go-build",
		"GOMODCACHE": gopath + "/pkg/mod",
		"CARGO_HOME": fc.env["HOME"] + "/.cargo",
	}
	if base == "rust" {
		defaults["CARGO_HOME"] = "/usr/local/cargo"
	}
	for k, v := range defaults {
		if fc.env[k] == "" {
			fc.env[k] = v
		}
	}
	fc.env["GOPATH"] = gopath
}

var (
	varRe   = regexp.MustCompile(`\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?`)
	goEnvRe = regexp.MustCompile(`\$\(\s*go\s+env\s+([A-Z]+)\s*\)`)
)

// expand substitutes the variables the environment knows, ~ and $(go env X).
func (fc *facts) expand(p string) string {
	if p == "~" || strings.HasPrefix(p, "~/") {
		p = fc.env["HOME"] + p[1:]
	}
	if !strings.Contains(p, "$") {
		return p
	}
	p = goEnvRe.ReplaceAllStringFunc(p, func(m string) string {
		if v := fc.env[goEnvRe.FindStringSubmatch(m)[1]]; v != "" {
			return v
		}
		return m
	})
	return varRe.ReplaceAllStringFunc(p, func(m string) string {
		if v, ok := fc.env[varRe.FindStringSubmatch(m)[1]]; ok && v != "" {
			return v
		}
		return m
	})
}

// abs resolves p against cwd after expansion.
func (fc *facts) abs(p, cwd string) string {
	p = fc.expand(p)
	if !path.IsAbs(p) {
		p = path.Join(cwd, p)
	}
	return path.Clean(p)
}

// root returns the directory a deletion pattern covers: /var/cache/apk/*
// covers /var/cache/apk.
func root(p string) string {
	if i := strings.IndexAny(p, "*?["); i >= 0 {
		p = path.Dir(p[:i+1])
	}
	return path.Clean(p)
}

// under reports whether p is dir or inside it.
func under(p, dir string) bool {
	return p == dir || dir == "/" || strings.HasPrefix(p, dir+"/")
}

// covers reports whether deleting pattern del removes all of p.
func covers(del, p string) bool { return under(p, root(del)) }

// overlaps reports whether deleting del removes some of p.
func overlaps(del, p string) bool {
	r := root(del)
	return under(p, r) || under(r, p)
}

// deleted reports whether the RUN deletes all of p, or mounts a cache or
// tmpfs over it so it never reaches the layer.
func (fc *facts) deleted(p string) bool {
	for _, d := range fc.deletes {
		if covers(d.path, p) {
			return true
		}
	}
	return fc.mounted(p)
}

// deletedAfter reports whether the RUN deletes all of p with a command
// at index at or later, or mounts a cache or tmpfs over it: a cleanup that
// runs before the command filling p (`yarn cache clean && yarn install`)
// cleans nothing of what that command leaves.
func (fc *facts) deletedAfter(p string, at int) bool {
	for _, d := range fc.deletes {
		if d.at >= at && covers(d.path, p) {
			return true
		}
	}
	return fc.mounted(p)
}

// mounted reports whether a cache or tmpfs mount holds p, or holds part of
// it the way hadolint reads mounts (a target inside p).
func (fc *facts) mounted(p string) bool {
	if fc.in.Run == nil {
		return false
	}
	for _, m := range fc.in.Run.Mounts {
		if (m.Type == "cache" || m.Type == "tmpfs") && m.Target != "" {
			t := fc.abs(m.Target, "/")
			if under(p, t) || under(t, p) {
				return true
			}
		}
	}
	return false
}

// imageName returns an image reference's repository without registry,
// library/ prefix, tag or digest: "golang" for docker.io/library/golang:1.22.
func imageName(ref string) string {
	ref, _, _ = strings.Cut(ref, "@")
	if i := strings.LastIndexByte(ref, ':'); i > strings.LastIndexByte(ref, '/') {
		ref = ref[:i]
	}
	if first, rest, ok := strings.Cut(ref, "/"); ok && (strings.ContainsAny(first, ".:") || first == "localhost") {
		ref = rest
	}
	return strings.ToLower(strings.TrimPrefix(ref, "library/"))
}

// imageTag returns the tag of an image reference, "" if none.
func imageTag(ref string) string {
	ref, _, _ = strings.Cut(ref, "@")
	if i := strings.LastIndexByte(ref, ':'); i > strings.LastIndexByte(ref, '/') {
		return ref[i+1:]
	}
	return ""
}
