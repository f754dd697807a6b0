//go:build unix

package fixproc

import (
	"os/exec"
	"syscall"
	"time"
)

// waitDelay is how long Wait waits, once the group is killed, for the
// output pipes to close before it closes them itself.
const waitDelay = 10 * time.Second

// KillGroup makes c the leader of a process group of its own and has a
// cancelled context kill the whole group with SIGKILL: debootstrap's
// wget, dpkg and maintainer scripts, go's compilers, docker's plugins,
// not only c. Call it before c starts.
func KillGroup(c *exec.Cmd) {
	c.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	c.Cancel = func() error { return syscall.Kill(-c.Process.Pid, syscall.SIGKILL) }
	c.WaitDelay = waitDelay
}
