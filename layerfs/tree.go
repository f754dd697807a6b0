package layerfs

import (
	"hash/maphash"
	"io/fs"
	"iter"
	"path"
	"unsafe"
)

// ID names a node of a [Tree]. The root is 0.
type ID int32

const none ID = -1

// Kind is what an [Event] did to a path.
type Kind uint8

// Kinds of [Event].
const (
	Added    Kind = iota + 1 // the path appeared (or reappeared after a deletion)
	Modified                 // a later layer wrote the path again
	Deleted                  // the path left the filesystem
)

// Cause says why a path was deleted or replaced.
type Cause uint8

// Causes of a [Deleted] event.
const (
	CauseNone     Cause = iota
	CauseWhiteout       // a .wh. entry named this path
	CauseParent         // a .wh. entry named an ancestor directory
	CauseOpaque         // an ancestor was made opaque with .wh..wh..opq
	CauseReplaced       // a directory was replaced by a non-directory
)

// Event is one change to one path, made by one layer.
type Event struct {
	// Size is the bytes the change stored (Added, Modified: the tar size of
	// the new version) or removed (Deleted: the bytes of the previous
	// version, or of the whole subtree for a directory whited out).
	Size  int64
	Layer int
	Kind  Kind
	Cause Cause
	Type  byte // tar typeflag of the version added, or of the one deleted
	// Leaf is true when the layer's own tree holds nothing beneath the path
	// (dive counts only leaves).
	Leaf bool
}

type event struct {
	size  int64
	layer int32
	next  int32
	kind  Kind
	cause Cause
	typ   byte
	leaf  bool
}

const (
	flagPresent  = 1 << iota // in the merged filesystem now
	flagImplicit             // a directory no entry named; made for its children
)

type node struct {
	name        span // the base name; the root's is empty
	link        span
	size        int64
	mode        uint32
	uid, gid    uint32
	parent      ID
	child, next ID    // first child; next sibling
	first, last int32 // events
	layer       int16 // the layer that wrote the current version
	childLayer  int16 // the last layer that put something beneath this node
	typ         byte
	flags       uint8
}

// Tree is the merged filesystem of an image's layers, with each path's
// history. Its methods are safe for concurrent readers once [Build] returns.
type Tree struct {
	Layers []Layer

	// Nodes keep only their base name: full paths would be most of the
	// tree's memory. index finds a child by (parent, name).
	names  arena
	nodes  chunked[node]
	events chunked[event]
	seed   maphash.Seed
	index  map[uint64]ID // key(parent, name) → node; collisions go to spill
	spill  map[childKey]ID

	lastDir   string // the directory the previous entry went into, and its node
	lastDirID ID
}

type childKey struct {
	parent ID
	name   string
}

func newTree() *Tree {
	t := &Tree{seed: maphash.MakeSeed(), index: make(map[uint64]ID)}
	t.nodes.add(node{parent: none, child: none, next: none,
		first: -1, last: -1, typ: '5', mode: 0o755, flags: flagPresent | flagImplicit, childLayer: -1})
	return t
}

func (t *Tree) key(parent ID, name string) uint64 {
	return maphash.String(t.seed, name) ^ (uint64(parent)+1)*0x9e3779b97f4a7c15
}

// child finds the node called name in directory parent.
func (t *Tree) child(parent ID, name string) (ID, bool) {
	id, ok := t.index[t.key(parent, name)]
	if ok && t.nodes.at(int(id)).parent == parent && t.names.str(t.nodes.at(int(id)).name) == name {
		return id, true
	}
	if t.spill != nil {
		id, ok = t.spill[childKey{parent, name}]
		return id, ok
	}
	return 0, false
}

// Child returns the node called name in directory parent, present or
// deleted: one step of [Tree.Lookup], for walks that match two trees.
func (t *Tree) Child(parent ID, name string) (ID, bool) { return t.child(parent, name) }

