// Package verify proves that a slimmed image still runs like the original:
// it runs a command of an image in a sandbox over its extracted filesystem
// ([Run]; package rootfs extracts it, into a directory made by [TempDir])
// or on the Docker engine ([RunEngine]), and compares two runs ([Compare]).
// A server is judged by what it serves: with probes ([WithProbes],
// [ParseProbe]) a run waits until the server accepts connections, sends
// it HTTP requests or runs commands beside it (exec probes), keeps the
// answers and stops it.
//
// Invariants:
//   - [Run] changes only the rootfs it is given, a scratch copy: it makes
//     /proc, /dev and the working directory there and gives every file to
//     the sandbox's user. A trace directory of its own is the only thing it
//     writes elsewhere, and it removes it.
//   - Image code never acts on the host. [Run] is bubblewrap: a user
//     namespace where the image's root is an unprivileged id of the host
//     ([SandboxID] under root), pivot_root into the rootfs (nosuid,
//     nodev), new PID, network (loopback only), IPC, UTS and cgroup
//     namespaces, no capabilities, no_new_privs, no new user namespaces, a
//     seccomp filter (mounts, modules, keys, BPF, kexec, ptrace, clocks,
//     swap, namespaces), a fresh /proc, a minimal /dev, resource limits
//     ([Limits]: processes, memory, file size, CPU time). The image's
//     environment reaches the command only; the host's tools (bwrap,
//     prlimit, strace) run with one of their own. strace traces from
//     outside every namespace, as the sandbox's unprivileged user.
//   - What the sandbox does not hide: the kernel itself (a kernel bug
//     reachable by an unprivileged user is reachable from inside), the
//     host's CPU and memory within the limits, the host's hostname and
//     kernel version, and the contents of the rootfs given to it.
//   - A trace ([WithTrace]) is read as hostile input: the names in it are
//     the traced code's. A line that is not exactly the shape strace gives
//     is skipped, escapes other than strace's are refused, lines, calls
//     left unfinished and the names kept are bounded in bytes (too many
//     distinct names is an error), and relative names resolve only against a
//     directory the kernel printed or the command's own chdir.
//   - When [Run] returns, no process of the sandbox is left: the timeout
//     kills the sandbox's init, and Run waits for its PID namespace to be
//     gone. Should the caller die, even by SIGKILL, the sandbox dies with
//     it (parent-death signals down the chain, bwrap's --die-with-parent).
//   - Probes reach the server and nothing else: diet connects from inside
//     the network namespace of the sandbox (or of the container, which
//     runs with --network none), whose only network is its loopback, to
//     loopback addresses only, with no proxy and no redirect followed. A
//     thread of diet enters the namespace to make each socket and goes
//     back; one that cannot go back is discarded. The image's code
//     reaches no network of the host, and the host's loopback is not the
//     sandbox's. Entering a namespace takes root ([ErrProbeAccess]).
//   - An exec probe is image code, and runs in the sandbox too: a second
//     bubblewrap sandbox over the same rootfs, with the server's user,
//     environment, limits and seccomp filter, and a PID namespace of its
//     own (nothing it starts outlives it), started from a thread of diet
//     that has entered the server's network namespace, which is then its
//     only network. It is killed at its timeout; its stdout is bounded. On
//     the engine it is docker exec.
//   - [RunEngine] removes what it adds to the engine: the container always
//     (by a watcher process should the caller be killed), the tag unless
//     it was there before.
//   - The sandbox matches the engine where a command can tell: PATH and HOME
//     defaults, the user and group from the image's /etc/passwd and
//     /etc/group, the command as PID 1, the working directory made when
//     missing, exit codes 126, 127 and 128+signal, no network but
//     loopback, /tmp as the image has it (none, if it has none: a slimmed
//     image that lost its /tmp must fail here as it would there). It differs
//     in what no verification should rest on: no supplementary groups, no
//     /sys, no /etc/hosts or /etc/resolv.conf, the host's hostname, every
//     file owned by the command's user (one id is mapped), and no
//     capabilities even for root.
//   - The library prints nothing and starts no goroutine that outlives a
//     call.
package verify
