package dockerfile

import (
	"regexp"
	"slices"
	"strings"
)

// state is what the instructions before one have set up for it. States
// are shared between instructions and never modified: the linter computes
// them in one pass (prefix), so a rule asking about 10,000 RUNs does not
// rescan the instructions before each. The environment is not copied at
// each ENV either (10,000 ENV lines between RUNs would cost 10,000
// copies of a growing map): envIndex looks a variable up where it is
// needed.
type state struct {
	stage   int // index of the stage, -1 for none
	envLine int // the last ENV of this stage applied, 0 for none yet
	root    *Stage
	user    string
	workdir string
	// recommendsOff: an earlier RUN turned apt's Install-Recommends off
	// (an apt.conf.d file), for DIET202.
	recommendsOff bool
}

// envIndex holds every ENV of a file by stage and name.
type envIndex struct {
	base []int                 // per stage: its base stage, -1 for an image
	sets []map[string][]envSet // per stage: each name's ENV sets in order
	ends map[envEnd]*string    // memo of end: nil for a name unset
}

type envSet struct {
	line  int
	value string
}

type envEnd struct {
	stage int
	name  string
}

// prefix computes the state before every instruction, stage by stage: a
// stage starts from the state its base stage ends in (a base stage always
// comes first).
func (l *linter) prefix() {
	l.pre = map[*Instruction]*state{}
	n := len(l.f.Stages)
	ix := &envIndex{base: make([]int, n), sets: make([]map[string][]envSet, n), ends: map[envEnd]*string{}}
	l.envs = ix
	ends := make([]*state, n)
	for i, s := range l.f.Stages {
		ix.base[i], ix.sets[i] = -1, map[string][]envSet{}
		st := &state{workdir: "/", root: s}
		if s.BaseStage >= 0 && s.BaseStage < i {
			ix.base[i] = s.BaseStage
			st = ends[s.BaseStage]
		}
		next := *st
		next.stage, next.envLine = i, 0
		st = &next
		for _, in := range s.Instructions {
			l.pre[in] = st
			if in.Trigger != nil {
				l.pre[in.Trigger] = st
			}
			st = st.after(in, ix)
		}
		ends[i] = st
	}
}

// after returns the state after in, st itself when in changes nothing.
func (st *state) after(in *Instruction, ix *envIndex) *state {
	next := *st
	switch {
	case in.Cmd == "env" && len(in.Args) >= 2:
		for i := 0; i+1 < len(in.Args); i += 3 {
			ix.sets[st.stage][in.Args[i]] = append(ix.sets[st.stage][in.Args[i]], envSet{in.Line, unquote(in.Args[i+1])})
		}
		next.envLine = in.Line
	case in.Cmd == "user" && len(in.Args) > 0:
		next.user, _, _ = strings.Cut(in.Args[0], ":")
	case in.Cmd == "workdir" && len(in.Args) > 0:
		next.workdir = resolveDir(st.workdir, unquote(in.Args[0]))
	case in.Run != nil && !st.recommendsOff && recommendsOffRe.MatchString(in.Run.Script):
		next.recommendsOff = true
	default:
		return st
	}
	return &next
}

// get returns what name holds after line in stage: its last ENV there,
// or what it holds at the end of the base stage.
func (ix *envIndex) get(stage, line int, name string) (string, bool) {
	if stage < 0 {
		return "", false
	}
	if list := ix.sets[stage][name]; len(list) > 0 {
		if j, _ := slices.BinarySearchFunc(list, line+1, func(s envSet, line int) int { return s.line - line }); j > 0 {
			return list[j-1].value, true
		}
	}
	v := ix.end(ix.base[stage], name)
	if v == nil {
		return "", false
	}
	return *v, true
}

// end returns what name holds at the end of stage, nil if unset. It walks
// the lineage once per name and remembers the answer for every stage on
// the way, so a chain of stages is not walked again for each RUN.
func (ix *envIndex) end(stage int, name string) *string {
	var walked []int
	var v *string
	for st := stage; st >= 0; st = ix.base[st] {
		if memo, ok := ix.ends[envEnd{st, name}]; ok {
			v = memo
			break
		}
		walked = append(walked, st)
		if list := ix.sets[st][name]; len(list) > 0 {
			v = &list[len(list)-1].value
			break
		}
	}
	for _, st := range walked {
		ix.ends[envEnd{st, name}] = v
	}
	return v
}

// envNames are the variables the rules read by name.
var envNames = []string{"HOME", "GOPATH", "GOCACHE", "GOMODCACHE", "GOBIN", "GOFLAGS", "GOOS", "GOARCH",
	"CGO_ENABLED", "CARGO_HOME", "GRADLE_USER_HOME", "PIP_NO_CACHE_DIR"}

// goEnvNameRe finds the names $(go env NAME) asks for.
var goEnvNameRe = regexp.MustCompile(`go\s+env\s+([A-Z]+)`)

// stateOf returns the state before in; an instruction of no stage starts
// from nothing.
func (l *linter) stateOf(in *Instruction) *state {
	if st := l.pre[in]; st != nil {
		return st
	}
	return &state{stage: -1, workdir: "/", root: &Stage{BaseStage: -1}}
}

// env returns the environment a RUN (or COPY, ADD) sees, as far as it
// matters: the variables the rules read by name and those its text
// refers to, from the ENV of its lineage before it, with HOME derived from
// USER when no ENV sets it and the Go and Cargo locations the base image
// implies. Its size follows the instruction's, not the file's.
func (l *linter) env(in *Instruction) map[string]string {
	st := l.stateOf(in)
	env := map[string]string{}
	add := func(name string) {
		if _, done := env[name]; done {
			return
		}
		if v, ok := l.envs.get(st.stage, st.envLine, name); ok {
			env[name] = v
		}
	}
	for _, name := range envNames {
		add(name)
	}
	text := l.f.Lines(in.Line, in.EndLine)
	for _, m := range varRe.FindAllSubmatch(text, -1) {
		add(string(m[1]))
	}
	for _, m := range goEnvNameRe.FindAllSubmatch(text, -1) {
		add(string(m[1]))
	}
	if env["HOME"] == "" {
		env["HOME"] = "/root"
		if st.user != "" && st.user != "root" && st.user != "0" {
			env["HOME"] = "/home/" + st.user
		}
	}
	fc := &facts{env: env}
	fc.goEnv(st.root)
	return env
}

// workdir returns the working directory an instruction starts in.
func (l *linter) workdir(in *Instruction) string { return l.stateOf(in).workdir }