// Lookup returns the node of the absolute clean path p, present or deleted.
func (t *Tree) Lookup(p string) (ID, bool) {
	if len(p) == 0 || p[0] != '/' {
		return 0, false
	}
	id := ID(0)
	for rest := p[1:]; rest != ""; {
		var name string
		name, rest, _ = cut(rest)
		if name == "" {
			continue
		}
		c, ok := t.child(id, name)
		if !ok {
			return 0, false
		}
		id = c
	}
	return id, true
}

func (t *Tree) insert(parent ID, name string) ID {
	id := ID(t.nodes.len())
	sp := t.names.add(name)
	t.nodes.add(node{name: sp, parent: parent, child: none, next: t.nodes.at(int(parent)).child,
		first: -1, last: -1, childLayer: -1})
	t.nodes.at(int(parent)).child = id
	k := t.key(parent, name)
	if _, taken := t.index[k]; taken {
		if t.spill == nil {
			t.spill = make(map[childKey]ID)
		}
		t.spill[childKey{parent, t.names.str(sp)}] = id
	} else {
		t.index[k] = id
	}
	return id
}

func (t *Tree) record(id ID, e event) {
	e.next = -1
	i := int32(t.events.len())
	t.events.add(e)
	n := t.nodes.at(int(id))
	if n.last >= 0 {
		t.events.at(int(n.last)).next = i
	} else {
		n.first = i
	}
	n.last = i
}

// Len is the number of nodes, present or deleted, the root included.
func (t *Tree) Len() int { return t.nodes.len() }

// Node describes one path of the tree in its current state.
type Node struct {
	Path    string // absolute and clean; "/" for the root
	Size    int64  // tar size of the current version (regular files)
	Mode    fs.FileMode
	UID     int // owner of the current version
	GID     int
	Type    byte   // tar typeflag of the current version
	Link    string // symlink target, or hard link target path
	Layer   int    // the layer that wrote the current version; -1 for the root
	Present bool   // in the final filesystem
	// Implicit is true for a directory no entry named, made for its children.
	Implicit bool
}

// Stat describes node id.
func (t *Tree) Stat(id ID) Node {
	n := t.nodes.at(int(id))
	return Node{
		Path:     t.Path(id),
		Size:     n.size,
		Mode:     fs.FileMode(n.mode),
		UID:      int(n.uid),
		GID:      int(n.gid),
		Type:     n.typ,
		Link:     t.names.str(n.link),
		Layer:    int(n.layer),
		Present:  n.flags&flagPresent != 0,
		Implicit: n.flags&flagImplicit != 0,
	}
}

// Name is the base name of node id; the root's is "/".
func (t *Tree) Name(id ID) string {
	if id == 0 {
		return "/"
	}
	return t.names.str(t.nodes.at(int(id)).name)
}

// Path is the absolute path of node id. It is built on each call.
func (t *Tree) Path(id ID) string {
	if id == 0 {
		return "/"
	}
	n := 0
	for a := id; a > 0; a = t.nodes.at(int(a)).parent {
		n += 1 + int(t.nodes.at(int(a)).name.n)
	}
	buf := make([]byte, n)
	for a := id; a > 0; a = t.nodes.at(int(a)).parent {
		name := t.names.str(t.nodes.at(int(a)).name)
		n -= len(name)
		copy(buf[n:], name)
		n--
		buf[n] = '/'
	}
	return string(buf)
}

// Parent is the directory holding id; the root is its own parent.
func (t *Tree) Parent(id ID) ID {
	if p := t.nodes.at(int(id)).parent; p != none {
		return p
	}
	return 0
}

// Children yields the nodes directly beneath id, present or deleted.
func (t *Tree) Children(id ID) iter.Seq[ID] {
	return func(yield func(ID) bool) {
		for c := t.nodes.at(int(id)).child; c != none; c = t.nodes.at(int(c)).next {
			if !yield(c) {
				return
			}
		}
	}
}

// History yields the events of id in layer order.
func (t *Tree) History(id ID) iter.Seq[Event] {
	return func(yield func(Event) bool) {
		for i := t.nodes.at(int(id)).first; i >= 0; i = t.events.at(int(i)).next {
			e := t.events.at(int(i))
			if !yield(Event{Size: e.size, Layer: int(e.layer), Kind: e.kind, Cause: e.cause, Type: e.typ, Leaf: e.leaf}) {
				return
			}
		}
	}
}

