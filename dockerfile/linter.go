package dockerfile

import (
	"cmp"
	"slices"
)

// linter holds what the rules share while linting one file.
type linter struct {
	f     *File
	o     options
	final int    // index of the final stage, -1 if none
	ships []bool // per stage: its layers are part of the final image
	used  []bool // per stage: something of it reaches the final image
	facts map[*Instruction]*facts
	pre   map[*Instruction]*state // see prefix
	envs  *envIndex
	// sources indexes each stage's installs and writes, built on demand.
	sources map[*Stage]*sourceIndex
}

func newLinter(f *File, o options) *linter {
	l := &linter{f: f, o: o, final: len(f.Stages) - 1, facts: map[*Instruction]*facts{}, sources: map[*Stage]*sourceIndex{}}
	if o.target != "" {
		if s := f.Stage(o.target, len(f.Stages)); s != nil {
			l.final = s.Index
		}
	}
	l.prefix()
	l.ships = make([]bool, len(f.Stages))
	l.used = make([]bool, len(f.Stages))
	if l.final < 0 {
		return l
	}
	for i := l.final; i >= 0; i = f.Stages[i].BaseStage {
		if l.ships[i] {
			break
		}
		l.ships[i] = true
	}
	// Mark what the final stage uses, with a stack of our own: a hostile
	// file can chain COPY --from through 100,000 stages.
	todo := []int{l.final}
	for len(todo) > 0 {
		i := todo[len(todo)-1]
		todo = todo[:len(todo)-1]
		for ; i >= 0 && !l.used[i]; i = f.Stages[i].BaseStage {
			l.used[i] = true
			for _, c := range f.Stages[i].CopyFrom {
				todo = append(todo, c.Stage)
			}
			for _, in := range f.Stages[i].Instructions {
				if in.Run == nil {
					continue
				}
				for _, m := range in.Run.Mounts {
					if s := f.Stage(m.From, i); m.From != "" && s != nil {
						todo = append(todo, s.Index)
					}
				}
			}
		}
	}
	return l
}

// at returns the instruction holding line, nil if none.
func (l *linter) at(line int) *Instruction {
	// Instructions are in line order and do not overlap: search, so a
	// finding on each of 10,000 RUNs does not scan them all.
	ins := l.f.Instructions
	i, _ := slices.BinarySearchFunc(ins, line, func(in *Instruction, line int) int { return cmp.Compare(in.Line, line+1) })
	if i > 0 && ins[i-1].Line <= line && line <= ins[i-1].EndLine {
		return ins[i-1]
	}
	return nil
}

// shipped returns the stages whose layers reach the final image.
func (l *linter) shipped() []*Stage {
	var out []*Stage
	for i, s := range l.f.Stages {
		if l.ships[i] {
			out = append(out, s)
		}
	}
	return out
}

// lineage returns the stage's FROM ancestors in this file, root first,
// then the stage itself.
func (l *linter) lineage(s *Stage) []*Stage {
	var out []*Stage
	seen := map[int]bool{}
	for st := s; st != nil && !seen[st.Index]; {
		seen[st.Index] = true
		out = append(out, st)
		if st.BaseStage < 0 {
			break
		}
		st = l.f.Stages[st.BaseStage]
	}
	slices.Reverse(out)
	return out
}

// before returns the instructions of s's lineage that come before in:
// what the layers under in hold.
func (l *linter) before(s *Stage, in *Instruction) []*Instruction {
	var out []*Instruction
	for _, st := range l.lineage(s) {
		for _, x := range st.Instructions {
			if st == s && x.Line >= in.Line {
				break
			}
			out = append(out, x)
		}
	}
	return out
}

// runs returns the RUNs whose layers ship: those of shipped stages, stray
// operator lines among them, and every ONBUILD RUN (it runs in the image
// built on this one).
func (l *linter) runs() []runAt {
	var out []runAt
	for _, s := range l.f.Stages {
		for _, in := range s.Instructions {
			switch {
			case in.Trigger != nil && in.Trigger.Run != nil:
				out = append(out, runAt{s, in.Trigger})
			case in.Run != nil && l.ships[s.Index]:
				out = append(out, runAt{s, in})
			}
		}
	}
	return out
}

type runAt struct {
	s  *Stage
	in *Instruction
}

// stageOf returns the stage an instruction belongs to.
func (l *linter) stageOf(in *Instruction) *Stage {
	if in.Stage < 0 || in.Stage >= len(l.f.Stages) {
		return nil
	}
	return l.f.Stages[in.Stage]
}
