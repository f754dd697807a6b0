package dockerfile

import (
	"cmp"
	"regexp"
	"slices"
	"strings"
)

// Finding is one problem found in a Dockerfile: plain data, rendered
// elsewhere.
type Finding struct {
	File     string   `json:"file"`
	Line     int      `json:"line"`
	EndLine  int      `json:"end_line"`
	ID       string   `json:"id"`
	Aliases  []string `json:"aliases"` // hadolint IDs of the same rule
	Severity Severity `json:"severity"`
	Message  string   `json:"message"`
	Fixable  bool     `json:"fixable"` // diet fix can repair this one
	// Bytes is a rough lower bound of the bytes at stake, 0 when unknown.
	Bytes int64 `json:"bytes,omitempty"`
}

// Lint runs every enabled rule on f and returns the findings sorted by
// line, then rule ID. Inline "# diet ignore=ID[,ID]" comments (and
// hadolint's "# hadolint ignore=DL3009") on the lines just above an
// instruction silence those rules for it; "# diet global ignore=ID" does
// so for the whole file.
func Lint(f *File, opts ...Option) []Finding {
	o := makeOptions(opts)
	l := newLinter(f, o)
	global, local := pragmas(f)
	var out []Finding
	for _, r := range registry {
		if o.disabled[r.ID] || global[r.ID] {
			continue
		}
		for _, fd := range r.check(l) {
			if in := l.at(fd.Line); in != nil && local[in][r.ID] {
				continue
			}
			fd.File, fd.ID, fd.Severity = f.Name, r.ID, r.Severity
			if fd.Fixable {
				fd.Fixable = hasRewrite(l, fd)
			}
			fd.Aliases = append([]string{}, r.Aliases...)
			if fd.EndLine < fd.Line {
				fd.EndLine = fd.Line
			}
			out = append(out, fd)
		}
	}
	slices.SortStableFunc(out, func(a, b Finding) int {
		return cmp.Or(cmp.Compare(a.Line, b.Line), cmp.Compare(a.ID, b.ID))
	})
	return out
}

// hasRewrite reports whether Fix has a rewrite for fd: a rule's check
// marks a finding fixable when its shape allows one, but only the rewrite
// itself knows it can be made, and fixable must promise a change. Only
// fixable findings pay for this, and a rewrite reads no more than the
// rule did.
func hasRewrite(l *linter, fd Finding) bool {
	fn := fixers[fd.ID]
	if fn == nil {
		return false
	}
	c := fn(&fixer{f: l.f, l: l}, fd)
	return c != nil && len(c.edits) > 0
}

// LintAll lints several files with the same options; findings stay in the
// order of files, then lines.
func LintAll(files []*File, opts ...Option) []Finding {
	var out []Finding
	for _, f := range files {
		out = append(out, Lint(f, opts...)...)
	}
	return out
}

var pragmaRe = regexp.MustCompile(`^#\s*(?:diet|hadolint)\s+(global\s+)?ignore\s*=\s*(.*)$`)

// pragmas reads ignore comments: global ones, and per instruction those in
// the comment lines right above it.
func pragmas(f *File) (map[string]bool, map[*Instruction]map[string]bool) {
	global := map[string]bool{}
	local := map[*Instruction]map[string]bool{}
	ids := func(list string, into map[string]bool) {
		for _, id := range strings.FieldsFunc(list, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' }) {
			if r, ok := Lookup(id); ok {
				into[r.ID] = true
			}
		}
	}
	lines := strings.Split(string(f.Source), "\n")
	for _, line := range lines {
		if m := pragmaRe.FindStringSubmatch(strings.TrimSpace(line)); m != nil && m[1] != "" {
			ids(m[2], global)
		}
	}
	for _, in := range f.Instructions {
		set := map[string]bool{}
		for n := in.Line - 1; n >= 1 && n <= len(lines); n-- {
			line := strings.TrimSpace(lines[n-1])
			if !strings.HasPrefix(line, "#") {
				break
			}
			if m := pragmaRe.FindStringSubmatch(line); m != nil && m[1] == "" {
				ids(m[2], set)
			}
		}
		if len(set) > 0 {
			local[in] = set
		}
	}
	return global, local
}
