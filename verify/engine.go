package verify

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
)

// RunEngine runs c in the image tagged tag ("name:tag") of the docker-archive
// at archive, on the Docker engine: docker load, then a container with no
// network (--network none, --pull never) that runs exactly c.Argv (its first
// word as the entrypoint) with c.Env, c.WorkingDir and c.User. It is the
// oracle for [Run]: the same command should give the same [Result].
//
// What it adds it removes: the container always, and the tag unless the
// engine already had it, which then points again where it did. At the
// timeout ([WithTimeout]) the container is killed and the Result says
// TimedOut. [WithTrace] is ignored: Missing stays nil.
//
// Probes ([WithProbes], [WithPorts]) go as with [Run], from inside the
// container's network namespace (it has no network but its loopback):
// they need root, and the engine on this machine. An engine that
// refuses a request gives an [ErrEngine] error with its message.
func RunEngine(ctx context.Context, archive, tag string, c Command, opts ...Option) (*Result, error) {
	o, err := makeOptions(opts)
	if err == nil {
		var r *Result
		if r, err = runEngine(ctx, archive, tag, c, o); err == nil {
			return r, nil
		}
	}
	return nil, fmt.Errorf("run %q in %s (%s) on the engine: %w", c.Argv, tag, archive, err)
}

func runEngine(ctx context.Context, archive, tag string, c Command, o options) (*Result, error) {
	if len(c.Argv) == 0 {
		return nil, ErrNoCommand
	}
	if o.probing() {
		if err := checkNetnsAccess(); err != nil {
			return nil, err
		}
	}
	before, _ := docker(ctx, "image", "inspect", "--format", "{{.Id}}", tag)
	if _, err := docker(ctx, "load", "--input", archive); err != nil {
		return nil, err
	}
	defer restoreTag(tag, before)

	name := "diet-verify-" + strings.ToLower(rand.Text()[:12])
	args := []string{"create", "--name", name, "--network", "none", "--pull", "never", "--entrypoint", c.Argv[0]}
	for _, kv := range c.Env {
		if strings.Contains(kv, "=") { // a bare KEY would copy our own variable
			args = append(args, "--env", kv)
		}
	}
	if c.WorkingDir != "" {
		args = append(args, "--workdir", c.WorkingDir)
	}
	if c.User != "" {
		args = append(args, "--user", c.User)
	}
	args = append(append(args, "--", tag), c.Argv[1:]...)
	stop, err := watch(name)
	if err != nil {
		return nil, err
	}
	defer stop()
	if _, err := docker(ctx, args...); err != nil {
		return nil, err
	}
	defer cleanup("rm", "--force", name)

	tctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	sctx, stop := context.WithCancel(tctx) // stop: the probes are done
	defer stop()
	start := exec.CommandContext(sctx, "docker", "start", "--attach", name)
	start.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	var stdout, stderr capped
	start.Stdout, start.Stderr = &stdout, &stderr
	var killed, stopped atomic.Bool
	start.Cancel = func() error {
		if tctx.Err() != nil {
			killed.Store(true)
		} else {
			stopped.Store(true)
		}
		cleanup("kill", name) // killing the client alone leaves the container running
		return start.Process.Kill()
	}
	start.WaitDelay = 2 * time.Second
	begun := time.Now()
	if err := start.Start(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrEngine, err)
	}
	ended := make(chan struct{})
	go func() {
		start.Wait() // its status is the client's: the container's comes from inspect
		close(ended)
	}()
	r := &Result{}
	var nr *notReady
	var perr error
	if o.probing() {
		nr, perr = o.serve(tctx, r, func(ctx context.Context) (*netns, error) {
			return containerNetns(ctx, name, ended)
		}, ended, func(ctx context.Context, _ *netns, p Probe) (ProbeResult, error) {
			return engineExec(ctx, name, p)
		})
		if nr == nil || !nr.ended { // an ended container's client ends by itself
			stop()
		}
	}
	<-ended
	r.Elapsed = time.Since(begun)
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	if perr != nil {
		return nil, perr
	}
	r.Stdout, r.Stderr = stdout.buf.Bytes(), stderr.buf.Bytes()
	r.TimedOut, r.Stopped = killed.Load(), stopped.Load()
	if r.TimedOut || r.Stopped {
		r.ExitCode = 128 + 9 // SIGKILL, as docker kill reports it
	} else {
		code, err := docker(ctx, "inspect", "--format", "{{.State.ExitCode}}", name)
		if err != nil {
			return nil, err
		}
		if r.ExitCode, err = strconv.Atoi(code); err != nil {
			return nil, fmt.Errorf("%w: exit code %q", ErrEngine, code)
		}
	}
	if nr != nil {
		r.NotReady = nr.reason(r, &o)
	}
	return r, nil
}

