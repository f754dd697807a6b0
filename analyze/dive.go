package analyze

import (
	"archive/tar"
	"cmp"
	"slices"

	"github.com/dietimage/diet/layerfs"
)

// dive computes dive's figures with dive's definitions (wagoodman/dive,
// filetree/efficiency.go): only the leaves of each layer's own tree count;
// a whiteout counts the bytes of the directory it deletes (a deleted file
// counts zero); per path, the sizes seen are summed and the smallest kept.
// A path seen in two or more layers is "inefficient", and all its copies,
// the surviving one included, are dive's wasted bytes.
func dive(t *layerfs.Tree) Dive {
	var d Dive
	var minSum, allSum int64
	for id := layerfs.ID(1); int(id) < t.Len(); id++ {
		var n int
		var sum, least int64
		for e := range t.History(id) {
			if !e.Leaf {
				continue
			}
			size := e.Size
			if e.Kind == layerfs.Deleted && e.Type != tar.TypeDir {
				size = 0
			}
			if n == 0 || size < least {
				least = size
			}
			sum += size
			n++
		}
		if n == 0 {
			continue
		}
		minSum += least
		allSum += sum
		if n >= 2 {
			d.WastedBytes += sum
			d.InefficientFiles = append(d.InefficientFiles, DiveFile{Path: t.Path(id), Copies: n, Bytes: sum})
		}
	}
	d.Efficiency = 1
	if allSum > 0 {
		d.Efficiency = float64(minSum) / float64(allSum)
	}
	for i, l := range t.Layers {
		d.SizeBytes += l.FileBytes
		if i > 0 {
			d.UserSizeBytes += l.FileBytes
		}
	}
	if d.UserSizeBytes > 0 {
		d.UserWastedPercent = float64(d.WastedBytes) / float64(d.UserSizeBytes)
	}
	slices.SortFunc(d.InefficientFiles, func(a, b DiveFile) int {
		return cmp.Or(cmp.Compare(b.Bytes, a.Bytes), cmp.Compare(a.Path, b.Path))
	})
	return d
}
