package verify

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/dietimage/diet/elfdeps"
)

// Program is a program a traced run executed: its absolute path inside
// the image, as the exec named it, and how many times it was executed.
type Program struct {
	Path string
	Runs int
}

// Result is how a command ran.
type Result struct {
	// ExitCode is the command's exit status, or 128 plus the signal that
	// killed it, as a shell and the engine report it (137 for SIGKILL). A
	// program that cannot be found is 127, one that cannot be executed 126.
	ExitCode int
	// Stdout and Stderr are what the command wrote, each cut at
	// [MaxOutput] bytes.
	Stdout, Stderr []byte
	// TimedOut says the command was killed at the timeout.
	TimedOut bool
	// Elapsed is the wall time from starting the sandbox to its end:
	// start-up included, so that runs over two rootfs compare.
	Elapsed time.Duration
	// Missing lists, best effort, the absolute paths inside the image that
	// the command looked for and did not find, in the order it first looked,
	// each once. It is nil unless the run was traced ([WithTrace]).
	Missing []string
	// Accessed lists the absolute paths inside the image that the
	// command's processes named in a successful call: opened (so mapped
	// or listed), executed, stat'd, read as a link, changed, sorted and
	// each once, as named (through symlinks) and, for what was opened, as
	// the kernel resolved it. /proc, /dev and /sys are left out: they are
	// the sandbox's. What the kernel opens by itself, such as a program's
	// ELF interpreter, is not seen. It is nil unless Traced.
	Accessed []string
	// Traced says the run was traced ([WithTrace], with strace installed):
	// Missing, Accessed, Processes and Programs say what strace saw.
	Traced bool
	// Processes counts the command's processes (its own and its
	// children's, the exec probes' too); 0 unless Traced.
	Processes int
	// Programs are the programs the processes executed, by path, sorted;
	// nil unless Traced.
	Programs []Program

	// Ports are the ports the command, a server, had to accept connections
	// on to be ready ([WithPorts], or the probes' ports); nil when the run
	// had no probes and no ports.
	Ports []int
	// Ready says the server accepted a connection on every port of Ports
	// within the readiness timeout ([WithReadyTimeout]).
	Ready bool
	// NotReady says why not, when Ports is set and Ready false, the same
	// way from run to run: "port 8080 refused connections for 5s".
	NotReady string
	// Probes are the answers to the probes ([WithProbes]), in order; nil
	// unless Ready.
	Probes []ProbeResult
	// Stopped says the server was still running once its probes were done,
	// or once its readiness timeout expired, and was killed then
	// (ExitCode 137): how a server's run ends when nothing went wrong.
	Stopped bool
}

// MaxOutput bounds what a [Result] keeps of each of stdout and stderr.
const MaxOutput = 16 << 20

// Run runs c in a sandbox over rootfs, an extracted image (see rootfs.Extract)
// that Run may change: it is a scratch copy, which must sit in a directory
// the sandbox's user can enter (make it with [TempDir]).
//
// The sandbox is bubblewrap (bwrap), the one Flatpak uses: the command runs
// in a user namespace of its own, as c.User's uid and gid, which are an
// unprivileged id on the host ([SandboxID] when diet runs as root, else the
// invoking user); every file of rootfs is given to that id first. It has
// fresh PID, network (loopback only), IPC, UTS and cgroup namespaces,
// rootfs as / (nosuid, nodev) after pivot_root, its own /proc and a minimal
// /dev (null, zero, full, random, urandom, tty, ptmx, pts, shm, the fd
// links), no capabilities, no_new_privs, no new user namespaces, a seccomp
// filter that refuses mounts, modules, keys, BPF, kexec, ptrace, clock and
// swap changes and namespace calls, and the resource limits of
// [WithLimits]. c.Env (PATH and HOME added when missing) reaches the command
// only: bwrap, strace and prlimit run on the host with an environment of
// their own. It runs in c.WorkingDir, with no supplementary groups and
// stdin empty.
//
// With probes or readiness ports ([WithProbes], [WithPorts]) the command
// is a server: Run waits until it accepts connections on every readiness
// port, sends each probe in order, then kills every process of the sandbox,
// and the [Result] says Ready and holds the answers. diet connects from
// inside the sandbox's network namespace, whose only network is its
// loopback, and nowhere else: that takes root ([ErrProbeAccess]).
//
// When the timeout expires ([WithTimeout]) every process of the sandbox is
// killed, and Run returns once they are gone. Should the caller die, even by
// SIGKILL, the sandbox dies with it. The error is [ErrNoSandbox] where the
// sandbox cannot be built (no bwrap, or the kernel allows no user
// namespaces).
func Run(ctx context.Context, rootfs string, c Command, opts ...Option) (*Result, error) {
	o, err := makeOptions(opts)
	if err == nil {
		var r *Result
		if r, err = run(ctx, rootfs, c, o); err == nil {
			return r, nil
		}
	}
	return nil, fmt.Errorf("run %q in %s: %w", c.Argv, rootfs, err)
}

