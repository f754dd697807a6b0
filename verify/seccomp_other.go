//go:build !amd64 && !arm64

package verify

// No filter is written for other architectures: the sandbox refuses to run.
const (
	auditArch = 0
	x32Bit    = 0
)

var deniedArch []uint32
