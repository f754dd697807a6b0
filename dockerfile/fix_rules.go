package dockerfile

import (
	"path"
	"regexp"
	"slices"
	"strings"
)

// One rewrite per fixable rule of the package caches, downloads and flags.
// Each returns nil when its finding cannot be repaired with certainty:
// the finding then stays a suggestion.

func fixApkCache(fx *fixer, fd Finding) *candidate {
	_, outer, in := fx.runAt(fd.Line)
	if in == nil || laterUses(fx.f, outer, needsApkIndex) {
		return nil
	}
	c := &candidate{}
	updates, adds := 0, 0
	for _, x := range in.Run.Commands {
		if x.Name() != "apk" || x.HasFlag("no-cache") {
			continue
		}
		switch {
		case x.HasArg("add", "upgrade"):
			e, ok := insertAfterArg(x, "--no-cache", "add", "upgrade")
			if !ok {
				return nil
			}
			c.edits = append(c.edits, e)
			adds++
		case x.HasArg("update"):
			e, ok := fx.dropCommand(outer, in, x)
			if !ok {
				return nil
			}
			c.edits = append(c.edits, e)
			updates++
		}
	}
	switch {
	case updates > 0 && adds > 0:
		c.msg = "use apk add --no-cache and drop apk update"
	case updates > 0:
		c.msg = "drop apk update: apk add --no-cache fetches the index it needs"
	default:
		c.msg = "use apk add --no-cache"
	}
	return c
}

// needsApkIndex reports whether a RUN runs apk add or upgrade without
// --no-cache and without an apk update of its own before it: it relies on
// the index an earlier layer cached.
func needsApkIndex(in *Instruction) bool {
	updated := false
	for _, c := range in.Run.Commands {
		if c.Name() != "apk" {
			continue
		}
		if c.HasArg("update") || c.HasFlag("U") || c.HasFlag("update-cache") {
			updated = true
		}
		if c.HasArg("add", "upgrade") && !c.HasFlag("no-cache") && !updated {
			return true
		}
	}
	return false
}

// needsAptLists reports whether a RUN installs with apt without an apt
// update of its own before it: it relies on the lists an earlier layer
// left.
func needsAptLists(in *Instruction) bool {
	updated := false
	for _, c := range in.Run.Commands {
		if c.Name() != "apt-get" && c.Name() != "apt" {
			continue
		}
		if c.HasArg("update") {
			updated = true
		}
		if c.HasArg("install", "upgrade", "dist-upgrade", "build-dep", "source", "download") && !updated {
			return true
		}
	}
	return false
}

// laterUses reports whether an instruction after in, in any stage, is a
// RUN for which uses holds.
func laterUses(f *File, in *Instruction, uses func(*Instruction) bool) bool {
	for _, x := range f.Instructions {
		if x.Line <= in.Line {
			continue
		}
		r := x
		if x.Trigger != nil {
			r = x.Trigger
		}
		if r.Run != nil && uses(r) {
			return true
		}
	}
	return false
}

func fixAptLists(fx *fixer, fd Finding) *candidate {
	_, outer, in := fx.runAt(fd.Line)
	if in == nil || laterUses(fx.f, outer, needsAptLists) {
		return nil
	}
	return fx.appendCandidate(in, "rm -rf /var/lib/apt/lists/*", "remove the apt lists in the RUN that fetched them")
}

func fixAptRecommends(fx *fixer, fd Finding) *candidate {
	_, _, in := fx.runAt(fd.Line)
	if in == nil {
		return nil
	}
	c := findCmd(in, fd, func(c *Command) bool {
		return (c.Name() == "apt-get" || c.Name() == "apt") && c.HasArg("install") && !c.HasFlag("no-install-recommends")
	})
	if c == nil {
		return nil
	}
	return single(insertAfterArg(c, "--no-install-recommends", "install"))("add --no-install-recommends to " + c.Name() + " install")
}