func run(ctx context.Context, rootfs string, c Command, o options) (*Result, error) {
	if len(c.Argv) == 0 {
		return nil, ErrNoCommand
	}
	if o.probing() {
		if err := checkNetnsAccess(); err != nil {
			return nil, err
		}
	}
	tools, err := lookTools()
	if err != nil {
		return nil, err
	}
	abs, err := filepath.Abs(rootfs)
	if err != nil {
		return nil, err
	}
	root, err := os.OpenRoot(abs)
	if err != nil {
		return nil, err
	}
	defer root.Close()
	id, err := lookupUser(root, c.User)
	if err != nil {
		return nil, err
	}
	host, switchTo := hostID()
	if err := reachable(abs, host); err != nil {
		return nil, err
	}
	wd := workdir(c.WorkingDir)
	if err := prepare(root, wd, host, switchTo); err != nil {
		return nil, err
	}
	sb, err := newSandbox(abs, wd, id, environ(c.Env, id.home), false)
	if err != nil {
		return nil, err
	}
	defer sb.close()
	argv := sb.argv(tools.bwrap, c.Argv)
	var tr *trace
	if o.trace && tools.strace != "" {
		if tr, err = newTrace(tools.strace, wd, host, switchTo); err != nil {
			return nil, err
		}
		defer tr.close()
		argv = tr.wrap(argv)
	}
	argv = append(o.limits.prlimit(tools.prlimit, switchTo), argv...)
	pr := &prober{tools: tools, rootfs: abs, wd: wd, id: id, env: environ(c.Env, id.home),
		host: host, switchTo: switchTo, limits: o.limits, trace: tr != nil}
	r, err := execute(ctx, argv, sb.files(), host, switchTo, &o, nil, pr.exec)
	if err != nil {
		return nil, err
	}
	if tr != nil {
		t, err := tr.read()
		if err != nil {
			return nil, fmt.Errorf("trace: %w", err)
		}
		if t, err = pr.merge(t); err != nil {
			return nil, fmt.Errorf("trace: %w", err)
		}
		r.Missing, r.Accessed, r.Traced = t.missing, t.accessed, true
		r.Processes, r.Programs = t.processes, t.programs
	}
	return r, nil
}

// tools are the host programs the sandbox is made of.
type tools struct{ bwrap, prlimit, strace string }

func lookTools() (tools, error) {
	var t tools
	var err error
	if t.bwrap, err = exec.LookPath("bwrap"); err != nil {
		return t, fmt.Errorf("%w: %w (install bubblewrap)", ErrNoSandbox, err)
	}
	if t.prlimit, err = exec.LookPath("prlimit"); err != nil {
		return t, fmt.Errorf("%w: %w (install util-linux)", ErrNoSandbox, err)
	}
	t.strace, _ = exec.LookPath("strace") // without it, runs go untraced
	return t, nil
}

// hostEnv is the whole environment of the host programs of the sandbox:
// none of ours, none of the image's. Their PATH is the one a container
// gets by default, which holds every directory a host keeps them in.
var hostEnv = []string{"PATH=" + elfdeps.DefaultPath, "LC_ALL=C"}

