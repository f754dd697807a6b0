package verify

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// sandbox is one bwrap invocation: its arguments, given through a file
// rather than the command line so that the image's environment never shows
// in the host's process list, and the seccomp filter.
type sandbox struct {
	args, filter *os.File
}

// The descriptors bwrap reads, as the child sees them (ExtraFiles start at 3).
const (
	argsFD   = 3
	filterFD = 4
)

// newSandbox writes bwrap's options for running c as id over rootfs. The
// sandbox: a user namespace in which the command's uid and gid are the only
// ids, mapped to an unprivileged id of the host (hostID); new PID, network
// (loopback only), IPC, UTS and cgroup namespaces; rootfs bound read-write
// as / after pivot_root, nosuid and nodev, with a fresh /proc and a
// minimal /dev; no capabilities, no_new_privs, no further user namespaces;
// the seccomp filter; a new session (no terminal to inject into); killed
// when bwrap or its parent dies; and only env for environment.
//
// An exec probe's sandbox (probe) is the same but for two things: it
// keeps the network namespace it starts in, the server's, which the
// caller has entered, and its command is not pid 1 (bwrap's init reaps
// what it leaves), as under docker exec.
func newSandbox(rootfs, wd string, id ids, env []string, probe bool) (*sandbox, error) {
	filter, err := seccompFilter()
	if err != nil {
		return nil, err
	}
	args := []string{"--unshare-user", "--unshare-pid"}
	if !probe {
		args = append(args, "--unshare-net")
	}
	args = append(args, "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try", "--disable-userns")
	if !probe {
		args = append(args, "--as-pid-1") // the command is pid 1, as on the engine
	}
	args = append(args,
		"--uid", strconv.Itoa(id.uid), "--gid", strconv.Itoa(id.gid),
		"--bind", rootfs, "/", "--proc", "/proc", "--dev", "/dev",
		"--chdir", wd,
		"--cap-drop", "ALL", "--new-session", "--die-with-parent",
		"--seccomp", strconv.Itoa(filterFD), "--info-fd", strconv.Itoa(infoFD),
		"--clearenv",
	)
	for _, kv := range env {
		k, v, ok := strings.Cut(kv, "=")
		if ok && k != "" {
			args = append(args, "--setenv", k, v)
		}
	}
	var data []byte
	for _, a := range args {
		if strings.IndexByte(a, 0) >= 0 {
			return nil, fmt.Errorf("the command's environment holds a NUL byte: %q", a)
		}
		data = append(append(data, a...), 0)
	}
	sb := &sandbox{}
	if sb.args, err = memFile("diet-bwrap-args", data); err != nil {
		return nil, err
	}
	if sb.filter, err = memFile("diet-seccomp", filter); err != nil {
		sb.close()
		return nil, err
	}
	return sb, nil
}

// argv is the bwrap command line that runs command in the sandbox.
func (sb *sandbox) argv(bwrap string, command []string) []string {
	return append([]string{bwrap, "--args", strconv.Itoa(argsFD), "--"}, command...)
}

// files are the descriptors the sandbox's first process must inherit.
func (sb *sandbox) files() []*os.File { return []*os.File{sb.args, sb.filter} }

func (sb *sandbox) close() {
	for _, f := range sb.files() {
		if f != nil {
			f.Close()
		}
	}
}

// memFile is a file in memory holding data, read from its start.
func memFile(name string, data []byte) (*os.File, error) {
	fd, err := unix.MemfdCreate(name, unix.MFD_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("%w: memfd: %w", ErrNoSandbox, err)
	}
	f := os.NewFile(uintptr(fd), name)
	if _, err := f.Write(data); err != nil {
		f.Close()
		return nil, err
	}
	if _, err := f.Seek(0, 0); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}
