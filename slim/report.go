package slim

// Schema names the version of the JSON form of [Report].
const Schema = "diet.slim/v1"

// Report says what slimming did: sizes before and after as docker counts
// them, what each rule removed, and whether the result still runs.
type Report struct {
	Schema     string `json:"schema"`
	Input      string `json:"input"`
	Output     string `json:"output"`
	Level      string `json:"level"`
	KeepBase   int    `json:"keep_base"`
	Before     Size   `json:"before"`
	After      Size   `json:"after"`
	SavedBytes int64  `json:"saved_bytes"`
	// SquashedBytes is what the squash saves by itself; with the removals,
	// StrippedBytes and UPX's saving it adds up to SavedBytes.
	SquashedBytes int64     `json:"squashed_bytes"`
	Removed       []Removal `json:"removed"`
	// Kept says why the bytes after stay: with StrippedBytes and UPX's
	// saving taken off, they add up to After.Bytes.
	Kept []Kept `json:"kept"`
	// Minimal says how level minimal found what to keep; nil at the
	// other levels.
	Minimal *MinimalSet `json:"minimal"`
	// Warnings say what was asked for and not done.
	Warnings []Warning `json:"warnings"`
	// Stripped counts the ELF files strip made smaller, by StrippedBytes.
	Stripped      int           `json:"stripped"`
	StrippedBytes int64         `json:"stripped_bytes"`
	UPX           *Packing      `json:"upx"`    // nil unless asked for
	Verify        *Verification `json:"verify"` // nil unless asked for
}

// How level minimal finds what to keep: [MinimalSet.By].
const (
	// MinimalByClosure: read from the image, the entrypoint's ELF closure
	// and what its shell scripts call.
	MinimalByClosure = "closure"
	// MinimalByTrace: a traced run of the command, for one an interpreter
	// runs (python, node, java, perl, ...), whose imports reading cannot see.
	MinimalByTrace = "trace"
)

// MinimalSet is how level minimal found the paths it keeps.
type MinimalSet struct {
	By string `json:"by"` // MinimalByClosure or MinimalByTrace
	// Files are the regular files level minimal keeps, WithKeep's
	// included, and Bytes their size (before strip and UPX).
	Files int    `json:"files"`
	Bytes int64  `json:"bytes"`
	Trace *Trace `json:"trace"` // nil unless By is MinimalByTrace
}

// Trace is what the traced run of level minimal saw.
type Trace struct {
	Command []string `json:"command"`
	// Files are the regular files of the image the run used (opened,
	// executed, stat'd, ...) and Bytes their size: the floor of what the
	// command needs, before the ELF closure and the files always kept.
	Files int   `json:"files"`
	Bytes int64 `json:"bytes"`
	// EssentialFiles are the files the run used and their ELF closure
	// (loader, libraries, "#!" interpreters), and EssentialBytes their
	// size: the floor no tracer can go under, beside which
	// MinimalSet.Bytes is what was kept.
	EssentialFiles int   `json:"essential_files"`
	EssentialBytes int64 `json:"essential_bytes"`
	// Reasons say why each regular file kept is kept, each file under
	// the first reason in this order: TraceTraced, TraceELF,
	// TracePackage, TraceScript, TraceAlways (all five, in that order),
	// then TraceKeep when WithKeep kept files. They add up to
	// MinimalSet.Files and Bytes.
	Reasons []TraceReason `json:"reasons"`
	// Packages are the packages kept whole because the run used a file
	// of them (or, for Node, a package kept depends on them), so that an
	// import the run did not make still finds its files; by path.
	Packages []Package `json:"packages"`
	// Processes counts the run's processes (the command's, its
	// children's, the exec probes'), Programs are what they executed, by
	// path, and Probes what the run was sent and answered.
	Processes int            `json:"processes"`
	Programs  []TraceProgram `json:"programs"`
	Probes    []TraceProbe   `json:"probes"`
}

// TraceProgram is a program the traced run executed.
type TraceProgram struct {
	Path string `json:"path"` // as the exec named it
	Runs int    `json:"runs"`
}

// TraceProbe is a probe the traced run sent, and its answer.
type TraceProbe struct {
	Probe  string `json:"probe"`            // as "GET :8080/data" or "exec CMD"
	Status int    `json:"status,omitempty"` // the HTTP status; 0 for none and for an exec probe
	Exit   *int   `json:"exit,omitempty"`   // an exec probe's exit code
	Error  string `json:"error,omitempty"`  // why no answer came
}

// TraceReason is what a traced minimal keeps for one reason.
type TraceReason struct {
	Reason string `json:"reason"`
	Files  int    `json:"files"` // regular files, each under one reason
	Bytes  int64  `json:"bytes"`
}

