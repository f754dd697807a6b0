package verify

import "golang.org/x/sys/unix"

const (
	auditArch = unix.AUDIT_ARCH_AARCH64
	x32Bit    = 0
)

var deniedArch = []uint32{unix.SYS_NFSSERVCTL}
