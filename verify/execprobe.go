package verify

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os/exec"
	"slices"
	"syscall"
	"time"
)

// execProbeTimeout bounds an exec probe; the run's timeout bounds them all.
const execProbeTimeout = 10 * time.Second

// execFunc runs the exec probe p beside a server, whose network namespace
// is ns. Its error ends the run: the probe could not be run at all.
type execFunc func(ctx context.Context, ns *netns, p Probe) (ProbeResult, error)

// prober runs exec probes in the sandbox: each in a second bubblewrap
// sandbox over the server's rootfs, as the server's user, with its
// environment, working directory, limits and seccomp filter, started
// from a thread that has entered the server's network namespace so that
// the probe shares the server's loopback (and has no other network). It
// gets a PID namespace of its own: when its command exits, or is killed
// at the probe's timeout, nothing it started is left.
type prober struct {
	tools    tools
	rootfs   string
	wd       string
	id       ids
	env      []string
	host     int
	switchTo bool
	limits   Limits
	trace    bool // run each probe under strace too, and keep what it saw

	traces []*traced
}

// exec implements execFunc.
func (pr *prober) exec(ctx context.Context, ns *netns, p Probe) (ProbeResult, error) {
	sb, err := newSandbox(pr.rootfs, pr.wd, pr.id, pr.env, true)
	if err != nil {
		return ProbeResult{}, err
	}
	defer sb.close()
	argv := sb.argv(pr.tools.bwrap, p.Exec)
	var tr *trace
	if pr.trace {
		if tr, err = newTrace(pr.tools.strace, pr.wd, pr.host, pr.switchTo); err != nil {
			return ProbeResult{}, err
		}
		defer tr.close()
		argv = tr.wrap(argv)
	}
	argv = append(pr.limits.prlimit(pr.tools.prlimit, pr.switchTo), argv...)
	o := options{timeout: execProbeTimeout, limits: pr.limits, maxOut: MaxProbeBody + 1}
	start := time.Now()
	r, err := execute(ctx, argv, sb.files(), pr.host, pr.switchTo, &o, ns, nil)
	if errors.Is(err, context.DeadlineExceeded) { // the run's timeout: the probe was killed with it
		return execAnswer(p, 128+int(syscall.SIGKILL), nil, true, time.Since(start)), nil
	}
	if err != nil {
		return ProbeResult{}, err
	}
	if tr != nil {
		t, err := tr.read()
		if err != nil {
			return ProbeResult{}, fmt.Errorf("trace: %w", err)
		}
		pr.traces = append(pr.traces, t)
	}
	return execAnswer(p, r.ExitCode, r.Stdout, r.TimedOut, time.Since(start)), nil
}

// merge adds what the exec probes' traces saw to t, the server's: their
// files are the image's too.
func (pr *prober) merge(t *traced) (*traced, error) {
	if len(pr.traces) == 0 {
		return t, nil
	}
	seen := map[string]bool{}
	var missing, accessed []string
	runs := map[string]int{}
	processes := 0
	for _, x := range append([]*traced{t}, pr.traces...) {
		for _, m := range x.missing {
			if !seen[m] {
				seen[m] = true
				missing = append(missing, m)
			}
		}
		accessed = append(accessed, x.accessed...)
		processes += x.processes
		for _, p := range x.programs {
			runs[p.Path] += p.Runs
		}
	}
	slices.Sort(accessed)
	m := &traced{missing: missing, accessed: slices.Compact(accessed), processes: processes}
	for _, name := range slices.Sorted(maps.Keys(runs)) {
		m.programs = append(m.programs, Program{Path: name, Runs: runs[name]})
	}
	return m, nil
}

// execAnswer is an exec probe's answer: its exit code and stdout, cut at
// MaxProbeBody (the masks apply later).
func execAnswer(p Probe, code int, stdout []byte, timedOut bool, elapsed time.Duration) ProbeResult {
	a := ProbeResult{Probe: p, ExitCode: code, Body: stdout, Elapsed: elapsed}
	if len(a.Body) > MaxProbeBody {
		a.Body, a.Truncated = a.Body[:MaxProbeBody], true
	}
	if timedOut {
		a.Error = fmt.Sprintf("no exit within %v", execProbeTimeout)
	}
	return a
}

// engineExec runs the exec probe p in the running container name with
// docker exec, which gives it the container's user, environment and
// working directory, and its namespaces.
func engineExec(ctx context.Context, name string, p Probe) (ProbeResult, error) {
	ctx, cancel := context.WithTimeout(ctx, execProbeTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "docker", append([]string{"exec", name}, p.Exec...)...)
	stdout, stderr := capped{max: MaxProbeBody + 1}, capped{max: 64 << 10}
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	cmd.WaitDelay = 2 * time.Second
	start := time.Now()
	err := cmd.Run()
	elapsed := time.Since(start)
	if ctx.Err() != nil {
		if errors.Is(ctx.Err(), context.Canceled) {
			return ProbeResult{}, ctx.Err()
		}
		return execAnswer(p, 128+int(syscall.SIGKILL), stdout.buf.Bytes(), true, elapsed), nil
	}
	if err != nil {
		if _, ok := errors.AsType[*exec.ExitError](err); !ok {
			return ProbeResult{}, fmt.Errorf("%w: docker exec: %w", ErrEngine, err)
		}
	}
	return execAnswer(p, cmd.ProcessState.ExitCode(), stdout.buf.Bytes(), false, elapsed), nil
}

// start starts cmd from a thread inside the namespace, so that its
// process is born there. A goroutine of its own, locked to its thread,
// enters the namespace and goes back, as [netns.dial] does; should going
// back fail, the thread ends with the goroutine. (cmd's parent-death
// signal follows the thread that started it: the thread lives on, back in
// the pool, while cmd runs.)
func (n *netns) start(cmd *exec.Cmd) error {
	ch := make(chan error, 1)
	go func() { ch <- inNetns(n.fd, cmd.Start) }()
	return <-ch
}
