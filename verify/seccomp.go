package verify

import (
	"encoding/binary"
	"fmt"
	"slices"

	"golang.org/x/sys/unix"
)

// The seccomp filter is defence in depth: the sandbox's processes have no
// capabilities, so most of these calls fail anyway. It refuses, with EPERM,
// the calls that reach the kernel's most exposed or most global parts —
// mounts, modules, keys, BPF, kexec, tracing other processes, clocks,
// swap, new namespaces — and kills a process that makes calls of another
// architecture (x32, i386), which would bypass the table.

// bpf is a classic BPF instruction in the kernel's struct sock_filter layout.
type bpf struct {
	code   uint16
	jt, jf uint8
	k      uint32
}

const (
	seccompData = 0 // offset of the syscall number in struct seccomp_data
	seccompArch = 4 // offset of the architecture
	retAllow    = unix.SECCOMP_RET_ALLOW
	retKill     = unix.SECCOMP_RET_KILL_PROCESS
	retEPERM    = unix.SECCOMP_RET_ERRNO | uint32(unix.EPERM)
)

// deniedCommon are the calls refused on every architecture.
var deniedCommon = []uint32{
	unix.SYS_ACCT, unix.SYS_ADD_KEY, unix.SYS_BPF, unix.SYS_CHROOT,
	unix.SYS_CLOCK_ADJTIME, unix.SYS_CLOCK_SETTIME, unix.SYS_DELETE_MODULE,
	unix.SYS_FINIT_MODULE, unix.SYS_FSCONFIG, unix.SYS_FSMOUNT, unix.SYS_FSOPEN,
	unix.SYS_FSPICK, unix.SYS_INIT_MODULE, unix.SYS_KCMP, unix.SYS_KEXEC_FILE_LOAD,
	unix.SYS_KEXEC_LOAD, unix.SYS_KEYCTL, unix.SYS_MOUNT, unix.SYS_MOUNT_SETATTR,
	unix.SYS_MOVE_MOUNT, unix.SYS_NAME_TO_HANDLE_AT, unix.SYS_OPEN_BY_HANDLE_AT,
	unix.SYS_OPEN_TREE, unix.SYS_PERF_EVENT_OPEN, unix.SYS_PIVOT_ROOT,
	unix.SYS_PROCESS_VM_READV, unix.SYS_PROCESS_VM_WRITEV, unix.SYS_PTRACE,
	unix.SYS_QUOTACTL, unix.SYS_REBOOT, unix.SYS_REQUEST_KEY, unix.SYS_SETNS,
	unix.SYS_SETTIMEOFDAY, unix.SYS_SWAPOFF, unix.SYS_SWAPON, unix.SYS_SYSLOG,
	unix.SYS_UMOUNT2, unix.SYS_UNSHARE, unix.SYS_USERFAULTFD, unix.SYS_VHANGUP,
	unix.SYS_ADJTIMEX, unix.SYS_LOOKUP_DCOOKIE,
}

// seccompFilter is the filter's program, as bwrap's --seccomp reads it.
func seccompFilter() ([]byte, error) {
	if auditArch == 0 {
		return nil, fmt.Errorf("%w: no seccomp filter for this architecture", ErrNoSandbox)
	}
	denied := slices.Concat(deniedCommon, deniedArch)
	// Layout: arch check, load the number, [foreign-ABI check], one
	// comparison per denied call, allow, EPERM, kill.
	var prog []bpf
	n := len(denied)
	tail := func(at, target int) uint8 { return uint8(target - at - 1) } // jump offsets are relative to the next instruction
	head := 2
	if x32Bit != 0 {
		head = 3
	}
	eperm, kill := head+2+n, head+3+n // after the allow
	prog = append(prog, bpf{unix.BPF_LD | unix.BPF_W | unix.BPF_ABS, 0, 0, seccompArch})
	prog = append(prog, bpf{unix.BPF_JMP | unix.BPF_JEQ | unix.BPF_K, 0, tail(1, kill), auditArch})
	prog = append(prog, bpf{unix.BPF_LD | unix.BPF_W | unix.BPF_ABS, 0, 0, seccompData})
	if x32Bit != 0 {
		prog = append(prog, bpf{unix.BPF_JMP | unix.BPF_JSET | unix.BPF_K, tail(3, kill), 0, x32Bit})
	}
	for i, nr := range denied {
		at := head + 1 + i
		prog = append(prog, bpf{unix.BPF_JMP | unix.BPF_JEQ | unix.BPF_K, tail(at, eperm), 0, nr})
	}
	prog = append(prog,
		bpf{unix.BPF_RET | unix.BPF_K, 0, 0, retAllow},
		bpf{unix.BPF_RET | unix.BPF_K, 0, 0, retEPERM},
		bpf{unix.BPF_RET | unix.BPF_K, 0, 0, retKill},
	)
	if len(prog) != kill+1 || kill > 255 {
		panic("verify: seccomp program layout") // programmer error
	}
	out := make([]byte, 0, 8*len(prog))
	for _, in := range prog {
		out = binary.NativeEndian.AppendUint16(out, in.code)
		out = append(out, in.jt, in.jf)
		out = binary.NativeEndian.AppendUint32(out, in.k)
	}
	return out, nil
}
