// Package verify proves that a slimmed image still runs like the original:
// it extracts an image's filesystem ([Extract]), runs a command of it in a
// sandbox over that filesystem ([Run]) or on the Docker engine
// ([RunEngine]), and compares two runs ([Compare]).
//
// Invariants:
//   - Nothing is written outside the target directory of [Extract]. Every
//     entry goes through an [os.Root]; absolute names, "..", and symlinks or
//     hard links that lead out stop the extraction with an error naming the
//     layer and the entry, never a silent skip. A later entry replaces an
//     earlier one and is never written through it.
//   - Memory grows with the number of paths of one layer (opaque markers
//     must spare what their own layer wrote) and of directories of the image
//     (their modes and times are applied last), never with the number of
//     bytes: file bodies stream from the layer to the disk.
//   - [Run] changes only the rootfs it is given, a scratch copy: it makes
//     /proc, /dev and the working directory there. Its mounts live in the
//     sandbox's own mount namespace and die with it; a trace file of its own
//     is the only thing it writes elsewhere, and it removes it.
//   - When [Run] returns, no process of the sandbox is left: the timeout
//     kills the sandbox's PID namespace, and Run waits for it to be gone.
//   - [RunEngine] removes what it adds to the engine: the container always,
//     the tag unless it was there before.
//   - The sandbox matches the engine where a command can tell: PATH and HOME
//     defaults, the user and group from the image's /etc/passwd and
//     /etc/group, the working directory made when missing, exit codes 126,
//     127 and 128+signal, no network but loopback, /tmp as the image has it
//     (none, if it has none: a slimmed image that lost its /tmp must fail
//     here as it would there). It differs in what no verification should
//     rest on: no supplementary groups, no /sys, no /etc/hosts or
//     /etc/resolv.conf, the host's hostname, and the full capabilities of
//     root.
//   - The sandbox contains accidents, not attacks: a command running as
//     root can leave a chroot. Verify images you would run anyway.
//   - The library prints nothing and starts no goroutine that outlives a
//     call.
package verify
