package diet

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/dietimage/diet/entry"
	"github.com/dietimage/diet/slim"
	"github.com/dietimage/diet/verify"
)

// ErrTracedRun means the traced run of level minimal did not run as it
// must for its trace to stand for the command: it exited with a code
// other than 0, or, as a server, never accepted connections.
var ErrTracedRun = errors.New("the traced run of the command failed")

// minimal finds the paths level minimal keeps, read from root, img
// extracted: the entrypoint's closure, or, for a command an interpreter
// runs (entry.ErrInterpreted), what a traced run of it uses.
func (o *options) minimal(ctx context.Context, cf *v1.ConfigFile, roots *roots, img v1.Image, root string) ([]string, *slim.MinimalSet, error) {
	paths, err := entry.Needs(os.DirFS(root), cf)
	if err == nil {
		m := &slim.MinimalSet{By: slim.MinimalByClosure}
		m.Files, m.Bytes = entry.Count(os.DirFS(root), paths)
		return paths, m, nil
	}
	// entry.ErrArgumentProgram (an argument names a program the closure
	// does not keep, as socat's EXEC:) wraps ErrInterpreted: what the
	// command runs is no more readable than an interpreter's imports, and
	// the trace sees it.
	if !errors.Is(err, entry.ErrInterpreted) {
		return nil, nil, fmt.Errorf("minimal: %w", err)
	}
	o.phase("tracing the command to find what it uses")
	c, r, err := o.traceRun(ctx, cf, roots, img)
	if err != nil {
		return nil, nil, err
	}
	// What the image has is read from the untouched extraction: the
	// traced run may have made, changed or deleted files in its own.
	t, err := entry.Traced(os.DirFS(root), r.Accessed, cf)
	if err != nil {
		return nil, nil, fmt.Errorf("minimal: %w", err)
	}
	tr := &slim.Trace{Command: c.Argv, Files: t.Files, Bytes: t.Bytes, EssentialFiles: t.EssentialFiles,
		EssentialBytes: t.EssentialBytes, Packages: make([]slim.Package, len(t.Packages)), Processes: r.Processes,
		Programs: make([]slim.TraceProgram, len(r.Programs)), Probes: make([]slim.TraceProbe, len(r.Probes))}
	for i, p := range r.Programs {
		tr.Programs[i] = slim.TraceProgram{Path: p.Path, Runs: p.Runs}
	}
	for i, a := range r.Probes {
		tr.Probes[i] = slim.TraceProbe{Probe: a.Probe.String(), Status: a.Status, Error: a.Error}
		if a.Probe.IsExec() {
			tr.Probes[i].Exit = &a.ExitCode
		}
	}
	m := &slim.MinimalSet{By: slim.MinimalByTrace, Trace: tr}
	for _, k := range t.Kept {
		tr.Reasons = append(tr.Reasons, slim.TraceReason{Reason: k.Reason, Files: k.Files, Bytes: k.Bytes})
		m.Files += k.Files
		m.Bytes += k.Bytes
	}
	for i, p := range t.Packages {
		tr.Packages[i] = slim.Package{Kind: p.Kind, Name: p.Name, Path: p.Path, Files: p.Files, Bytes: p.Bytes,
			AddedFiles: p.AddedFiles, AddedBytes: p.AddedBytes}
	}
	return t.Paths, m, nil
}

// addKept adds to m the files --keep kept beside the minimal set, which
// the plan counts: under their own reason for a traced set.
func addKept(m *slim.MinimalSet, plan *slim.Plan) {
	if m == nil || plan.KeepFiles == 0 {
		return
	}
	m.Files += plan.KeepFiles
	m.Bytes += plan.KeepBytes
	if m.Trace != nil {
		m.Trace.Reasons = append(m.Trace.Reasons, slim.TraceReason{Reason: slim.TraceKeep, Files: plan.KeepFiles, Bytes: plan.KeepBytes})
	}
}

// traceRun runs the command under strace in the sandbox, over a copy of
// img of its own, as verification runs it: the same command, timeout,
// ports and probes (or those of WithTraceProbes).
func (o *options) traceRun(ctx context.Context, cf *v1.ConfigFile, roots *roots, img v1.Image) (verify.Command, *verify.Result, error) {
	c, err := o.commandOf(cf)
	if err != nil {
		return c, nil, fmt.Errorf("minimal: %w", err)
	}
	root, err := roots.extract(ctx, "traced", img)
	if err != nil {
		return c, nil, err
	}
	defer roots.drop("traced")
	var r *verify.Result
	err = o.probing(cf, true, func(vopts []verify.Option) (err error) {
		r, err = verify.Run(ctx, root, c, vopts...)
		return err
	})
	if err != nil {
		return c, nil, &RunError{Err: fmt.Errorf("minimal: %w", err)}
	}
	if !r.Traced {
		return c, nil, &RunError{Err: fmt.Errorf("minimal: %w: tracing %q needs strace (install strace)", verify.ErrNoSandbox, c.Argv)}
	}
	switch {
	case len(r.Ports) > 0 && !r.Ready:
		return c, nil, fmt.Errorf("minimal: %w: %q was not ready: %s", ErrTracedRun, c.Argv, r.NotReady)
	case r.ExitCode != 0 && !r.Stopped && !r.TimedOut:
		return c, nil, fmt.Errorf("minimal: %w: %q exited with code %d%s", ErrTracedRun, c.Argv, r.ExitCode, lastLine(r.Stderr))
	}
	return c, r, nil
}

// commandOf is the command verification, timing and tracing run: the
// image's, or the whole command WithCommand gives.
func (o *options) commandOf(cf *v1.ConfigFile) (verify.Command, error) {
	c, err := verify.CommandOf(cf, nil)
	if len(o.command) > 0 { // the whole command, entrypoint included
		c.Argv, err = o.command, nil
	}
	return c, err
}

// lastLine is the last line a command wrote to stderr, quoted and cut
// short, to follow an error: ` (stderr: "...")`, or "".
func lastLine(stderr []byte) string {
	b := bytes.TrimRight(stderr, "\n")
	if i := bytes.LastIndexByte(b, '\n'); i >= 0 {
		b = b[i+1:]
	}
	if len(b) == 0 {
		return ""
	}
	if len(b) > 200 {
		b = append(b[:200:200], "..."...)
	}
	return fmt.Sprintf(" (stderr: %q)", b)
}
