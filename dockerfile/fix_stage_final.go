package dockerfile

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"path"
	"regexp"
	"slices"
	"strings"
)

// fixMultiStage turns a single-stage Go build into a build stage and a
// final stage that holds only the program; see [stagePlan].
func fixMultiStage(fx *fixer, fd Finding) *candidate {
	p, ok := fx.planStage()
	if !ok {
		return nil
	}
	return p.candidate()
}

// buildEnv reports whether an ENV variable only matters to the build:
// the go command's settings, cgo's compiler flags, apt's frontend, and a
// PATH that adds Go's directories. GODEBUG, GOGC, GOMAXPROCS, GOMEMLIMIT
// and GOTRACEBACK tune the running program and are kept.
func buildEnv(name, value string) bool {
	switch name {
	case "GODEBUG", "GOGC", "GOMAXPROCS", "GOMEMLIMIT", "GOTRACEBACK":
		return false
	case "CC", "CXX", "CFLAGS", "CXXFLAGS", "LDFLAGS", "PKG_CONFIG_PATH", "DEBIAN_FRONTEND":
		return true
	case "PATH":
		return strings.Contains(value, "go/bin") || strings.Contains(value, "/go:") || strings.HasSuffix(value, "/go")
	}
	return strings.HasPrefix(name, "GO") || strings.HasPrefix(name, "CGO_")
}

// pathRef matches the variable references an ENV kept for the final stage
// may hold: its own PATH, which the base image defines.
var pathRef = regexp.MustCompile(`\$(\{PATH\}|PATH\b)`)

// shellMeta are characters a shell-form command cannot hold to be turned
// into an exec form word for word.
const shellMeta = "$`\"'\\|&;<>()*?[]{}~#="

// candidate writes the rewrite: the FROM named, CGO_ENABLED=0 where the
// base is scratch, the instructions that describe the running image moved
// to a new final stage after the last line.
func (p *stagePlan) candidate() *candidate {
	fx, s := p.fx, p.s
	lower := false
	if start, end, ok := fx.keyword(s.From); ok {
		lower = string(fx.f.Source[start:end]) == "from"
	}
	kw := func(word string) string {
		if lower {
			return strings.ToLower(word)
		}
		return word
	}
	var edits []edit
	name := s.Name
	if name == "" {
		name = "build"
		line := fx.f.Lines(s.From.Line, s.From.Line)
		edits = append(edits, insert(fx.f.Offset(s.From.Line)+len(bytes.TrimRight(line, " \t\r\n")), " "+kw("AS")+" build"))
	}
	if p.static {
		for _, b := range p.builds {
			if b.cgo == "" {
				edits = append(edits, insert(b.c.Offset, "CGO_ENABLED=0 "))
			}
		}
	}
	// A binary the image finds through PATH goes where every base's PATH
	// looks: one named bare by the CMD, and one go install left in
	// GOPATH/bin (on the golang images' PATH, not on the final base's),
	// unless the CMD names it by that path.
	prog := p.program()
	for _, a := range p.artifacts {
		a.final = a.build
		named := slices.ContainsFunc([]*Instruction{s.Cmd, s.Entrypoint}, func(in *Instruction) bool {
			return in != nil && strings.Contains(in.Original, a.build)
		})
		if !defaultPath(path.Dir(a.build)) && (prog == a.name || a.installed && !named) {
			a.final = "/usr/local/bin/" + a.name
		}
	}
	groups := map[string][]string{}
	for i, in := range s.Instructions {
		text, ok := p.carry(i, in)
		if !ok {
			return nil
		}
		if text == "" {
			continue
		}
		group := in.Cmd
		if in.Cmd == "add" {
			group = "copy"
		}
		if in.Cmd != "env" && in.Cmd != "volume" && in.Cmd != "user" && in.Cmd != "workdir" {
			edits = append(edits, fx.deleteLines(fx.commentsAbove(in), in.EndLine))
		}
		groups[group] = append(groups[group], text)
	}
	if d := s.Workdir; d != "" && d != "/" {
		if strings.ContainsAny(d, "$ \t") {
			return nil
		}
		groups["workdir"] = []string{kw("WORKDIR") + " " + d + "\n"}
	}
	user, ok := p.user()
	if !ok {
		return nil
	}
	if user != "" {
		groups["user"] = []string{kw("USER") + " " + user + "\n"}
	}
	var final strings.Builder
	from := kw("FROM") + " "
	if pl := s.Platform; pl != "" {
		from += "--platform=" + pl + " "
	}
	final.WriteString(from + p.base + "\n")
	for _, g := range []string{"label", "maintainer", "env", "workdir"} {
		final.WriteString(strings.Join(groups[g], ""))
	}
	// The original image had the build image's CA certificates, and a
	// program that makes TLS connections needs them; scratch and the slim
	// bases have none (alpine has its own). The copy is certain when the
	// Dockerfile installs them or the build stage is an official golang
	// image (they ship ca-certificates). Otherwise nothing is copied: a
	// pattern that matches nothing passes BuildKit but fails the legacy
	// builder, and a fix must build everywhere.
	copyFrom := kw("COPY") + " --from=" + name + " "
	if imageName(p.base) != "alpine" && (p.certs || imageName(expandArgs(p.s.Base, p.fx.f.Args)) == "golang") {
		final.WriteString(copyFrom + "/etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/\n")
	}
	if p.zoneinfo {
		final.WriteString(copyFrom + "/usr/share/zoneinfo /usr/share/zoneinfo\n")
	}
	var finals []string
	for _, a := range p.artifacts {
		final.WriteString(copyFrom + a.build + " " + a.final + "\n")
		if a.final != a.build {
			finals = append(finals, a.build+" (as "+a.final+")")
		} else {
			finals = append(finals, a.build)
		}
	}
	for _, g := range []string{"copy", "volume", "user", "expose", "stopsignal", "healthcheck", "entrypoint", "cmd"} {
		final.WriteString(strings.Join(groups[g], ""))
	}
	rest, ok := apply(fx.f.Source, edits)
	if !ok {
		return nil
	}
	sep := "\n\n"
	switch {
	case len(rest) == 0 || bytes.HasSuffix(rest, []byte("\n\n")):
		sep = ""
	case bytes.HasSuffix(rest, []byte("\n")):
		sep = "\n"
	}
	edits = append(edits, insert(len(fx.f.Source), sep+final.String()))
	return &candidate{edits: edits, msg: fmt.Sprintf("build in stage %q and copy only %s into a final stage FROM %s (the binary %s)",
		name, joinList(finals), p.base, p.link)}
}

