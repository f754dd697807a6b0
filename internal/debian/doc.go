// Package debian makes Debian root filesystems for test fixtures: [Rootfs]
// debootstraps a minbase Debian as root, empties what Debian's own base
// images ship empty (apt's lists and downloaded packages, device nodes),
// and writes the tree as a tar file.
//
// The tar file is its own cache. Rootfs writes it under a temporary name,
// syncs it and renames it into place, so a file at the output path is
// complete and a later Rootfs returns at once. Rootfs takes no lock:
// callers whose processes share an output path serialise them, as the
// fixtures do with internal/flock on their cache directories.
//
// A cancelled context kills debootstrap's whole process group (its wget,
// dpkg and maintainer scripts). A debootstrap killed that way leaves /proc
// and /sys mounted in its target. Rootfs detaches them before it deletes
// the tree, so that deleting never reaches into the host's: the cancelled
// Rootfs does so itself, and the next one does if the process was killed.
package debian
