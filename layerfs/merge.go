package layerfs

import (
	"archive/tar"
	"path"
)

// maxLayers keeps layer indices inside the int16 the nodes store; docker
// itself stops at 127.
const maxLayers = 1 << 14

// apply merges one layer into the tree. Whiteouts apply to the layers below
// only, so the layer's deletions go first and its additions after.
func (t *Tree) apply(w *walked) error {
	layer := int16(w.layer.Index)
	lay := &w.layer
	// dive counts an entry only when its layer holds nothing beneath it; we
	// learn that once the whole layer is in, so remember what to mark.
	type mark struct {
		ev int32
		id ID
	}
	marks := make([]mark, 0, w.entries.len())

	for i := range w.entries.len() {
		e := w.entries.at(i)
		if e.wh == whNone {
			continue
		}
		p := w.names.str(e.name)
		id, ok := t.Lookup(p)
		if !ok || !t.Present(id) {
			continue // deleting what is not there is allowed, and does nothing
		}
		if e.wh == whOpaque {
			if t.nodes.at(int(id)).typ == tar.TypeDir {
				for c := t.nodes.at(int(id)).child; c != none; c = t.nodes.at(int(c)).next {
					if t.Present(c) {
						t.remove(c, layer, CauseOpaque, lay)
					}
				}
			}
			continue
		}
		t.remove(id, layer, CauseWhiteout, lay)
		marks = append(marks, mark{t.nodes.at(int(id)).last, id})
		t.markAncestors(t.nodes.at(int(id)).parent, layer)
	}

	for i := range w.entries.len() {
		e := w.entries.at(i)
		p := w.names.str(e.name)
		if e.wh != whNone || p == "/" {
			continue
		}
		dir, base := path.Split(p)
		parent, err := t.ensureDir(dir, layer)
		if err != nil {
			return &EntryError{Name: p, Err: err}
		}
		t.markAncestors(parent, layer)
		if e.typ == tar.TypeLink {
			target, ok := t.Lookup(w.names.str(e.link))
			if !ok || !t.Present(target) || t.nodes.at(int(target)).typ == tar.TypeDir {
				return &EntryError{Name: p, Err: ErrBadLink}
			}
		}
		id, exists := t.child(parent, base)
		kind := Added
		switch {
		case !exists:
			id = t.insert(parent, base)
			lay.Added++
		case !t.Present(id):
			lay.Added++
		default:
			n := t.nodes.at(int(id))
			if n.typ == tar.TypeDir && n.flags&flagImplicit != 0 && n.layer == layer {
				// This layer made the directory for an earlier child; the
				// entry only names it now.
				n.mode, n.uid, n.gid, n.flags = e.mode, e.uid, e.gid, flagPresent
				lay.Added++
				continue
			}
			if n.typ == tar.TypeDir && e.typ != tar.TypeDir {
				for c := n.child; c != none; c = t.nodes.at(int(c)).next {
					if t.Present(c) {
						t.remove(c, layer, CauseReplaced, lay)
					}
				}
			}
			kind = Modified
			lay.Modified++
		}
		n := t.nodes.at(int(id))
		n.size, n.mode, n.typ, n.layer, n.flags = e.size, e.mode, e.typ, layer, flagPresent
		n.uid, n.gid = e.uid, e.gid
		n.link = span{}
		if e.link.n > 0 {
			n.link = t.names.add(w.names.str(e.link))
		}
		t.record(id, event{size: e.size, layer: int32(layer), kind: kind, typ: e.typ})
		marks = append(marks, mark{t.nodes.at(int(id)).last, id})
	}

	for _, m := range marks {
		t.events.at(int(m.ev)).leaf = t.nodes.at(int(m.id)).childLayer != layer
	}
	t.lastDir = "" // it points into the layer's arena, which goes now
	return nil
}

// remove deletes id and everything beneath it, one event per path removed,
// and returns the file bytes removed. Only present nodes are visited, so a
// deletion costs what it removes.
func (t *Tree) remove(id ID, layer int16, cause Cause, lay *Layer) int64 {
	var sum int64
	if t.nodes.at(int(id)).typ == tar.TypeDir {
		sub := cause
		if cause == CauseWhiteout {
			sub = CauseParent
		}
		for c := t.nodes.at(int(id)).child; c != none; c = t.nodes.at(int(c)).next {
			if t.Present(c) {
				sum += t.remove(c, layer, sub, lay)
			}
		}
	} else {
		sum = t.nodes.at(int(id)).size
	}
	n := t.nodes.at(int(id))
	n.flags &^= flagPresent
	t.record(id, event{size: sum, layer: int32(layer), kind: Deleted, cause: cause, typ: n.typ})
	lay.Deleted++
	return sum
}

// ensureDir returns the directory dir (with or without a final slash),
// making it and its parents when no entry did: tar archives need not list
// parents before children. Entries mostly come directory by directory, so
// the last directory is remembered.
func (t *Tree) ensureDir(dir string, layer int16) (ID, error) {
	if len(dir) > 1 && dir[len(dir)-1] == '/' {
		dir = dir[:len(dir)-1]
	}
	if dir == "/" {
		return 0, nil
	}
	if dir == t.lastDir && t.Present(t.lastDirID) && t.nodes.at(int(t.lastDirID)).typ == tar.TypeDir {
		return t.lastDirID, nil
	}
	id, err := t.makeDir(dir, layer)
	if err == nil {
		t.lastDir, t.lastDirID = dir, id
	}
	return id, err
}

func (t *Tree) makeDir(dir string, layer int16) (ID, error) {
	if dir == "/" {
		return 0, nil
	}
	parentDir, base := path.Split(dir)
	if len(parentDir) > 1 {
		parentDir = parentDir[:len(parentDir)-1]
	}
	parent, err := t.makeDir(parentDir, layer)
	if err != nil {
		return 0, err
	}
	id, ok := t.child(parent, base)
	if ok && t.Present(id) {
		switch t.nodes.at(int(id)).typ {
		case tar.TypeDir:
			return id, nil
		case tar.TypeSymlink:
			return 0, ErrSymlinkParent
		default:
			return 0, ErrNotDir
		}
	}
	if !ok {
		id = t.insert(parent, base)
	}
	n := t.nodes.at(int(id))
	n.size, n.mode, n.typ, n.layer, n.link = 0, 0o755, tar.TypeDir, layer, span{}
	n.uid, n.gid = 0, 0
	n.flags = flagPresent | flagImplicit
	t.record(id, event{layer: int32(layer), kind: Added, typ: tar.TypeDir})
	return id, nil
}

// markAncestors notes that layer put something beneath id and its parents.
func (t *Tree) markAncestors(id ID, layer int16) {
	for a := id; a != none && t.nodes.at(int(a)).childLayer != layer; a = t.nodes.at(int(a)).parent {
		t.nodes.at(int(a)).childLayer = layer
	}
}
