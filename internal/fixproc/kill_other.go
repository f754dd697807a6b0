//go:build !unix

package fixproc

import "os/exec"

// KillGroup does nothing where there are no process groups: a cancelled
// context kills only c, as exec.CommandContext does.
func KillGroup(*exec.Cmd) {}
