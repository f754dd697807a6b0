package verify

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"runtime"
	"strconv"

	"golang.org/x/sys/unix"
)

// netns is the network namespace of the sandbox or of the container, which
// probes connect from: its loopback is the server's, and it has no other
// network. A descriptor holds it, so that every connection goes to the
// same namespace even should the pid be reused.
type netns struct{ fd int }

// ownNetns identifies the network namespace diet started in, read before
// any thread of ours could have left it: a probe must never connect there.
var ownNetns, ownNetnsErr = nsID("/proc/self/ns/net")

// nsID is the device and inode that identify the namespace at path.
func nsID(path string) ([2]uint64, error) {
	var st unix.Stat_t
	if err := unix.Stat(path, &st); err != nil {
		return [2]uint64{}, err
	}
	return [2]uint64{st.Dev, st.Ino}, nil
}

// openNetns opens the network namespace of pid, which must not be ours.
// A pid that is gone gives [errEnded].
func openNetns(pid int) (*netns, error) {
	if ownNetnsErr != nil {
		return nil, fmt.Errorf("our network namespace: %w", ownNetnsErr)
	}
	path := "/proc/" + strconv.Itoa(pid) + "/ns/net"
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if errors.Is(err, unix.ENOENT) || errors.Is(err, unix.ESRCH) {
		return nil, errEnded
	}
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: path, Err: err}
	}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		unix.Close(fd)
		return nil, err
	}
	if [2]uint64{st.Dev, st.Ino} == ownNetns {
		unix.Close(fd)
		return nil, fmt.Errorf("process %d is in diet's own network namespace, not the sandbox's: no probe goes there", pid)
	}
	return &netns{fd: fd}, nil
}

func (n *netns) close() { unix.Close(n.fd) }

// errEnded: the command ended before its network namespace could be
// entered.
var errEnded = errors.New("the command ended")

// dial connects to addr, a loopback address, from inside the namespace. A
// goroutine of its own, locked to its thread, enters the namespace, dials
// (a socket belongs to the namespace it was made in, wherever it is used
// later) and goes back. Should going back fail, the thread stays locked,
// and Go ends it with the goroutine: no other code ever runs in the
// sandbox's network.
func (n *netns) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return nil, fmt.Errorf("%s: a probe reaches only the loopback of the sandbox", addr)
	}
	type dialed struct {
		c   net.Conn
		err error
	}
	ch := make(chan dialed, 1)
	go func() {
		var c net.Conn
		err := inNetns(n.fd, func() error {
			var d net.Dialer
			var err error
			c, err = d.DialContext(ctx, network, addr)
			return err
		})
		if err != nil && c != nil {
			c.Close()
			c = nil
		}
		ch <- dialed{c, err}
	}()
	d := <-ch
	return d.c, d.err
}

// inNetns runs fn on the calling goroutine's thread inside the network
// namespace fd, which it must call on a goroutine that ends afterwards.
func inNetns(fd int, fn func() error) error {
	runtime.LockOSThread()
	back, err := unix.Open("/proc/thread-self/ns/net", unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		runtime.UnlockOSThread()
		return &nsError{fmt.Errorf("open /proc/thread-self/ns/net: %w", err)}
	}
	defer unix.Close(back)
	if fd < 0 {
		fd = back
	}
	if err := unix.Setns(fd, unix.CLONE_NEWNET); err != nil {
		runtime.UnlockOSThread()
		if errors.Is(err, unix.EPERM) {
			return &nsError{fmt.Errorf("%w: setns: %w", ErrProbeAccess, err)}
		}
		return &nsError{fmt.Errorf("setns: %w", err)}
	}
	ferr := fn()
	if err := unix.Setns(back, unix.CLONE_NEWNET); err != nil {
		return errors.Join(ferr, &nsError{fmt.Errorf("setns back to our network namespace: %w", err)})
	}
	runtime.UnlockOSThread()
	return ferr
}

// nsError is a failure to enter or leave a network namespace, as opposed
// to a connection's: it ends the run rather than counting as not ready.
type nsError struct{ err error }

func (e *nsError) Error() string { return e.err.Error() }
func (e *nsError) Unwrap() error { return e.err }

// checkNetnsAccess tells, before anything runs, whether probes will be able
// to enter another network namespace: it enters our own, which takes the
// same privilege (CAP_SYS_ADMIN) and changes nothing.
func checkNetnsAccess() error {
	ch := make(chan error, 1)
	go func() { ch <- inNetns(-1, func() error { return nil }) }()
	return <-ch
}
