package dockerfile

import (
	"sort"
	"strings"
)

// File is a parsed Dockerfile.
type File struct {
	Name   string // as given to Parse, used in findings and errors
	Source []byte // the original bytes, never modified
	Escape rune   // the escape character: '\\' or '`'
	Syntax string // the # syntax= directive, "" if none

	// Instructions lists every instruction in order, including global ARGs
	// before the first FROM.
	Instructions []*Instruction
	// Stages lists the build stages in order. Instructions before any FROM
	// (other than ARG) open an implicit stage with a nil From, so snippets
	// lint like whole files.
	Stages []*Stage
	// Args are the global ARGs declared before the first FROM.
	Args []Var

	lineStarts []int // byte offset of each line's first byte
}

// Instruction is one Dockerfile instruction.
type Instruction struct {
	Cmd     string // keyword in lower case: "run", "copy", ...
	Line    int    // first line, 1-based
	EndLine int    // last line, inclusive: continuation lines and heredoc bodies included
	Flags   []Flag // --name=value flags, in order
	// Args are BuildKit's arguments after the flags: the whole command
	// line for a shell-form RUN or CMD, the words of an exec form, the
	// sources and destination of COPY, "image [AS name]" for FROM.
	Args     []string
	JSON     bool      // exec (JSON array) form
	Heredocs []Heredoc // heredoc bodies, for RUN, COPY and ADD
	Original string    // BuildKit's joined text of the instruction
	Stage    int       // index in File.Stages; -1 for a global ARG
	Known    bool      // a Dockerfile instruction BuildKit knows

	// Run is the shell model of a RUN, of the RUN inside ONBUILD, and of an
	// unknown instruction that starts with a shell operator (a stray
	// "&& rm ..." line whose backslash went missing), so the rules still
	// see what its author meant; nil otherwise.
	Run *Run
	// Trigger is the instruction inside an ONBUILD.
	Trigger *Instruction
}

// Flag is one --name=value flag of an instruction.
type Flag struct {
	Name  string // without the leading dashes
	Value string // with quotes removed
}

// Heredoc is one here-document of a RUN, COPY or ADD.
type Heredoc struct {
	Name    string // the delimiter word
	Content string // the body, as BuildKit reads it
	Expand  bool   // the delimiter was not quoted
	Chomp   bool   // <<- strips leading tabs
	Line    int    // first body line
	EndLine int    // the delimiter's line
}

// Var is one ENV or ARG definition.
type Var struct {
	Name  string
	Value string // "" for an ARG without a default
	Line  int
}

// Stage is one build stage, from its FROM to the next.
type Stage struct {
	Index     int
	Name      string // the AS name, "" if none
	Base      string // the image or stage named by FROM, as written
	BaseStage int    // index of the stage Base names, -1 for an image
	Platform  string // --platform, "" if none
	Final     bool   // the last stage: what docker build tags by default

	From         *Instruction   // nil for the implicit stage of a snippet
	Instructions []*Instruction // the FROM and everything after it in this stage
	CopyFrom     []CopyFrom     // COPY --from (and ADD --from) references

	Env        []Var    // ENV, in order
	Args       []Var    // ARG, in order
	User       string   // the last USER, "" if none
	Workdir    string   // the effective WORKDIR after the last one, "" if none
	Expose     []string // every EXPOSE argument, in order
	Entrypoint *Instruction
	Cmd        *Instruction
	Shell      []string // the last SHELL, nil if none
}

// CopyFrom is a COPY --from reference.
type CopyFrom struct {
	Instruction *Instruction
	From        string // as written
	Stage       int    // index of the stage it names, -1 for an image
}

// Flag returns the value of the last flag called name.
func (in *Instruction) Flag(name string) (string, bool) {
	for i := len(in.Flags) - 1; i >= 0; i-- {
		if in.Flags[i].Name == name {
			return in.Flags[i].Value, true
		}
	}
	return "", false
}

// Lines returns the original text of lines start to end, inclusive and
// 1-based, with their line endings; out-of-range lines are clipped.
func (f *File) Lines(start, end int) []byte {
	return f.Source[f.Offset(start):f.Offset(end+1)]
}

// Offset returns the byte offset in Source where line starts; lines past
// the end give len(Source).
func (f *File) Offset(line int) int {
	switch {
	case line < 1:
		return 0
	case line > len(f.lineStarts):
		return len(f.Source)
	}
	return f.lineStarts[line-1]
}

// LineOf returns the 1-based line holding the byte at offset.
func (f *File) LineOf(offset int) int {
	return sort.Search(len(f.lineStarts), func(i int) bool { return f.lineStarts[i] > offset })
}

// Final returns the final stage, nil if there is none.
func (f *File) Final() *Stage {
	if len(f.Stages) == 0 {
		return nil
	}
	return f.Stages[len(f.Stages)-1]
}

// Stage returns the stage a FROM or --from reference names: a stage name
// (case-insensitive) or an index, as BuildKit reads them; nil for an image.
func (f *File) Stage(ref string, before int) *Stage {
	for _, s := range f.Stages[:min(before, len(f.Stages))] {
		if s.Name != "" && strings.EqualFold(s.Name, ref) {
			return s
		}
	}
	if n, ok := atoi(ref); ok && n < min(before, len(f.Stages)) {
		return f.Stages[n]
	}
	return nil
}

func atoi(s string) (int, bool) {
	if s == "" || len(s) > 6 {
		return 0, false
	}
	n := 0
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

func indexLines(src []byte) []int {
	starts := []int{0}
	for i, c := range src {
		if c == '\n' && i+1 < len(src) {
			starts = append(starts, i+1)
		}
	}
	return starts
}
