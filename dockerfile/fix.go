package dockerfile

import (
	"cmp"
	"fmt"
	"slices"
)

// FixResult is what [Fix] made of a Dockerfile.
type FixResult struct {
	// Source is the rewritten Dockerfile. It parses, and fixing it again
	// changes nothing. It is the input itself when no fix applied.
	Source []byte
	// Changes lists the rewrites applied, by line of the input.
	Changes []Change
	// Suggestions are the findings Source still has: rules with no safe
	// rewrite, and findings whose rewrite was not certain. Their lines are
	// lines of Source, not of the input.
	Suggestions []Finding
}

// Change is one rewrite [Fix] applied.
type Change struct {
	File    string `json:"file"`
	Line    int    `json:"line"` // the line of the input the finding was on
	ID      string `json:"id"`
	Message string `json:"message"` // what was rewritten, one line
}

// WithFixOnly limits [Fix] to the rules named, by ID or hadolint alias;
// findings of other rules are left as suggestions. [Lint] ignores it.
// Unknown names are ignored: check them with [Lookup] first.
func WithFixOnly(ids ...string) Option {
	return func(o *options) {
		if o.fixOnly == nil {
			o.fixOnly = map[string]bool{}
		}
		for _, id := range ids {
			if r, ok := Lookup(id); ok {
				o.fixOnly[r.ID] = true
			}
		}
	}
}

// Fix rewrites f to repair the findings [Lint] marks fixable, and returns
// the new text with what it changed and what it left.
//
// Fix edits the original bytes by range, so comments and formatting it
// does not touch survive. It works in steps: a rewrite that reshapes the
// file alone, or the local ones together (and one at a time if together
// they fail). After each step it parses and lints the result, and keeps
// the step only if the file still parses, no shell that parsed stops
// parsing, and the file has fewer findings, those of each rule rewritten
// among them (DIET110, about how RUNs are split, does not count). A
// rewrite that never passes is dropped, and its finding stays a
// suggestion. Fix stops when no step passes, so fixing the output again
// changes nothing. It takes the options of Lint, and [WithFixOnly].
func Fix(f *File, opts ...Option) (*FixResult, error) {
	o := makeOptions(opts)
	res := &FixResult{Source: f.Source}
	cur, lines := f, newOrigin(f)
	findings := Lint(cur, opts...)
	for {
		s := step(cur, findings, candidates(cur, findings, o), opts)
		if s == nil {
			break
		}
		for _, c := range s.applied {
			res.Changes = append(res.Changes, Change{File: f.Name, Line: lines.orig(c.line), ID: c.id, Message: c.msg})
		}
		lines = lines.after(cur, s.edits, s.f)
		cur, findings = s.f, s.findings
	}
	if cur != f {
		// Every step parsed; this only guards the promise that the output
		// always does.
		if _, err := Parse(f.Name, cur.Source); err != nil {
			return &FixResult{Source: f.Source, Suggestions: Lint(f, opts...)}, fmt.Errorf("fixed Dockerfile does not parse: %w", err)
		}
	}
	slices.SortStableFunc(res.Changes, func(a, b Change) int { return cmp.Or(cmp.Compare(a.Line, b.Line), cmp.Compare(a.ID, b.ID)) })
	res.Source = cur.Source
	res.Suggestions = findings
	return res, nil
}

// fixStep is one accepted step of Fix: the rewrites applied, their edits
// and the file they made.
type fixStep struct {
	applied  []*candidate
	edits    []edit
	f        *File
	findings []Finding
}

// step finds the next step: a rewrite that reshapes the file (DIET302,
// DIET101, DIET103) alone; else every local rewrite whose edits do not
// touch another's, tested together, which saves a lint per rewrite on a
// long file; else the local rewrites one at a time. nil when none passes.
func step(cur *File, findings []Finding, cands []*candidate, opts []Option) *fixStep {
	try := func(cs []*candidate, ok func(before, after []Finding) bool) *fixStep {
		// Later rewrites first: at a shared offset their text comes first,
		// as when each is made on the output of the one before.
		var edits []edit
		for _, c := range slices.Backward(cs) {
			edits = append(edits, c.edits...)
		}
		src, valid := apply(cur.Source, edits)
		if !valid {
			return nil
		}
		nf, err := Parse(cur.Name, src)
		if err != nil {
			return nil
		}
		nfd := Lint(nf, opts...)
		if !ok(findings, nfd) {
			return nil
		}
		return &fixStep{applied: cs, edits: edits, f: nf, findings: nfd}
	}
	single := func(c *candidate) *fixStep {
		return try([]*candidate{c}, func(before, after []Finding) bool { return improves(before, after, c.id) })
	}
	var local []*candidate
	for _, c := range cands {
		if priority[c.id] == 0 {
			local = append(local, c)
		} else if s := single(c); s != nil {
			return s
		}
	}
	var batch []*candidate
	for _, c := range local {
		if !slices.ContainsFunc(batch, func(b *candidate) bool { return conflict(b.edits, c.edits) }) {
			batch = append(batch, c)
		}
	}
	if len(batch) > 1 {
		if s := try(batch, func(before, after []Finding) bool { return improvesAll(before, after, batch) }); s != nil {
			return s
		}
	}
	for _, c := range local {
		if s := single(c); s != nil {
			return s
		}
	}
	return nil
}

