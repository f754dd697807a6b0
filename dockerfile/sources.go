package dockerfile

import (
	"cmp"
	"path"
	"slices"
)

// sourceIndex lists, for one stage, the instructions whose installs and
// writes a later instruction may undo, by package and by path. Rules that
// match a cleanup with what it removes look candidates up here instead of
// comparing every RUN with every instruction before it: 10,000 RUNs took
// 34 s that way. The index only narrows: callers still check each
// candidate as before, so findings do not change.
type sourceIndex struct {
	pkgs map[string][]*Instruction // manager \x00 package or virtual name: the RUNs installing it
	// under and at hold writes their own instruction does not delete: by
	// each directory at or above the path, and by the path itself.
	under, at map[string][]*Instruction
	// copyUnder and copyAt hold the destinations of COPY and ADD.
	copyUnder, copyAt map[string][]*Instruction
}

// index returns the sourceIndex of the stage, built once.
func (l *linter) index(s *Stage) *sourceIndex {
	if ix := l.sources[s]; ix != nil {
		return ix
	}
	ix := &sourceIndex{pkgs: map[string][]*Instruction{}, under: map[string][]*Instruction{},
		at: map[string][]*Instruction{}, copyUnder: map[string][]*Instruction{}, copyAt: map[string][]*Instruction{}}
	l.sources[s] = ix
	for _, in := range s.Instructions {
		copied := in.Cmd == "copy" || in.Cmd == "add"
		if in.Run == nil && !copied {
			continue
		}
		sf := l.factsOf(in)
		for _, ins := range sf.installs {
			for _, p := range ins.pkgs {
				addOnce(ix.pkgs, ins.mgr+"\x00"+p, in)
			}
			if ins.virtual != "" {
				addOnce(ix.pkgs, ins.mgr+"\x00"+ins.virtual, in)
			}
		}
		for _, w := range sf.writes {
			if !sf.deletedAfter(w.path, w.at) {
				addPath(ix.under, ix.at, w.path, in)
			}
		}
		if copied && len(sf.writes) > 0 {
			addPath(ix.copyUnder, ix.copyAt, sf.writes[0].path, in)
		}
	}
	return ix
}

// addPath files in under p and every directory above it, and at p.
func addPath(under, at map[string][]*Instruction, p string, in *Instruction) {
	addOnce(at, p, in)
	for d := p; ; d = path.Dir(d) {
		addOnce(under, d, in)
		if d == "/" || d == "." || d == "" {
			return
		}
	}
}

// addOnce appends in to m[k] unless it is already last: instructions are
// filed in order, so each list stays sorted and free of repeats.
func addOnce(m map[string][]*Instruction, k string, in *Instruction) {
	if list := m[k]; len(list) == 0 || list[len(list)-1] != in {
		m[k] = append(list, in)
	}
}

// candidates collects, from the lineage of s, the instructions before in
// that the lookup finds, in order, each once.
func (l *linter) candidates(s *Stage, in *Instruction, lookup func(ix *sourceIndex, add func([]*Instruction))) []*Instruction {
	seen := map[*Instruction]bool{}
	var out []*Instruction
	for _, st := range l.lineage(s) {
		lookup(l.index(st), func(list []*Instruction) {
			for _, x := range list {
				if st == s && x.Line >= in.Line {
					return
				}
				if !seen[x] {
					seen[x] = true
					out = append(out, x)
				}
			}
		})
	}
	slices.SortFunc(out, func(a, b *Instruction) int { return cmp.Compare(a.Line, b.Line) })
	return out
}

// overlapping adds the lists of the paths that overlap deletion pattern
// del: those under its root, and those its root is under.
func overlapping(under, at map[string][]*Instruction, del string, add func([]*Instruction)) {
	r := root(del)
	add(under[r])
	for d := r; d != "/" && d != "." && d != ""; {
		d = path.Dir(d)
		add(at[d])
	}
}

// cleanupSources returns the instructions before in, in its lineage, that
// installed a package fc removes or wrote (and kept) a path fc deletes:
// the candidates checkCleanupLater and its fix compare with fc.
func (l *linter) cleanupSources(s *Stage, in *Instruction, fc *facts) []*Instruction {
	return l.candidates(s, in, func(ix *sourceIndex, add func([]*Instruction)) {
		for _, rm := range fc.removes {
			for _, p := range rm.pkgs {
				add(ix.pkgs[rm.mgr+"\x00"+p])
			}
		}
		for _, d := range fc.deletes {
			overlapping(ix.under, ix.at, d.path, add)
		}
	})
}

// copiesOverlapping returns the COPY and ADD instructions before in, in
// its lineage, whose destination overlaps p.
func (l *linter) copiesOverlapping(s *Stage, in *Instruction, p string) []*Instruction {
	return l.candidates(s, in, func(ix *sourceIndex, add func([]*Instruction)) {
		overlapping(ix.copyUnder, ix.copyAt, p, add)
	})
}
