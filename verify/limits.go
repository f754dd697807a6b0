package verify

import (
	"fmt"
	"strconv"
	"time"
)

// Limits bound what the sandbox's processes may take of the host. They are
// resource limits (setrlimit), set on the sandbox's first process and
// inherited by every process it starts.
type Limits struct {
	// Procs is how many processes the sandbox's user may have at once on
	// the host (RLIMIT_NPROC). It holds only when diet runs as root, so that
	// the sandbox has a user of its own ([SandboxID]); otherwise the count
	// would be the invoking user's, and Procs is not set.
	Procs int
	// Memory is the bytes of data each process may map (RLIMIT_DATA: heap
	// and private writable mappings, not reservations; a JVM or a Go
	// runtime reserving address space still starts).
	Memory int64
	// FileSize is the largest file a process may write (RLIMIT_FSIZE).
	FileSize int64
	// CPU is the processor time each process may use (RLIMIT_CPU).
	CPU time.Duration
}

// DefaultLimits are the limits of [Run] when [WithLimits] is not given.
var DefaultLimits = Limits{Procs: 1024, Memory: 8 << 30, FileSize: 4 << 30, CPU: 10 * time.Minute}

func (l Limits) validate() error {
	if l.Procs <= 0 || l.Memory <= 0 || l.FileSize <= 0 || l.CPU < time.Second {
		return fmt.Errorf("limits must be positive (CPU at least 1s), got %+v", l)
	}
	return nil
}

// prlimit is the util-linux prlimit command line that sets l, hard and soft,
// then execs what follows it; procs says whether RLIMIT_NPROC applies.
func (l Limits) prlimit(path string, procs bool) []string {
	set := func(name string, v int64) string {
		n := strconv.FormatInt(v, 10)
		return "--" + name + "=" + n + ":" + n
	}
	argv := []string{path,
		set("data", l.Memory), set("fsize", l.FileSize),
		set("cpu", int64((l.CPU+time.Second-1)/time.Second)), set("core", 0),
	}
	if procs {
		argv = append(argv, set("nproc", int64(l.Procs)))
	}
	return append(argv, "--")
}