// conflict reports whether two sets of edits touch the same bytes, or
// meet at an end; insertions at the same offset do not conflict.
func conflict(a, b []edit) bool {
	for _, x := range a {
		for _, y := range b {
			same := x.start == x.end && y.start == y.end && x.start == y.start
			if !same && x.start <= y.end && y.start <= x.end {
				return true
			}
		}
	}
	return false
}

// syntaxRules are the rules that say the file is broken: no rewrite may
// add to them, whatever else it removes.
var syntaxRules = []string{"DIET001", "DIET002", "DIET003"}

// layoutRule is DIET110, advice on how RUNs are split: it comes and goes
// as a rewrite drops or merges commands, so it does not count.
const layoutRule = "DIET110"

// improves reports whether after is a better file than before for a
// rewrite of rule id: fewer findings of id, fewer findings in all (but
// DIET110), no more syntax errors. Rewrites never fix DIET110, so the
// count strictly decreases at each step and Fix ends.
func improves(before, after []Finding, id string) bool {
	count := func(fds []Finding, id string) int {
		n := 0
		for _, fd := range fds {
			if fd.ID == id || id == "" && fd.ID != layoutRule {
				n++
			}
		}
		return n
	}
	if count(after, "") >= count(before, "") || count(after, id) >= count(before, id) {
		return false
	}
	for _, s := range syntaxRules {
		if count(after, s) > count(before, s) {
			return false
		}
	}
	return true
}

// improvesAll is improves for several rewrites made together: each rule
// has at least one finding fewer per rewrite of it, and no rule (but
// DIET110) has more.
func improvesAll(before, after []Finding, cs []*candidate) bool {
	delta := map[string]int{}
	for _, fd := range before {
		delta[fd.ID]--
	}
	for _, fd := range after {
		delta[fd.ID]++
	}
	for _, c := range cs {
		delta[c.id]++
	}
	for id, d := range delta {
		if d > 0 && id != layoutRule {
			return false
		}
	}
	return true
}

// candidate is one rewrite for one finding.
type candidate struct {
	id    string
	line  int // the finding's line in the current source
	msg   string
	edits []edit
}

// fixer builds candidates for the findings of one version of the file.
type fixer struct {
	f *File
	l *linter
}

// fixers lists the rewrite of each fixable rule.
var fixers = map[string]func(fx *fixer, fd Finding) *candidate{
	"DIET101": fixCleanupLater,
	"DIET102": fixArchiveKept,
	"DIET103": fixChownCopy,
	"DIET107": fixUseradd,
	"DIET108": fixAddFile,
	"DIET201": fixAptLists,
	"DIET202": fixAptRecommends,
	"DIET203": fixApkCache,
	"DIET204": fixPipCache,
	"DIET205": fixPkgClean,
	"DIET206": fixPkgClean,
	"DIET207": fixPkgClean,
	"DIET208": fixYarnCache,
	"DIET209": fixNpmCache,
	"DIET210": fixGoCache,
	"DIET302": fixMultiStage,
	"DIET303": fixGoStrip,
	"DIET304": fixGoTrimpath,
}

// priority orders rewrites that reshape the file before the local ones:
// a multi-stage build makes the caches of the build stage moot.
var priority = map[string]int{"DIET302": -3, "DIET101": -2, "DIET103": -1}

// candidates returns a rewrite for each fixable finding that has one, in
// the order Fix tries them.
func candidates(f *File, findings []Finding, o options) []*candidate {
	fx := &fixer{f: f, l: newLinter(f, o)}
	var out []*candidate
	for _, fd := range findings {
		fn := fixers[fd.ID]
		if !fd.Fixable || fn == nil || (len(o.fixOnly) > 0 && !o.fixOnly[fd.ID]) {
			continue
		}
		if c := fn(fx, fd); c != nil && len(c.edits) > 0 {
			c.id, c.line = fd.ID, fd.Line
			out = append(out, c)
		}
	}
	slices.SortStableFunc(out, func(a, b *candidate) int {
		return cmp.Or(cmp.Compare(priority[a.id], priority[b.id]), cmp.Compare(a.line, b.line), cmp.Compare(a.id, b.id))
	})
	return out
}

// origin maps each line of a rewritten source to the line of the input it
// came from; inserted lines map to the line where they were inserted.
type origin []int

func newOrigin(f *File) origin {
	o := make(origin, len(f.lineStarts))
	for i := range o {
		o[i] = i + 1
	}
	return o
}

func (o origin) orig(line int) int {
	if line < 1 || len(o) == 0 {
		return 1
	}
	return o[min(line, len(o))-1]
}

// after returns the origin of next, made from old by edits.
func (o origin) after(old *File, edits []edit, next *File) origin {
	sorted := slices.Clone(edits)
	slices.SortStableFunc(sorted, func(a, b edit) int { return cmp.Compare(a.start, b.start) })
	out := make(origin, len(next.lineStarts))
	for i, at := range next.lineStarts {
		out[i] = o.orig(old.LineOf(oldOffset(sorted, at)))
	}
	return out
}

// oldOffset maps an offset of the rewritten text back to the original.
func oldOffset(edits []edit, at int) int {
	delta := 0
	for _, e := range edits {
		start := e.start + delta
		if at < start {
			break
		}
		if at < start+len(e.text) {
			return e.start
		}
		delta += len(e.text) - (e.end - e.start)
	}
	return at - delta
}
