package verify

import "errors"

// Causes of the errors of this package, for [errors.Is].
var (
	// ErrNoCommand: neither an override, nor the image's Entrypoint or Cmd,
	// names a program to run.
	ErrNoCommand = errors.New("no command: the image has no Entrypoint and no Cmd")
	// ErrNoSandbox: this machine cannot build the sandbox (no bubblewrap
	// or util-linux prlimit, the kernel refused a user namespace or a
	// mount, the rootfs is out of the sandbox user's reach, or strace could
	// not trace).
	ErrNoSandbox = errors.New("no sandbox")
	// ErrUnknownUser: the user or group of a command is a name that the
	// image's /etc/passwd or /etc/group does not list.
	ErrUnknownUser = errors.New("unknown user or group")
	// ErrEngine: the Docker engine refused a request of RunEngine.
	ErrEngine = errors.New("docker engine")
	// ErrProbeAccess: probes connect from inside the network namespace of
	// the sandbox or of the container, and this process may not enter one:
	// that takes root, or CAP_SYS_ADMIN (and CAP_SYS_PTRACE to open the
	// namespace of a process of another user).
	ErrProbeAccess = errors.New("probes need root (or CAP_SYS_ADMIN and CAP_SYS_PTRACE): they connect from inside the network namespace of the sandbox or of the container")
)
