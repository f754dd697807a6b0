package story

import (
	"os/exec"
	"syscall"
	"time"
)

// killGroup makes c the leader of a process group and has a cancelled
// context kill the whole group: go's compilers, not only go.
func killGroup(c *exec.Cmd) {
	c.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	c.Cancel = func() error { return syscall.Kill(-c.Process.Pid, syscall.SIGKILL) }
	c.WaitDelay = 10 * time.Second
}
