package analyze

import (
	"archive/tar"
	"cmp"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"

	"github.com/dietimage/diet/layerfs"
)

// culprits groups every stored version of every path by culprit category,
// root and layer; versions a later layer removed are grouped apart, since
// their bytes are shipped all the same.
func culprits(t *layerfs.Tree, ins *inspector) []Culprit {
	type key struct {
		category, root   string
		layer, removedBy int
	}
	groups := map[key]*Culprit{}
	t.Walk(func(id layerfs.ID, p string) bool {
		category, root, ok := Classify(p)
		if !ok {
			return true
		}
		root = strings.Clone(root) // p, and so root, is Walk's buffer
		for v := range versions(t, id) {
			if v.Type != tar.TypeReg || v.Size == 0 {
				continue
			}
			k := key{category, root, v.Layer, -1}
			if v.next.Kind != 0 {
				k.removedBy = v.next.Layer
			}
			c := groups[k]
			if c == nil {
				c = &Culprit{Category: category, Path: root, Layer: v.Layer}
				if k.removedBy >= 0 {
					r := k.removedBy
					c.RemovedBy = &r
				}
				groups[k] = c
			}
			c.Bytes += v.Size
			c.Files++
		}
		return true
	})
	var out []Culprit
	for _, c := range groups {
		out = append(out, *c)
	}
	for layer, found := range ins.layers {
		for _, f := range found.unstrip {
			c := Culprit{Category: "unstripped-elf", Path: f.path, Bytes: f.saves, Files: 1, Layer: layer,
				Detail: fmt.Sprintf("strip would save %d%% of its %d bytes", f.saves*100/f.size, f.size)}
			if id, ok := t.Lookup(f.path); ok {
				if r, gone := removedAfter(t, id, layer); gone {
					c.RemovedBy = &r
				}
			}
			out = append(out, c)
		}
	}
	slices.SortFunc(out, func(a, b Culprit) int {
		return cmp.Or(cmp.Compare(b.Bytes, a.Bytes), cmp.Compare(a.Category, b.Category),
			cmp.Compare(a.Path, b.Path), cmp.Compare(a.Layer, b.Layer))
	})
	return out
}

// removedAfter reports the layer that ended the version id stored in layer.
func removedAfter(t *layerfs.Tree, id layerfs.ID, layer int) (int, bool) {
	for v := range versions(t, id) {
		if v.Layer == layer && v.next.Kind != 0 {
			return v.next.Layer, true
		}
	}
	return 0, false
}

// duplicates groups files by content: the same bytes at several paths or
// in several layers.
func duplicates(ins *inspector) []Duplicate {
	groups := map[[32]byte]*Duplicate{}
	for layer, found := range ins.layers {
		for _, c := range found.contents {
			d := groups[c.sum]
			if d == nil {
				d = &Duplicate{SHA256: hex.EncodeToString(c.sum[:]), Size: c.size}
				groups[c.sum] = d
			}
			d.Copies = append(d.Copies, Location{Path: c.path, Layer: layer})
		}
	}
	var out []Duplicate
	for _, d := range groups {
		if len(d.Copies) < 2 {
			continue
		}
		d.WastedBytes = d.Size * int64(len(d.Copies)-1)
		slices.SortFunc(d.Copies, func(a, b Location) int {
			return cmp.Or(cmp.Compare(a.Layer, b.Layer), cmp.Compare(a.Path, b.Path))
		})
		out = append(out, *d)
	}
	slices.SortFunc(out, func(a, b Duplicate) int {
		return cmp.Or(cmp.Compare(b.WastedBytes, a.WastedBytes), cmp.Compare(a.SHA256, b.SHA256))
	})
	return out
}