// carry returns the text instruction i contributes to the final stage, ""
// for none; false when it cannot be carried with certainty.
func (p *stagePlan) carry(i int, in *Instruction) (string, bool) {
	fx := p.fx
	switch in.Cmd {
	case "copy", "add":
		if i <= p.lastBuild {
			return "", true
		}
		if len(in.Args) < 2 {
			return "", false
		}
		dest := unquote(in.Args[len(in.Args)-1])
		if !path.IsAbs(dest) && fx.l.workdir(in) != cmp.Or(p.s.Workdir, "/") {
			return "", false // a relative destination would land elsewhere
		}
		if owner, ok := in.Flag("chown"); ok && p.static && strings.Trim(owner, "0123456789:") != "" {
			return "", false // scratch has no /etc/passwd to look a name up in
		}
		return fx.moved(in), true
	case "env":
		return p.env(in)
	case "volume":
		return string(fx.f.Lines(in.Line, in.EndLine)), true
	case "label", "maintainer", "expose", "stopsignal", "healthcheck":
		return fx.moved(in), true
	case "cmd", "entrypoint":
		return p.command(in)
	}
	return "", true
}

// moved returns an instruction's text with the comments right above it.
func (fx *fixer) moved(in *Instruction) string {
	text := string(fx.f.Lines(fx.commentsAbove(in), in.EndLine))
	if !strings.HasSuffix(text, "\n") {
		text += "\n"
	}
	return text
}

// env returns the part of an ENV the running program needs.
func (p *stagePlan) env(in *Instruction) (string, bool) {
	var keep []string
	all := true
	for i := 0; i+1 < len(in.Args); i += 3 {
		name, raw := in.Args[i], in.Args[i+1]
		if buildEnv(name, unquote(raw)) {
			all = false
			continue
		}
		if strings.Contains(pathRef.ReplaceAllString(raw, ""), "$") {
			return "", false
		}
		keep = append(keep, name+"="+raw)
	}
	switch {
	case len(keep) == 0:
		return "", true
	case all:
		return string(p.fx.f.Lines(in.Line, in.EndLine)), true
	}
	word := "ENV"
	if start, end, ok := p.fx.keyword(in); ok {
		word = string(p.fx.f.Source[start:end])
	}
	return word + " " + strings.Join(keep, " ") + "\n", true
}

// command returns the CMD or ENTRYPOINT of the final stage. Bases with a
// shell take it as written: the binary is where PATH finds it. scratch
// has no shell and nothing but the binary, so the program must be one of
// the binaries, named by its path, in exec form.
func (p *stagePlan) command(in *Instruction) (string, bool) {
	fx := p.fx
	if !p.static {
		return fx.moved(in), true
	}
	args := in.Args
	if !in.JSON {
		if len(args) == 0 || strings.ContainsAny(args[0], shellMeta) {
			return "", false
		}
		args = strings.Fields(args[0])
	}
	if in == p.s.Entrypoint || p.s.Entrypoint == nil {
		if len(args) == 0 {
			return "", false
		}
		prog := args[0]
		if !strings.Contains(prog, "/") {
			prog = "/usr/local/bin/" + prog
		} else if !path.IsAbs(prog) {
			prog = path.Join(cmp.Or(p.s.Workdir, "/"), prog)
		}
		if !slices.ContainsFunc(p.artifacts, func(a *artifact) bool { return a.final == prog }) {
			return "", false
		}
		if in.JSON && strings.Contains(args[0], "/") {
			return fx.moved(in), true // a path, as the exec form wants
		}
		if !strings.Contains(args[0], "/") {
			args = append([]string{prog}, args[1:]...)
		}
	} else if in.JSON {
		return fx.moved(in), true
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(args); err != nil {
		return "", false
	}
	word := strings.ToUpper(in.Cmd)
	if start, end, ok := fx.keyword(in); ok {
		word = string(fx.f.Source[start:end])
	}
	comments := string(fx.f.Lines(fx.commentsAbove(in), in.Line-1))
	return comments + word + " " + strings.TrimSpace(strings.ReplaceAll(b.String(), `","`, `", "`)) + "\n", true
}

// user returns the USER of the final stage, "" for root (the default).
// A numeric user carries over; a name only to a base that has the same
// /etc/passwd, never to scratch, where only nobody is known (65534).
func (p *stagePlan) user() (string, bool) {
	u := p.s.User
	if strings.ContainsAny(u, "$ \t") {
		return "", false
	}
	name, group, _ := strings.Cut(u, ":")
	switch {
	case u == "" || (name == "root" || name == "0") && (group == "" || group == "root" || group == "0"):
		return "", true
	case strings.Trim(name+group, "0123456789") == "":
		return u, true
	case !p.static:
		return u, true
	case name == "nobody" && (group == "" || group == "nobody" || group == "nogroup"):
		return "65534:65534", true
	}
	return "", false
}
