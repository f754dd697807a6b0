package verify

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"strconv"
	"sync/atomic"
	"time"
)

// infoFD is where bwrap writes, once the sandbox exists, the pid (in our PID
// namespace) of the sandbox's init.
const infoFD = 5

// info reads bwrap's --info-fd: the sandbox's init is what the timeout kills,
// and its end is the end of every process of the sandbox (the kernel reaps a
// PID namespace before its init exits).
type info struct {
	r, w *os.File
	pid  atomic.Int64
	done chan struct{}
}

func newInfo() (*info, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	return &info{r: r, w: w, done: make(chan struct{})}, nil
}

// read closes our write end, the child having its own, and reads the pid
// on a goroutine that ends by [info.waitGone].
func (in *info) read() {
	in.w.Close()
	go func() {
		defer close(in.done)
		var v struct {
			Pid int64 `json:"child-pid"`
		}
		if json.NewDecoder(io.LimitReader(in.r, 4096)).Decode(&v) == nil {
			in.pid.Store(v.Pid)
		}
	}()
}

// wait returns the pid of the sandbox's init once bwrap has told it, or
// errEnded should the command end first.
func (in *info) wait(ctx context.Context, ended <-chan struct{}) (int, error) {
	select {
	case <-in.done:
	case <-ended:
	case <-ctx.Done():
		return 0, ctx.Err()
	}
	pid := in.pid.Load()
	if pid <= 0 {
		return 0, errEnded
	}
	return int(pid), nil
}

// waitGone returns once the sandbox's init has exited (and with it all of
// the sandbox), or after a bound that a dying namespace never needs.
func (in *info) waitGone() {
	in.r.SetReadDeadline(time.Now())
	<-in.done
	pid := in.pid.Load()
	if pid <= 0 {
		return
	}
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if !running(int(pid)) {
			return
		}
	}
}

func (in *info) close() {
	in.w.Close()
	in.r.Close()
}

// running says pid exists and is not a zombie.
func running(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	// pid (comm) state ...: comm may hold anything, even ")".
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] == ')' {
			return i+2 < len(b) && b[i+2] != 'Z' && b[i+2] != 'X'
		}
	}
	return false
}
