// Package slim makes an image smaller without rebuilding it: it plans what
// to keep, by level, and streams the kept entries of the original layers
// into one new layer.
//
// Levels, each including the one before:
//   - Squash: the layers above the base merge into one, dropping every
//     deleted and overwritten byte. The base layers stay byte-identical, so
//     a node holding the base pulls nothing new.
//   - Prune: the merged layer also leaves out the culprit categories of
//     package analyze (caches, sources, headers, docs, locales, ...), each
//     removal named by its rule; WithKeep and WithRemove override.
//   - Minimal: only what the entrypoint needs, on an empty base. Package
//     entry finds those paths; WithPaths passes them in.
//
// Invariants: layers are read as streams, one at a time, and file bodies
// are copied, never held: memory grows with the number of paths, not
// bytes. The same input and options give the same output bytes. slim
// returns a v1.Image; writing it is package image's job.
package slim