func fixPipCache(fx *fixer, fd Finding) *candidate {
	_, _, in := fx.runAt(fd.Line)
	if in == nil {
		return nil
	}
	c := findCmd(in, fd, func(c *Command) bool { return isPipInstall(c) && !c.HasArg("--no-cache-dir") })
	if c == nil {
		return nil
	}
	return single(insertAfterArg(c, "--no-cache-dir", "install"))("add --no-cache-dir to pip install")
}

func fixPkgClean(fx *fixer, fd Finding) *candidate {
	_, _, in := fx.runAt(fd.Line)
	if in == nil {
		return nil
	}
	c := findCmd(in, fd, func(c *Command) bool { return family(c.Name()) == "yum" || c.Name() == "zypper" })
	if c == nil {
		return nil
	}
	clean := c.Name() + " clean all"
	if c.Name() == "zypper" {
		clean = "zypper clean --all"
	}
	return fx.appendCandidate(in, clean, "add "+clean+" after "+c.Name()+" install")
}

func fixYarnCache(fx *fixer, fd Finding) *candidate {
	_, _, in := fx.runAt(fd.Line)
	if in == nil {
		return nil
	}
	return fx.appendCandidate(in, "yarn cache clean", "add yarn cache clean to the RUN")
}

func fixNpmCache(fx *fixer, fd Finding) *candidate {
	_, _, in := fx.runAt(fd.Line)
	if in == nil {
		return nil
	}
	return fx.appendCandidate(in, "npm cache clean --force", "add npm cache clean --force to the RUN")
}

// safePath matches a path that needs no quoting in the shell.
var safePath = regexp.MustCompile(`^/[A-Za-z0-9._/+@%=,-]*$`)

func fixGoCache(fx *fixer, fd Finding) *candidate {
	s, _, in := fx.runAt(fd.Line)
	if in == nil {
		return nil
	}
	fc := fx.l.factsOf(in)
	var flags, rms []string
	for _, w := range fc.writes {
		if w.kind != "cache" || w.cmd.Name() != "go" || fc.deleted(w.path) {
			continue
		}
		switch w.path {
		case fc.env["GOCACHE"]:
			flags = appendNew(flags, "-cache")
		case fc.env["GOMODCACHE"]:
			flags = appendNew(flags, "-modcache")
		default:
			// GOPATH/src after go get: only when no COPY put the program's
			// own sources there.
			if !safePath.MatchString(w.path) || path.Dir(w.path) == "/" || copiedUnder(fx.l, s, in, w.path) {
				return nil
			}
			rms = appendNew(rms, w.path)
		}
	}
	var cmds []string
	if len(flags) > 0 {
		slices.Sort(flags)
		cmds = append(cmds, "go clean "+strings.Join(flags, " "))
	}
	if len(rms) > 0 {
		cmds = append(cmds, "rm -rf "+strings.Join(rms, " "))
	}
	if len(cmds) == 0 {
		return nil
	}
	text := strings.Join(cmds, " && ")
	return fx.appendCandidate(in, text, "add "+text+" to the RUN")
}

func appendNew(list []string, s string) []string {
	if slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}

// copiedUnder reports whether a COPY or ADD before in writes under dir.
func copiedUnder(l *linter, s *Stage, in *Instruction, dir string) bool {
	for _, x := range l.before(s, in) {
		if x.Cmd != "copy" && x.Cmd != "add" {
			continue
		}
		for _, w := range l.factsOf(x).writes {
			if overlaps(dir, w.path) {
				return true
			}
		}
	}
	return false
}

func fixArchiveKept(fx *fixer, fd Finding) *candidate {
	_, outer, in := fx.runAt(fd.Line)
	if in == nil {
		return nil
	}
	fc := fx.l.factsOf(in)
	for _, w := range fc.writes {
		if w.kind != "download" || w.cmd.Line != fd.Line {
			continue
		}
		name, extracted := followArchive(fc, w)
		if (!extracted && !isArchive(w.path, true)) || name == "" || fc.deleted(name) {
			continue
		}
		base := path.Base(name)
		if !safePath.MatchString(name) || laterUses(fx.f, outer, func(x *Instruction) bool { return strings.Contains(x.Run.Script, base) }) ||
			laterMentions(fx.f, outer, base) {
			return nil
		}
		return fx.appendCandidate(in, "rm -f "+name, "delete "+base+" in the RUN that downloads it")
	}
	return nil
}