// execute runs argv, the sandbox's outermost process, as host (an
// unprivileged id) when switchTo, as the leader of a new process group, and
// kills the sandbox at the timeout, or once the server's probes are done
// (execProbe runs the exec probes). It starts argv in the network namespace ns,
// when not nil: that of a server, for an exec probe.
func execute(ctx context.Context, argv []string, files []*os.File, host int, switchTo bool, o *options, ns *netns, execProbe execFunc) (*Result, error) {
	tctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	sctx, stop := context.WithCancel(tctx) // stop: the probes are done
	defer stop()
	cmd := exec.CommandContext(sctx, argv[0], argv[1:]...)
	cmd.Env, cmd.Dir = hostEnv, "/"
	stdout, stderr := capped{max: o.maxOutput()}, capped{max: o.maxOutput()}
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	info, err := newInfo()
	if err != nil {
		return nil, err
	}
	defer info.close()
	cmd.ExtraFiles = append(slices.Clone(files), info.w)
	// Pdeathsig: should we die, the outermost process dies, and bwrap's
	// --die-with-parent takes the sandbox's PID namespace with it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if switchTo {
		cmd.SysProcAttr.Credential = &syscall.Credential{Uid: uint32(host), Gid: uint32(host), Groups: []uint32{}}
	}
	var killed, stopped atomic.Bool
	cmd.Cancel = func() error {
		if tctx.Err() != nil {
			killed.Store(true)
		} else {
			stopped.Store(true)
		}
		if pid := info.pid.Load(); pid > 0 {
			// Its init's death ends the sandbox's PID namespace, and
			// bwrap (and strace over it) then exit by themselves.
			return syscall.Kill(int(pid), syscall.SIGKILL)
		}
		return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
	cmd.WaitDelay = 2 * time.Second
	startCmd := cmd.Start
	if ns != nil {
		startCmd = func() error { return ns.start(cmd) }
	}
	start := time.Now()
	if err := startCmd(); err != nil {
		if _, ok := errors.AsType[*nsError](err); ok {
			if cmd.Process != nil { // started, but our thread could not come back
				syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
				cmd.Wait()
			}
			return nil, err
		}
		return nil, fmt.Errorf("%w: %w", ErrNoSandbox, err)
	}
	info.read()
	ended := make(chan struct{})
	var werr error
	go func() {
		werr = cmd.Wait()
		close(ended)
	}()
	r := &Result{}
	var nr *notReady
	var perr error
	if o.probing() {
		nr, perr = o.serve(tctx, r, func(ctx context.Context) (*netns, error) {
			pid, err := info.wait(ctx, ended)
			if err != nil {
				return nil, err
			}
			return openNetns(pid)
		}, ended, execProbe)
		// A sandbox whose init is gone ends by itself: stopping it now
		// would record a kill (137) instead of the command's own status.
		if nr == nil || !nr.ended {
			stop()
		}
	}
	<-ended
	elapsed := time.Since(start)
	info.waitGone()
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	if perr != nil {
		return nil, perr
	}
	if werr != nil && !errors.Is(werr, exec.ErrWaitDelay) {
		if _, ok := errors.AsType[*exec.ExitError](werr); !ok {
			return nil, werr
		}
	}
	r.ExitCode = exitCode(cmd.ProcessState)
	r.Stdout, r.Stderr = stdout.buf.Bytes(), stderr.buf.Bytes()
	r.TimedOut, r.Stopped = killed.Load(), stopped.Load()
	r.Elapsed = elapsed
	if r.TimedOut || r.Stopped {
		r.ExitCode = 128 + int(syscall.SIGKILL)
	}
	if err := setupError(r); err != nil {
		return nil, err
	}
	if nr != nil {
		r.NotReady = nr.reason(r, o)
	}
	return r, nil
}

// setupError tells the sandbox's own failures from the command's: bwrap,
// strace and prlimit report theirs with status 1 and their name first on
// stderr. A command that bwrap cannot exec gets the engine's status
// instead: 127 when it is not there, 126 when it cannot run.
func setupError(r *Result) error {
	if r.ExitCode != 1 || r.TimedOut || r.Stopped {
		return nil
	}
	line, _, _ := bytes.Cut(r.Stderr, []byte("\n"))
	if bytes.HasPrefix(line, []byte("bwrap: execvp ")) {
		r.ExitCode = 126
		if bytes.HasSuffix(line, []byte(": No such file or directory")) {
			r.ExitCode = 127
		}
		return nil
	}
	for _, tool := range []string{"bwrap: ", "strace: ", "prlimit: "} {
		if bytes.HasPrefix(line, []byte(tool)) {
			return fmt.Errorf("%w: %s", ErrNoSandbox, line)
		}
	}
	return nil
}

// exitCode is the status as a shell reports it.
func exitCode(ps *os.ProcessState) int {
	if ws, ok := ps.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return ps.ExitCode()
}

// capped keeps the first max bytes written to it (0: [MaxOutput]) and
// drops the rest.
type capped struct {
	buf bytes.Buffer
	max int
}

// Write implements io.Writer.
func (c *capped) Write(p []byte) (int, error) {
	if c.max == 0 {
		c.max = MaxOutput
	}
	if room := c.max - c.buf.Len(); room > 0 {
		c.buf.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}