// Type is the tar typeflag of id's current version. Type, Size, Layer and
// Link answer what [Tree.Stat] does without building the path, for loops
// over every node.
func (t *Tree) Type(id ID) byte { return t.nodes.at(int(id)).typ }

// Mode is id's permission bits, and its setuid, setgid and sticky bits as
// the tar header numbers them (0o4000, 0o2000, 0o1000).
func (t *Tree) Mode(id ID) fs.FileMode { return fs.FileMode(t.nodes.at(int(id)).mode) }

// Owner is the uid and gid of id's current version.
func (t *Tree) Owner(id ID) (uid, gid int) {
	n := t.nodes.at(int(id))
	return int(n.uid), int(n.gid)
}

// Size is the tar size of id's current version.
func (t *Tree) Size(id ID) int64 { return t.nodes.at(int(id)).size }

// Layer is the layer that wrote id's current version; -1 for the root.
func (t *Tree) Layer(id ID) int {
	if id == 0 {
		return -1
	}
	return int(t.nodes.at(int(id)).layer)
}

// Link is id's symlink target, or its hard link's target path.
func (t *Tree) Link(id ID) string { return t.names.str(t.nodes.at(int(id)).link) }

// PresentBelow reports whether id was present once the layers below layer
// were applied.
func (t *Tree) PresentBelow(id ID, layer int) bool {
	present := false
	for e := range t.History(id) {
		if e.Layer >= layer {
			break
		}
		present = e.Kind != Deleted
	}
	return present
}

// Implicit reports whether id is a directory no entry named.
func (t *Tree) Implicit(id ID) bool { return t.nodes.at(int(id)).flags&flagImplicit != 0 }

// Present reports whether id is in the final filesystem.
func (t *Tree) Present(id ID) bool { return t.nodes.at(int(id)).flags&flagPresent != 0 }

// Resolve follows symlinks in p, within the root (".." never climbs above
// "/"), and returns the node it names. It gives up after 40 links, as Linux does.
func (t *Tree) Resolve(p string) (ID, bool) {
	return t.resolve(path.Clean("/"+p), 0)
}

func (t *Tree) resolve(p string, depth int) (ID, bool) {
	if depth > 40 {
		return 0, false
	}
	cur := "/"
	rest := p[1:]
	for rest != "" {
		var elem string
		elem, rest, _ = cut(rest)
		next := path.Join(cur, elem)
		id, ok := t.Lookup(next)
		if !ok || !t.Present(id) {
			return 0, false
		}
		n := t.nodes.at(int(id))
		if n.typ == '2' { // symlink: restart from its target
			target := t.names.str(n.link)
			if !path.IsAbs(target) {
				target = path.Join(cur, target)
			}
			return t.resolve(path.Clean("/"+path.Join(target, rest)), depth+1)
		}
		cur = next
	}
	id, ok := t.Lookup(cur)
	return id, ok && t.Present(id)
}

func cut(s string) (before, after string, found bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == '/' {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

// Walk calls fn for every node beneath the root, each directory before
// what it holds, with the node's path. The path shares one buffer across
// calls, so it is valid only during the call: fn keeps it with
// strings.Clone. Walking builds no strings, which matters at a million
// paths. Walk stops when fn returns false.
func (t *Tree) Walk(fn func(id ID, path string) bool) {
	type frame struct {
		id ID
		n  int // length of the parent's path
	}
	buf := make([]byte, 0, 256)
	stack := []frame{}
	for c := t.nodes.at(int(0)).child; c != none; c = t.nodes.at(int(c)).next {
		stack = append(stack, frame{c, 0})
	}
	for len(stack) > 0 {
		f := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		buf = append(append(buf[:f.n], '/'), t.names.str(t.nodes.at(int(f.id)).name)...)
		if !fn(f.id, unsafe.String(&buf[0], len(buf))) {
			return
		}
		for c := t.nodes.at(int(f.id)).child; c != none; c = t.nodes.at(int(c)).next {
			stack = append(stack, frame{c, len(buf)})
		}
	}
}