// laterMentions reports whether an instruction after in names a file.
func laterMentions(f *File, in *Instruction, name string) bool {
	for _, x := range f.Instructions {
		if x.Line > in.Line && strings.Contains(x.Original, name) {
			return true
		}
	}
	return false
}

func fixUseradd(fx *fixer, fd Finding) *candidate {
	_, _, in := fx.runAt(fd.Line)
	if in == nil {
		return nil
	}
	c := findCmd(in, fd, func(c *Command) bool { return c.Name() == "useradd" && !c.HasFlag("l") && !c.HasFlag("no-log-init") })
	if c == nil || nameWord(c) < 0 || !exact(c) {
		return nil
	}
	return &candidate{msg: "add -l to useradd", edits: []edit{insert(c.Words[nameWord(c)].End, " -l")}}
}

func fixAddFile(fx *fixer, fd Finding) *candidate {
	in := fx.l.at(fd.Line)
	if in == nil || in.Cmd != "add" || slices.ContainsFunc(in.Flags, func(f Flag) bool { return slices.Contains(addOnlyFlags, f.Name) }) {
		return nil
	}
	for _, src := range sources(in) {
		// ADD extracts local tar archives and fetches URLs and git
		// repositories: COPY does neither.
		if isArchive(src, false) || strings.Contains(src, "://") || strings.HasPrefix(dropQuotes(src), "git@") {
			return nil
		}
	}
	start, end, ok := fx.keyword(in)
	if !ok {
		return nil
	}
	word := "COPY"
	switch kw := string(fx.f.Source[start:end]); {
	case kw == "add":
		word = "copy"
	case kw == "Add":
		word = "Copy"
	}
	return &candidate{msg: "use COPY for local files", edits: []edit{{start: start, end: end, text: word}}}
}

func fixGoStrip(fx *fixer, fd Finding) *candidate {
	_, _, in := fx.runAt(fd.Line)
	if in == nil {
		return nil
	}
	c := findCmd(in, fd, func(c *Command) bool {
		_, has := goFlag(c, "ldflags")
		return c.Name() == "go" && c.HasArg("build", "install") && !has
	})
	if c == nil {
		return nil
	}
	flag := `-ldflags="-s -w"`
	if fx.quoteAround(in.Run, c.Offset) == '"' {
		flag = `-ldflags='-s -w'`
	}
	return single(insertAfterArg(c, flag, "build", "install"))("add " + flag + " to go " + goVerb(c))
}

func fixGoTrimpath(fx *fixer, fd Finding) *candidate {
	_, _, in := fx.runAt(fd.Line)
	if in == nil {
		return nil
	}
	c := findCmd(in, fd, func(c *Command) bool {
		_, has := goFlag(c, "trimpath")
		return c.Name() == "go" && c.HasArg("build", "install") && !has
	})
	if c == nil {
		return nil
	}
	return single(insertAfterArg(c, "-trimpath", "build", "install"))("add -trimpath to go " + goVerb(c))
}

func goVerb(c *Command) string {
	if c.HasArg("build") {
		return "build"
	}
	return "install"
}

// appendCandidate is a candidate that adds "&& text" at the end of a RUN.
func (fx *fixer) appendCandidate(in *Instruction, text, msg string) *candidate {
	e, ok := fx.appendRun(in, text)
	if !ok {
		return nil
	}
	return &candidate{msg: msg, edits: []edit{e}}
}

// single turns one edit into a candidate with a message, or nil.
func single(e edit, ok bool) func(msg string) *candidate {
	return func(msg string) *candidate {
		if !ok {
			return nil
		}
		return &candidate{msg: msg, edits: []edit{e}}
	}
}
