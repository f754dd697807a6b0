// Package rootfs unpacks an image's layers to a directory, safely: [Extract]
// gives the merged filesystem the engine would give a container, for slim to
// read (what an entrypoint needs) and for verify to run.
//
// Invariants:
//   - Every entry is hostile, and nothing is written outside the target
//     directory. Every write goes through an [os.Root] opened on it, so a
//     symlink, however it was made, never leads out. A later entry replaces
//     an earlier one and is never written through it (O_EXCL).
//   - What it refuses stops the extraction, never a silent skip (a rootfs
//     missing entries would not show how the image runs), with a
//     [layerfs.EntryError] naming the entry inside a [layerfs.LayerError]
//     naming the layer: a name that climbs out of the root, "../x" or
//     "a/../../x" ([layerfs.ErrUnsafePath]), a NUL byte or a name longer
//     than PATH_MAX ([layerfs.ErrBadName]), a hard link to a name that
//     climbs out ([layerfs.ErrUnsafePath]) or to nothing
//     ([layerfs.ErrBadLink]), a whiteout that names no file
//     ([layerfs.ErrUnsafePath]), a type the engine does not extract
//     ([layerfs.ErrUnsupportedType]), an entry that would reach outside
//     through a symlink (the [os.Root] error). A target directory that
//     holds files is [ErrNotEmpty].
//   - Names are read as the engine reads them (internal/tarname, the rule
//     image and layerfs follow too): cleaned lexically, an absolute name
//     from the root ("/etc/passwd" is etc/passwd under it), "a/../b" as "b".
//     Names are bytes: a name that is not UTF-8 is extracted as it is.
//   - Layers apply in order with the engine's whiteout semantics: .wh.NAME
//     deletes NAME, even an entry its own layer wrote before it, and
//     .wh..wh..opq empties its directory of what the layers below put there,
//     at any depth, keeping what its own layer wrote. Other .wh..wh. names
//     (aufs bookkeeping) and global headers are ignored.
//   - Devices are not made (the sandbox brings its own /dev); FIFOs are.
//     Hard links are made as hard links, inside the root. Modes, setuid,
//     setgid and sticky bits included, and modification times are applied;
//     directories get theirs last, so a read-only directory can still be
//     filled. Ownership is applied only when running as root.
//   - Memory grows with the number of paths of one layer (opaque markers
//     must spare what their own layer wrote) and of directories of the image,
//     never with the number of bytes: file bodies stream from the layer to
//     the disk. The context is checked on every read.
//   - On error, the directory holds what was written before it, for the
//     caller to remove. The package prints nothing and starts no goroutine.
package rootfs