// containerNetns opens the network namespace of the container name once
// it runs: that of its first process, whose pid the engine gives. That
// pid is ours only when the engine runs on this machine, in our PID
// namespace: the process must be in the container's cgroup.
func containerNetns(ctx context.Context, name string, ended <-chan struct{}) (*netns, error) {
	unseen := 0 // the pid the engine gave, and we did not find, that many times
	for {
		out, err := docker(ctx, "inspect", "--format", "{{.Id}} {{.State.Pid}} {{.State.Running}}", name)
		if err != nil {
			return nil, err
		}
		var id string
		var pid int
		var running bool
		if _, err := fmt.Sscan(out, &id, &pid, &running); err != nil {
			return nil, fmt.Errorf("%w: inspect %s: %q", ErrEngine, name, out)
		}
		if running && pid > 0 {
			cg, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cgroup")
			switch {
			case err == nil && bytes.Contains(cg, []byte(id)):
				return openNetns(pid)
			case err == nil || unseen > 1: // not a process of the container, or none that we see
				return nil, fmt.Errorf("%w: the container's process (pid %d) is not one of this machine's: probes need the engine on this machine, in diet's PID namespace", ErrEngine, pid)
			}
			unseen++ // it may have just ended
		}
		select {
		case <-ended:
			return nil, errEnded
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(readyPoll):
		}
	}
}

// docker runs the docker CLI and returns its trimmed stdout; a failure is
// an ErrEngine error with what the engine said.
func docker(ctx context.Context, args ...string) (string, error) {
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, "docker", args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			msg = err.Error()
		}
		if errors.Is(err, exec.ErrNotFound) {
			return "", fmt.Errorf("%w: %w", ErrEngine, err)
		}
		return "", fmt.Errorf("%w: docker %s: %s", ErrEngine, args[0], msg)
	}
	return strings.TrimSpace(stdout.String()), nil
}

// watch starts a watcher that removes the container name unless told, on
// its stdin, that we removed it ourselves: should we be killed, even by
// SIGKILL, its stdin closes unanswered and the container goes. It runs in a
// session of its own, so that a signal to our process group spares it. stop
// tells it and waits for it to end.
func watch(name string) (stop func(), err error) {
	cmd := exec.Command("sh", "-c", `IFS= read -r done; [ "$done" = removed ] || exec docker rm --force "$1" >/dev/null 2>&1`, "diet-verify-watch", name)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	w, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("%w: watcher: %w", ErrEngine, err)
	}
	return func() {
		fmt.Fprintln(w, "removed")
		w.Close()
		cmd.Wait()
	}, nil
}

// cleanup runs a docker command that must happen even when the run's
// context is done, and whose failure changes nothing for the caller.
func cleanup(args ...string) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	docker(ctx, args...)
}

// restoreTag undoes what docker load did to tag: it goes if it was not
// there, and points again at the image it named before otherwise. The loaded
// image itself goes with its last tag.
func restoreTag(tag, before string) {
	after, err := docker(context.Background(), "image", "inspect", "--format", "{{.Id}}", tag)
	switch {
	case err != nil || after == before:
	case before == "":
		cleanup("rmi", tag)
	default:
		cleanup("tag", before, tag)
		cleanup("rmi", after) // refused, and so kept, if other tags name it
	}
}
