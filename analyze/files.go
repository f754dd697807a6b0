package analyze

import (
	"cmp"
	"slices"

	"github.com/dietimage/diet/layerfs"
)

// LayerFile is one change a layer made to one path ([WithFiles]).
type LayerFile struct {
	Path string `json:"path"`
	Kind string `json:"kind"` // added, changed or removed
	Type string `json:"type"` // file, dir, symlink, hardlink, char, block, fifo
	// Bytes is what the layer stores for the path (added, changed: the
	// tar size of its version) or what it removed (the previous version;
	// for a directory, its whole subtree, whose paths are listed too).
	Bytes int64 `json:"bytes"`
	// Cause says why a path was removed: whiteout (a .wh. entry named it),
	// parent (one named a directory above it), opaque (a directory above
	// it was made opaque) or replaced (a directory replaced by a file).
	Cause string `json:"cause,omitempty"`
}

var kinds = [...]string{layerfs.Added: "added", layerfs.Modified: "changed", layerfs.Deleted: "removed"}

var causes = [...]string{layerfs.CauseWhiteout: "whiteout", layerfs.CauseParent: "parent",
	layerfs.CauseOpaque: "opaque", layerfs.CauseReplaced: "replaced"}

// layerFiles lists every layer's changes, each largest first, from the
// paths' histories: one pass over the tree.
func layerFiles(t *layerfs.Tree) [][]LayerFile {
	out := make([][]LayerFile, len(t.Layers))
	for id := layerfs.ID(1); int(id) < t.Len(); id++ {
		var p string
		for e := range t.History(id) {
			if p == "" {
				p = t.Path(id)
			}
			f := LayerFile{Path: p, Kind: kinds[e.Kind], Type: layerfs.TypeName(e.Type), Bytes: e.Size}
			if e.Kind == layerfs.Deleted {
				f.Cause = causes[e.Cause]
			}
			out[e.Layer] = append(out[e.Layer], f)
		}
	}
	// Largest first; ties stay in the order the layers made the paths
	// (the tree's), which is deterministic and spares comparing paths.
	for i, fs := range out {
		order := make([]int32, len(fs))
		for j := range order {
			order[j] = int32(j)
		}
		slices.SortFunc(order, func(a, b int32) int { return cmp.Or(cmp.Compare(fs[b].Bytes, fs[a].Bytes), cmp.Compare(a, b)) })
		sorted := make([]LayerFile, len(fs))
		for j, k := range order {
			sorted[j] = fs[k]
		}
		out[i] = sorted
	}
	return out
}
