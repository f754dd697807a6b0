// Package tarname reads tar entry names by one rule for every reader of
// tar names in diet: image (the members of an archive), layerfs (the
// entries of a layer, as a model) and rootfs (the same entries, on disk).
//
// The rule is moby's pkg/archive (Unpack, UnpackLayer), which docker load
// applies to an archive and to each of its layers: a name is cleaned
// lexically, as filepath.Clean does, and joined to the root. So a leading
// "/" or "./" is dropped, "a/../b" is "b" (even where a is a symlink), and
// a rooted name cannot climb ("/../x" is "x"). A relative name that climbs
// out of the root ("../x", "a/../../x", "..") is refused, as pkg/archive's
// breakout check refuses it.
//
// The Linux engine never reaches that check: it unpacks in a chroot at the
// root, where the join clamps every name, so docker load (seen on 20.10)
// reads "../x" as "x" where we refuse it. Refusing keeps such a name loud:
// only a broken or hostile writer makes one, and every reader in diet
// refused it before there was one rule.
//
// Invariants:
//   - [Clean] returns a name in the form [io/fs.ValidPath] accepts (relative,
//     no empty, "." or ".." element, "." for the root), or an error; never a
//     name outside the root.
//   - Names are bytes, as on Linux: invalid UTF-8 is not refused here (the
//     engine unpacks it). A reader that needs text, such as layerfs, refuses
//     it itself, with [ErrBadName].
//   - A NUL byte, which archive/tar never yields but a manifest can, and a
//     name longer than PATH_MAX are refused: no engine could create them.
//   - Clean does not allocate for a name that is already clean.
package tarname
