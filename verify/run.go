package verify

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"syscall"
	"time"
)

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
}

// MaxOutput bounds what a [Result] keeps of each of stdout and stderr.
const MaxOutput = 16 << 20

// Run runs c in a sandbox over rootfs, an extracted image (see [Extract])
// that Run may change: it is a scratch copy. The sandbox is a chroot into
// rootfs in fresh mount, PID, network, UTS and IPC namespaces, made by
// util-linux's unshare: the command sees its own /proc, only a loopback
// network, and a minimal /dev (null, zero, full, random, urandom, tty, the
// fd links and shm) that Run makes in rootfs. It runs as c.User with
// c.Env (PATH and HOME added when missing) in c.WorkingDir, with no
// supplementary groups and stdin empty.
//
// When the timeout expires ([WithTimeout]) every process of the sandbox is
// killed, and Run returns once they are gone. Run needs root: elsewhere the
// error is [ErrNoSandbox]. The sandbox keeps accidents in, not attacks: a
// command running as root can leave a chroot.
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
	if uid := os.Geteuid(); uid != 0 {
		return nil, fmt.Errorf("%w: namespaces and chroot need root, and this is uid %d", ErrNoSandbox, uid)
	}
	unshare, err := exec.LookPath("unshare")
	if err != nil {
		return nil, fmt.Errorf("%w: %w (install util-linux)", ErrNoSandbox, err)
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
	wd := workdir(c.WorkingDir)
	if err := prepare(root, wd); err != nil {
		return nil, err
	}
	argv := append([]string{unshare,
		"--fork", "--kill-child", "--pid", "--mount", "--net", "--uts", "--ipc", "--propagation=private",
		"--root=" + abs, "--wd=" + wd, "--mount-proc=/proc",
		"--setgid=" + strconv.Itoa(id.gid), "--setuid=" + strconv.Itoa(id.uid), "--"}, c.Argv...)
	var tr *trace
	if o.trace {
		if tr, err = newTrace(wd); err != nil {
			return nil, err
		}
		if tr != nil {
			defer tr.close()
			argv = tr.wrap(argv)
		}
	}
	// TODO(diet): the image's environment reaches the host's unshare (and
	// strace) before it reaches the command, so an image's LD_PRELOAD or
	// LD_LIBRARY_PATH is seen by the host's loader too: harmless but for a
	// loader warning on stderr. Passing it cleanly needs a helper of our own
	// (a static init, or a re-exec of diet) to exec the command.
	r, err := execute(ctx, argv, environ(c.Env, id.home), o.timeout)
	if err != nil {
		return nil, err
	}
	if tr != nil {
		if r.Missing, err = tr.missing(); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// execute runs argv, the sandbox's outermost process, as the leader of a
// new process group, and kills the sandbox at the timeout.
func execute(ctx context.Context, argv, env []string, timeout time.Duration) (*Result, error) {
	tctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(tctx, argv[0], argv[1:]...)
	cmd.Env, cmd.Dir = env, "/"
	var stdout, stderr capped
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	// Pdeathsig: should we die, unshare dies, and --kill-child takes the
	// whole PID namespace with it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	var killed atomic.Bool
	cmd.Cancel = func() error {
		killed.Store(true)
		return killSandbox(cmd.Process.Pid)
	}
	cmd.WaitDelay = 2 * time.Second
	start := time.Now()
	err := cmd.Run()
	elapsed := time.Since(start)
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	if cmd.ProcessState == nil {
		return nil, err // it never started
	}
	if err != nil && !errors.Is(err, exec.ErrWaitDelay) {
		if _, ok := errors.AsType[*exec.ExitError](err); !ok {
			return nil, err
		}
	}
	r := &Result{
		ExitCode: exitCode(cmd.ProcessState),
		Stdout:   stdout.buf.Bytes(),
		Stderr:   stderr.buf.Bytes(),
		TimedOut: killed.Load(),
		Elapsed:  elapsed,
	}
	killedBySIGKILL(r)
	if err := setupError(r); err != nil {
		return nil, err
	}
	return r, nil
}

// unshareKilled is what unshare says, and exits 1 with, when its child dies
// of SIGKILL: it passes other deaths by signal on by raising the same signal,
// which SIGKILL cannot be.
var unshareKilled = []byte("unshare: sigprocmask unblock failed")

// killedBySIGKILL gives a run whose init died of SIGKILL (the timeout, the
// OOM killer) the status the engine gives it, 137, and drops unshare's
// complaint from its stderr.
func killedBySIGKILL(r *Result) {
	// unshare's complaint is then the last line.
	last := bytes.LastIndexByte(bytes.TrimSuffix(r.Stderr, []byte("\n")), '\n') + 1
	if r.ExitCode == 1 && bytes.HasPrefix(r.Stderr[last:], unshareKilled) {
		r.Stderr, r.ExitCode = r.Stderr[:last], 128+int(syscall.SIGKILL)
	}
	if r.TimedOut {
		r.ExitCode = 128 + int(syscall.SIGKILL)
	}
}

// setupError tells the sandbox's own failures from the command's: unshare
// and strace report theirs with status 1 and their name first on stderr,
// while a program that cannot be run gives 126 or 127, as in the engine.
func setupError(r *Result) error {
	if r.ExitCode != 1 || r.TimedOut {
		return nil
	}
	for _, tool := range []string{"unshare: ", "strace: "} {
		if bytes.HasPrefix(r.Stderr, []byte(tool)) {
			line, _, _ := bytes.Cut(r.Stderr, []byte("\n"))
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

// capped keeps the first MaxOutput bytes written to it and drops the rest.
type capped struct{ buf bytes.Buffer }

// Write implements io.Writer.
func (c *capped) Write(p []byte) (int, error) {
	if room := MaxOutput - c.buf.Len(); room > 0 {
		c.buf.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}
