package analyze

import (
	"archive/tar"
	"regexp"

	"github.com/dietimage/diet/layerfs"
)

// Filesystem is the merged filesystem of an analysed image, each path as
// it stood after any layer, for a caller that walks it (diet explore). It
// answers lazily: a directory's children when asked, and the bytes beneath
// every directory once a layer, on first use. [WithFilesystem] keeps it.
type Filesystem struct {
	t       *layerfs.Tree
	bytes   map[int][]int64 // by layer: bytes beneath each node as of that layer
	touched map[int][]bool  // by layer: nodes the layer changed, and their ancestors
}

// Node is a path as it stood after one layer.
type Node struct {
	ID   int
	Name string
	Type string // file, dir, symlink, hardlink, char, block, fifo
	// Bytes is a file's size, what lies beneath a directory, or, for a
	// path the layer removed, the bytes that went.
	Bytes int64
	// Kind is what the layer did to the path: added, changed, removed, or
	// "" when it left the path as it was.
	Kind string
}

// Root is the node of "/".
func (f *Filesystem) Root() int { return 0 }

// Path is the absolute path of node id.
func (f *Filesystem) Path(id int) string { return f.t.Path(layerfs.ID(id)) }

// Lookup finds the node of an absolute clean path, present or not.
func (f *Filesystem) Lookup(p string) (int, bool) {
	id, ok := f.t.Lookup(p)
	return int(id), ok
}

// Parent is the directory holding id; the root's is the root.
func (f *Filesystem) Parent(id int) int { return int(f.t.Parent(layerfs.ID(id))) }

// state is node id as it stood after layer: present, or removed by that
// very layer (shown, marked removed); ok is false when absent.
func (f *Filesystem) state(id layerfs.ID, layer int) (n Node, ok bool) {
	present := false
	n.ID, n.Name = int(id), f.t.Name(id)
	for e := range f.t.History(id) {
		if e.Layer > layer {
			break
		}
		n.Type, n.Bytes = layerfs.TypeName(e.Type), e.Size
		present = e.Kind != layerfs.Deleted
		n.Kind = ""
		if e.Layer == layer {
			n.Kind = kinds[e.Kind]
		}
	}
	return n, present || n.Kind == "removed"
}

// Children are the paths in directory id as it stood after layer, with
// those the layer removed; with only, just the ones the layer changed or
// that hold such.
func (f *Filesystem) Children(id, layer int, only bool) []Node {
	bytes := f.bytesAsOf(layer)
	var touched []bool
	if only {
		touched = f.touchedBy(layer)
	}
	var out []Node
	for c := range f.t.Children(layerfs.ID(id)) {
		if only && !touched[c] {
			continue
		}
		n, ok := f.state(c, layer)
		if !ok {
			continue
		}
		if n.Type == "dir" && n.Kind != "removed" {
			n.Bytes = bytes[c]
		}
		out = append(out, n)
	}
	return out
}

// Match returns the nodes whose path matches re as they stood after
// layer (removed ones included), and every directory above them.
func (f *Filesystem) Match(re *regexp.Regexp, layer int, only bool) map[int]bool {
	var touched []bool
	if only {
		touched = f.touchedBy(layer)
	}
	out := map[int]bool{}
	f.t.Walk(func(id layerfs.ID, p string) bool {
		if only && !touched[id] {
			return true
		}
		if _, ok := f.state(id, layer); ok && re.MatchString(p) {
			for a := id; a != 0 && !out[int(a)]; a = f.t.Parent(a) {
				out[int(a)] = true
			}
		}
		return true
	})
	return out
}

// bytesAsOf sums, once a layer, the regular files present after layer
// into every directory above them: parents are made before their
// children, so one backward pass does it.
func (f *Filesystem) bytesAsOf(layer int) []int64 {
	if b, ok := f.bytes[layer]; ok {
		return b
	}
	b := make([]int64, f.t.Len())
	last := layer == len(f.t.Layers)-1
	for id := layerfs.ID(f.t.Len() - 1); id > 0; id-- {
		if last { // the merged tree's own state: no history to read
			if f.t.Present(id) && f.t.Type(id) == tar.TypeReg {
				b[id] += f.t.Size(id)
			}
		} else if n, ok := f.state(id, layer); ok && n.Kind != "removed" && n.Type == "file" {
			b[id] += n.Bytes
		}
		b[f.t.Parent(id)] += b[id]
	}
	f.bytes[layer] = b
	return b
}

// touchedBy marks the nodes layer changed, and their ancestors.
func (f *Filesystem) touchedBy(layer int) []bool {
	if t, ok := f.touched[layer]; ok {
		return t
	}
	t := make([]bool, f.t.Len())
	for id := layerfs.ID(f.t.Len() - 1); id > 0; id-- {
		if !t[id] {
			for e := range f.t.History(id) {
				if e.Layer == layer {
					t[id] = true
					break
				}
			}
		}
		if t[id] {
			t[f.t.Parent(id)] = true
		}
	}
	f.touched[layer] = t
	return t
}
