package diet

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/dietimage/diet/image"
	"github.com/dietimage/diet/layerfs"
	"github.com/dietimage/diet/rootfs"
	"github.com/dietimage/diet/slim"
	"github.com/dietimage/diet/verify"
)

// Slim makes img smaller at level: it builds the merged tree, works out
// what the entrypoint needs (level minimal), plans, makes the new layer,
// and, when asked, runs the original and the result to compare them
// ([WithVerify]), times their start-up ([WithStartup]) and writes the
// result ([WithOutput]).
//
// Level minimal keeps the entrypoint's closure when reading the image can
// tell it (an ELF program, a shell script calling programs). For a command
// an interpreter runs (python, node, java, perl, ...), or whose arguments
// name a program of the image (socat's EXEC:/app/handler.sh), it runs the
// command ([WithCommand], or the image's) once under strace in diet's
// sandbox (verify.Run, even with [WithEngine]), serving the probes and
// ports verification would ([WithProbes] or [WithTraceProbes],
// [WithPorts]), and keeps what that run used with its ELF closure, the
// packages of the files it used and the static closure of its shell
// scripts (entry.Traced); a run that exits with a code other than 0, or a
// server never ready, is [ErrTracedRun]. The report's Minimal says which
// way the set was found, what the run did, and why each file is kept.
//
// A verification that finds a difference is no error: the report's Verify
// says so, nothing is written (but with [WithForce]), and the caller
// decides. The slimmed image may hold its new layer in a temporary file:
// Close it when done. Errors about img are returned as they are (the
// caller knows its name); a failure to run either image is a [*RunError];
// one writing the output, an [*image.Error] naming it.
func Slim(ctx context.Context, img v1.Image, level slim.Level, opts ...Option) (*slim.Image, *slim.Report, error) {
	o := makeOptions(opts)
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, nil, err
	}
	o.phase("reading layers")
	var bopts []layerfs.Option
	if o.jobs > 0 {
		bopts = append(bopts, layerfs.WithJobs(o.jobs))
	}
	tree, err := layerfs.Build(ctx, img, bopts...)
	if err != nil {
		return nil, nil, err
	}
	tmp, err := verify.TempDir(o.tempDir, "diet-slim-*") // the sandbox's user may enter it
	if err != nil {
		return nil, nil, err
	}
	defer os.RemoveAll(tmp)
	roots := &roots{dir: tmp, reserve: o.minFree}
	// The new layer may be made after Slim returns (on a read of the
	// image): its file goes where the caller said, not under tmp.
	sopts := append([]slim.Option{slim.WithTempDir(o.tempDir)}, o.slim...)
	var minimal *slim.MinimalSet
	if level == slim.Minimal {
		o.phase("extracting the image to find what the entrypoint needs")
		root, err := roots.extract(ctx, "original", img)
		if err != nil {
			return nil, nil, err
		}
		var paths []string
		if paths, minimal, err = o.minimal(ctx, cf, roots, img, root); err != nil {
			return nil, nil, err
		}
		sopts = append(sopts, slim.WithPaths(paths))
	}
	// The new layer is as large as what the layers above the base keep.
	// Reading them through the guard stops a layer that decompresses to
	// many times its size at the reserve of free space.
	guarded := &spoolGuard{Image: img, dir: tmp, reserve: o.minFree}
	plan, err := slim.NewPlan(guarded, tree, level, sopts...)
	if err != nil {
		return nil, nil, err
	}
	guarded.from = plan.KeepBase // the base layers are not spooled: they are kept as they are
	addKept(minimal, plan)
	o.phase("squashing the layers above the base")
	out, err := plan.Rewrite(ctx)
	if err != nil {
		return nil, nil, err
	}
	rep, err := o.finish(ctx, cf, roots, img, out)
	if err != nil {
		out.Close()
		return nil, nil, err
	}
	rep.Minimal = minimal
	return out, rep, nil
}

// finish checks and writes the slimmed image, and reports. The report
// comes last: a docker-archive output makes the layer it counts.
func (o *options) finish(ctx context.Context, cf *v1.ConfigFile, roots *roots, img v1.Image, out *slim.Image) (*slim.Report, error) {
	var v *slim.Verification
	var st *slim.Startup
	if o.verify || o.startup {
		var err error
		if v, st, err = o.check(ctx, cf, roots, img, out); err != nil {
			return nil, err
		}
	}
	if o.output != "" && (v == nil || v.Same || o.force) {
		o.phase("writing " + o.output)
		if err := image.Write(ctx, out, o.output, o.image...); err != nil {
			return nil, err
		}
	}
	rep, err := out.Report()
	if err != nil {
		return nil, err
	}
	rep.Verify = v
	if rep.UPX != nil {
		rep.UPX.Startup = st
	}
	return rep, nil
}

