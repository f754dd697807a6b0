// Package layerfs reads the layers of an image once each and builds the
// merged filesystem, with each path's history: which layer added it,
// overwrote it, or deleted it (.wh. whiteouts and .wh..wh..opq opaque
// directories).
//
// Invariants:
//   - One pass per layer. Layers are read in parallel; their entries are
//     merged in layer order on one goroutine, because whiteouts depend on order.
//   - File bodies are not read unless a [FileFunc] asks for them. A layer that
//     offers a seekable uncompressed section (an archive stored uncompressed)
//     lets the walk seek past bodies: the cost is headers, not bytes.
//   - Memory grows with the number of paths, never with the number of bytes.
//     Paths live in an arena the tree owns; nodes and events hold no pointers,
//     so the garbage collector does not scan them.
//   - Every entry is hostile. Names are read as the engine reads them
//     (internal/tarname: cleaned, and an absolute name from the root); a
//     name or hard link target that climbs out of the root, a non-UTF-8
//     name, a parent that is a symlink, hard links to missing targets and
//     sizes larger than the layer are errors naming the layer and the entry.
//     Nothing is written anywhere.
//   - A deletion costs time in proportion to what it removes.
package layerfs
