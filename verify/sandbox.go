package verify

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"strconv"
	"strings"
	"syscall"
)

// devices are the nodes of the sandbox's /dev, as the engine gives them.
var devices = []struct {
	name         string
	major, minor int
}{
	{"null", 1, 3}, {"zero", 1, 5}, {"full", 1, 7}, {"random", 1, 8}, {"urandom", 1, 9}, {"tty", 5, 0},
}

// devLinks are the symlinks of the sandbox's /dev.
var devLinks = []struct{ name, target string }{
	{"fd", "/proc/self/fd"}, {"stdin", "/proc/self/fd/0"}, {"stdout", "/proc/self/fd/1"}, {"stderr", "/proc/self/fd/2"},
}

// prepare makes in root what the sandbox mounts or needs: /proc as an empty
// directory, /dev with its nodes (made with mknod: they live and die with
// the scratch rootfs, and no mount can outlive a run), and the working
// directory. Whatever the image has at those names is replaced, so none
// of them is a symlink when the kernel resolves it.
func prepare(root *os.Root, wd string) error {
	if err := realDir(root, "proc", 0o555); err != nil {
		return err
	}
	if err := realDir(root, "dev", 0o755); err != nil {
		return err
	}
	dev, err := root.Open("dev")
	if err != nil {
		return err
	}
	defer dev.Close()
	for _, d := range devices {
		name := "dev/" + d.name
		if err := root.RemoveAll(name); err != nil {
			return err
		}
		if err := syscall.Mknodat(int(dev.Fd()), d.name, syscall.S_IFCHR|0o666, d.major<<8|d.minor); err != nil {
			return fmt.Errorf("%w: mknod /%s: %w", ErrNoSandbox, name, err)
		}
		if err := root.Chmod(name, 0o666); err != nil { // mknod obeyed our umask
			return err
		}
	}
	for _, l := range devLinks {
		name := "dev/" + l.name
		if err := root.RemoveAll(name); err != nil {
			return err
		}
		if err := root.Symlink(l.target, name); err != nil {
			return err
		}
	}
	if err := realDir(root, "dev/shm", 0o777|fs.ModeSticky); err != nil {
		return err
	}
	if wd != "/" {
		return root.MkdirAll(strings.TrimPrefix(wd, "/"), 0o755)
	}
	return nil
}

// realDir makes name a directory with mode, replacing anything else there.
func realDir(root *os.Root, name string, mode fs.FileMode) error {
	fi, err := root.Lstat(name)
	switch {
	case err == nil && fi.IsDir():
		return root.Chmod(name, mode)
	case err == nil:
		if err := root.Remove(name); err != nil {
			return err
		}
	case !errors.Is(err, fs.ErrNotExist):
		return err
	}
	if err := root.Mkdir(name, mode.Perm()); err != nil {
		return err
	}
	return root.Chmod(name, mode) // Mkdir obeyed our umask, and knows no sticky bit
}

// killSandbox kills, with SIGKILL, the processes of leader's group that run
// in another PID namespace than ours: the sandbox's init among them, whose
// death takes every process of its namespace along. The leader (unshare, or
// strace over it) then reaps it and exits by itself, so that when Wait
// returns nothing of the sandbox is left; WaitDelay kills the leader should
// it linger. Before unshare has forked there is no such process, and the
// whole group goes.
func killSandbox(leader int) error {
	ours, err := os.Readlink("/proc/self/ns/pid")
	if err != nil {
		return syscall.Kill(-leader, syscall.SIGKILL)
	}
	procs, err := os.ReadDir("/proc")
	if err != nil {
		return syscall.Kill(-leader, syscall.SIGKILL)
	}
	n := 0
	for _, p := range procs {
		pid, err := strconv.Atoi(p.Name())
		if err != nil || pid == leader || pgrp(pid) != leader {
			continue
		}
		if ns, err := os.Readlink(path.Join("/proc", p.Name(), "ns/pid")); err == nil && ns != ours {
			syscall.Kill(pid, syscall.SIGKILL)
			n++
		}
	}
	if n == 0 {
		return syscall.Kill(-leader, syscall.SIGKILL)
	}
	return nil
}

// pgrp is the process group of pid, or -1.
func pgrp(pid int) int {
	b, err := os.ReadFile(path.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return -1
	}
	// pid (comm) state ppid pgrp ...: comm may hold anything, even ")".
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 {
		return -1
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 3 {
		return -1
	}
	g, err := strconv.Atoi(f[2])
	if err != nil {
		return -1
	}
	return g
}