// Reasons a traced minimal keeps a file for: [TraceReason.Reason].
const (
	TraceTraced  = "traced"  // the run used it
	TraceELF     = "elf"     // the ELF closure of what is kept: loader, libraries, "#!" interpreters
	TracePackage = "package" // a package kept whole (Trace.Packages)
	TraceScript  = "script"  // what the shell scripts it used, and its command, call on every branch
	TraceAlways  = "always"  // passwd, group, certificates, hosts, tz, /tmp, the working directory, home
	TraceKeep    = "keep"    // WithKeep: a path the level would have removed
)

// Package is a package a traced minimal kept whole: what keeping it costs
// beside what the run used is AddedBytes, the price of a lazy import not
// breaking the image.
type Package struct {
	// Kind is "python" (a top-level package, with its distribution's
	// record), "node" (a package.json's directory), "java" (a runtime's
	// lib/ and conf/, or an entry of the class path) or "ruby" (a gem).
	Kind string `json:"kind"`
	Name string `json:"name"` // as imported: "yaml", "@npmcli/git"; a gem's NAME-VERSION
	Path string `json:"path"` // its root directory
	// Files and Bytes are what is kept for it; AddedFiles and AddedBytes
	// are those the run did not use.
	Files      int   `json:"files"`
	Bytes      int64 `json:"bytes"`
	AddedFiles int   `json:"added_files"`
	AddedBytes int64 `json:"added_bytes"`
}

// Size is an image's size in layers and docker's bytes (files and symlink
// targets, uncompressed).
type Size struct {
	Layers int   `json:"layers"`
	Bytes  int64 `json:"bytes"`
}

// Verification is the outcome of running the original and the slimmed
// image the same way.
type Verification struct {
	With     string   `json:"with"` // "sandbox" or "docker"
	Command  []string `json:"command"`
	Same     bool     `json:"same"`
	Reason   string   `json:"reason,omitempty"`
	Original int      `json:"original_exit"`
	Slimmed  int      `json:"slimmed_exit"`
	Output   string   `json:"output"` // the slimmed run's stdout, trimmed
	// FirstMissing is the first file the slimmed run looked for and did
	// not find where the original found it: WithKeep(FirstMissing) keeps it.
	FirstMissing string `json:"first_missing,omitempty"`
	// Server is how the command served, when it was run as a server (with
	// readiness ports or probes); nil otherwise.
	Server *Served `json:"server,omitempty"`
}

// Served is how the original and the slimmed server came up and
// answered.
type Served struct {
	// Ports had to accept connections for the server to be ready.
	Ports         []int `json:"ports"`
	OriginalReady bool  `json:"original_ready"`
	SlimmedReady  bool  `json:"slimmed_ready"`
	// Probes are the answers to the probes, HTTP and exec, in order;
	// empty when a run was not ready.
	Probes []ProbeCheck `json:"probes"`
}

// ProbeCheck is how the original and the slimmed server answered one
// probe.
type ProbeCheck struct {
	Probe string `json:"probe"` // as "GET :8080/data"
	// Original and Slimmed are the HTTP status codes; 0 when no answer
	// came (Difference then says why), and for an exec probe.
	Original int `json:"original_status"`
	Slimmed  int `json:"slimmed_status"`
	// OriginalExit and SlimmedExit are an exec probe's exit codes ("exec
	// CMD"); absent for an HTTP probe.
	OriginalExit *int `json:"original_exit,omitempty"`
	SlimmedExit  *int `json:"slimmed_exit,omitempty"`
	// Difference says how the answers differ: status, chosen headers,
	// body; "" when they are the same.
	Difference string `json:"difference,omitempty"`
}

// report sums up the plan and what the new layer holds.
func (p *Plan) report(w Written, packing *Packing) *Report {
	r := &Report{Schema: Schema, Level: p.Level.String(), KeepBase: p.KeepBase,
		Removed: p.Removed, Kept: p.Kept, SquashedBytes: p.SquashedBytes, Warnings: p.Warnings}
	for i, l := range p.tree.Layers {
		r.Before.Bytes += l.FileBytes + l.SymlinkBytes
		if i < p.KeepBase {
			r.After.Bytes += l.FileBytes + l.SymlinkBytes
		}
	}
	r.Before.Layers = len(p.tree.Layers)
	r.After.Layers = p.KeepBase + 1
	r.After.Bytes += w.FileBytes + w.SymlinkBytes
	r.SavedBytes = r.Before.Bytes - r.After.Bytes
	r.Stripped, r.StrippedBytes = w.Stripped, w.StrippedBytes
	r.UPX = packing
	if r.Removed == nil {
		r.Removed = []Removal{}
	}
	if r.Kept == nil {
		r.Kept = []Kept{}
	}
	if r.Warnings == nil {
		r.Warnings = []Warning{}
	}
	return r
}