// check runs the original and the slimmed image: verification and
// start-up timing (of a packed image only).
func (o *options) check(ctx context.Context, cf *v1.ConfigFile, roots *roots, img v1.Image, out *slim.Image) (*slim.Verification, *slim.Startup, error) {
	c, err := o.commandOf(cf)
	if err != nil {
		return nil, nil, err
	}
	var v *slim.Verification
	if o.verify {
		o.phase("verifying: running the original and the slimmed image")
		if v, err = o.compare(ctx, cf, c, roots, img, out); err != nil {
			return nil, nil, &RunError{Err: err}
		}
	}
	if !o.startup {
		return v, nil, nil
	}
	rep, err := out.Report() // the timed runs make the layer anyway
	if err != nil || rep.UPX == nil {
		return v, nil, err // nothing packed: nothing to time
	}
	o.phase("timing the start-up of the original and the slimmed image")
	return v, o.time(ctx, c, roots, img, out), nil
}

// compare runs the original and the slimmed image the same way.
func (o *options) compare(ctx context.Context, cf *v1.ConfigFile, c verify.Command, roots *roots, img, out v1.Image) (*slim.Verification, error) {
	var before, after *verify.Result
	err := o.probing(cf, false, func(vopts []verify.Option) (err error) {
		before, after, err = o.runs(ctx, c, roots, img, out, vopts)
		return err
	})
	if err != nil {
		return nil, err
	}
	same, reason := verify.Compare(before, after)
	with := "sandbox"
	if o.engine {
		with = "docker"
	}
	v := &slim.Verification{With: with, Command: c.Argv, Same: same, Reason: reason,
		Original: before.ExitCode, Slimmed: after.ExitCode, Output: strings.TrimSpace(string(after.Stdout))}
	if !same {
		v.FirstMissing = verify.FirstMissing(before, after)
	}
	v.Server = served(before, after)
	return v, nil
}

// runs runs the original and the slimmed image the same way.
func (o *options) runs(ctx context.Context, c verify.Command, roots *roots, img, out v1.Image, vopts []verify.Option) (before, after *verify.Result, err error) {
	for i, im := range []v1.Image{img, out} {
		var r *verify.Result
		if o.engine {
			tag := fmt.Sprintf("diet-verify:%d-%d", os.Getpid(), i)
			archive := filepath.Join(roots.dir, fmt.Sprintf("verify-%d.tar", i))
			if err := image.Write(ctx, im, "docker-archive:"+archive+":"+tag); err != nil {
				return nil, nil, err
			}
			r, err = verify.RunEngine(ctx, archive, tag, c, vopts...)
		} else {
			var root string
			if root, err = roots.extract(ctx, rootNames[i], im); err != nil {
				return nil, nil, err
			}
			r, err = verify.Run(ctx, root, c, vopts...)
		}
		if err != nil {
			return nil, nil, err
		}
		before, after = after, r
	}
	return before, after, nil
}

// probing calls run with the options of a verification run: timeout,
// trace, and the probes of served. When the probes are the ones diet chose
// itself and diet may not send them (not root), it calls run again
// without them: the runs are then judged by their exit and output.
func (o *options) probing(cf *v1.ConfigFile, traced bool, run func([]verify.Option) error) error {
	base := []verify.Option{verify.WithTimeout(o.timeout), verify.WithTrace(true)}
	probes, implicit := o.served(cf, traced)
	err := run(append(base, probes...))
	if errors.Is(err, verify.ErrProbeAccess) && implicit {
		err = run(base)
	}
	return err
}

