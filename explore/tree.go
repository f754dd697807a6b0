package explore

import (
	"cmp"
	"slices"
	"strings"

	"github.com/dietimage/diet/analyze"
)

// node is a path of the filesystem as of one layer.
type node struct {
	name     string
	path     string
	typ      string // file, dir, symlink, ...
	bytes    int64  // a file's; a directory's: everything beneath
	kind     string // what the selected layer did to it: added, changed, removed, or ""
	children []*node
	parent   *node
}

// buildTree makes the filesystem as it stands after layer upTo, applying
// each layer's files in order. With only, it keeps just the paths the
// layer upTo added, changed or removed (and their directories).
func buildTree(r *analyze.Report, upTo int, only bool) *node {
	type version struct {
		typ   string
		bytes int64
		kind  string
	}
	state := map[string]version{}
	for i := 0; i <= upTo && i < len(r.Layers); i++ {
		if r.Layers[i].Files == nil {
			continue
		}
		for _, f := range *r.Layers[i].Files {
			switch {
			case f.Kind == "removed" && i == upTo:
				state[f.Path] = version{f.Type, f.Bytes, "removed"}
			case f.Kind == "removed":
				delete(state, f.Path)
			default:
				v := version{f.Type, f.Bytes, ""}
				if i == upTo {
					v.kind = f.Kind
				}
				state[f.Path] = v
			}
		}
	}
	root := &node{name: "/", path: "/", typ: "dir"}
	dirs := map[string]*node{"/": root}
	var dir func(p string) *node
	dir = func(p string) *node {
		if d := dirs[p]; d != nil {
			return d
		}
		i := strings.LastIndexByte(p, '/')
		parentPath := p[:i]
		if parentPath == "" {
			parentPath = "/"
		}
		parent := dir(parentPath)
		d := &node{name: p[i+1:], path: p, typ: "dir", parent: parent}
		parent.children = append(parent.children, d)
		dirs[p] = d
		return d
	}
	// In the map's order: dir makes a parent before its child when the
	// child comes first, and sortTree orders every directory afterwards.
	for p, v := range state {
		if only && v.kind == "" {
			continue
		}
		var n *node
		if v.typ == "dir" {
			n = dir(p)
		} else {
			i := strings.LastIndexByte(p, '/')
			parentPath := p[:i]
			if parentPath == "" {
				parentPath = "/"
			}
			parent := dir(parentPath)
			n = &node{name: p[i+1:], path: p, parent: parent}
			parent.children = append(parent.children, n)
		}
		n.typ, n.kind = v.typ, v.kind
		if v.typ == "file" && v.kind != "removed" {
			n.bytes = v.bytes
			for a := n.parent; a != nil; a = a.parent {
				a.bytes += v.bytes
			}
		} else if v.kind == "removed" {
			n.bytes = v.bytes
		}
	}
	return root
}

// sortTree orders every directory's children, by bytes (largest first)
// or by name.
func sortTree(n *node, bySize bool) {
	slices.SortFunc(n.children, func(a, b *node) int {
		if bySize {
			if c := cmp.Compare(b.bytes, a.bytes); c != 0 {
				return c
			}
		}
		return strings.Compare(a.name, b.name)
	})
	for _, c := range n.children {
		sortTree(c, bySize)
	}
}
