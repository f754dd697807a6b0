package analyze

import (
	"cmp"
	"slices"
	"strings"

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
	for _, fs := range out {
		slices.SortFunc(fs, func(a, b LayerFile) int {
			return cmp.Or(cmp.Compare(b.Bytes, a.Bytes), strings.Compare(a.Path, b.Path), strings.Compare(a.Kind, b.Kind))
		})
	}
	return out
}