// served are the options that run the image as a server: the probes
// (of the traced run, when traced and WithTraceProbes gave them), ports
// and masks asked for or, for the image's own command, GET / on each port
// it exposes and its HEALTHCHECK (implicit). Exec probes without an HTTP
// probe or ports given wait for the exposed ports.
func (o *options) served(cf *v1.ConfigFile, traced bool) (vopts []verify.Option, implicit bool) {
	probes := o.probes
	if traced && o.tracedSet {
		probes = o.traced
	}
	if len(probes) == 0 && len(o.ports) == 0 && len(o.command) == 0 {
		for _, port := range exposed(cf) {
			probes = append(probes, verify.Probe{Port: port, Path: "/"})
			implicit = true
		}
		if hc, ok := healthcheck(cf); ok && implicit { // ready once the exposed ports accept
			probes = append(probes, hc)
		}
	}
	if len(probes) > 0 {
		vopts = append(vopts, verify.WithProbes(probes...))
	}
	ports := o.ports
	if len(ports) == 0 && !slices.ContainsFunc(probes, func(p verify.Probe) bool { return !p.IsExec() }) {
		ports = exposed(cf) // exec probes alone: ready when the exposed ports accept
	}
	if len(ports) > 0 && (len(o.ports) > 0 || len(probes) > 0) {
		vopts = append(vopts, verify.WithPorts(ports...))
	}
	for _, re := range o.masks {
		vopts = append(vopts, verify.WithMask(re))
	}
	return vopts, implicit
}

// exposed are the TCP ports the config exposes, in order.
func exposed(cf *v1.ConfigFile) []int {
	var ports []int
	for p := range cf.Config.ExposedPorts {
		num, proto, _ := strings.Cut(p, "/")
		n, err := strconv.Atoi(num)
		if err == nil && n > 0 && n < 1<<16 && (proto == "" || proto == "tcp") {
			ports = append(ports, n)
		}
	}
	slices.Sort(ports)
	return ports
}

// served sums up how the two runs served, when they ran as servers.
func served(before, after *verify.Result) *slim.Served {
	if len(before.Ports) == 0 && len(after.Ports) == 0 {
		return nil
	}
	s := &slim.Served{Ports: after.Ports, OriginalReady: before.Ready, SlimmedReady: after.Ready, Probes: []slim.ProbeCheck{}}
	if !before.Ready || !after.Ready {
		return s
	}
	for i, a := range before.Probes {
		if i >= len(after.Probes) {
			break
		}
		b := after.Probes[i]
		pc := slim.ProbeCheck{Probe: a.Probe.String(), Original: a.Status, Slimmed: b.Status,
			Difference: verify.AnswerDiffers(a, b)}
		if a.Probe.IsExec() {
			pc.OriginalExit, pc.SlimmedExit = &a.ExitCode, &b.ExitCode
		}
		s.Probes = append(s.Probes, pc)
	}
	return s
}

// startupRuns is how many timed runs each side of a start-up comparison gets.
const startupRuns = 5

// time times the command in the sandbox over the original and the slimmed
// root: what UPX's unpacking costs at every start. What keeps it from
// being measured is a note, not an error.
func (o *options) time(ctx context.Context, c verify.Command, roots *roots, img, out v1.Image) *slim.Startup {
	s := &slim.Startup{Command: c.Argv, Runs: startupRuns}
	for i, im := range []v1.Image{img, out} {
		root, err := roots.extract(ctx, rootNames[i], im)
		var d time.Duration
		if err == nil {
			d, err = verify.Startup(ctx, root, c, startupRuns, verify.WithTimeout(o.timeout))
		}
		switch {
		case errors.Is(err, verify.ErrNoExit):
			s.Note = fmt.Sprintf("%q runs until killed (a server?): give --verify-cmd a command that exits, such as --version", c.Argv)
			return s
		case err != nil:
			s.Note = err.Error()
			return s
		}
		ms := float64(d.Microseconds()) / 1000
		s.BeforeMS, s.AfterMS = s.AfterMS, ms
	}
	return s
}

// rootNames name the unpacked roots of the original and the slimmed image.
var rootNames = [2]string{"original", "slimmed"}

// roots unpacks images for the sandbox, each once.
type roots struct {
	dir     string
	reserve int64 // free space to keep on dir's disk
	done    map[string]string
}

// drop removes the unpacked root of name, to free its disk.
func (r *roots) drop(name string) {
	if p, ok := r.done[name]; ok {
		os.RemoveAll(p)
		delete(r.done, name)
	}
}

func (r *roots) extract(ctx context.Context, name string, img v1.Image) (string, error) {
	if p, ok := r.done[name]; ok {
		return p, nil
	}
	p := filepath.Join(r.dir, name)
	if err := rootfs.Extract(ctx, &spoolGuard{Image: img, dir: r.dir, reserve: r.reserve}, p); err != nil {
		return "", err
	}
	if r.done == nil {
		r.done = map[string]string{}
	}
	r.done[name] = p
	return p, nil
}
