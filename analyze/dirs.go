package analyze

import (
	"archive/tar"
	"cmp"
	"slices"

	"github.com/dietimage/diet/layerfs"
)

// dirTree sums the final filesystem per directory, as du does (hard links
// once), and keeps depth levels with the top children of each. It also
// returns the final size as docker would count it: file bytes plus
// symlink target lengths.
func dirTree(t *layerfs.Tree, depth, top int) (*Dir, int64) {
	bytes := make([]int64, t.Len())
	files := make([]int32, t.Len())
	var final int64
	// Parents are always made before their children, so a node's ID is
	// larger than its parent's: one backward pass sums every directory.
	for id := layerfs.ID(t.Len() - 1); id > 0; id-- {
		if !t.Present(id) {
			continue
		}
		switch t.Type(id) {
		case tar.TypeReg:
			bytes[id] += t.Size(id)
			files[id]++
			final += t.Size(id)
		case tar.TypeSymlink:
			final += int64(len(t.Link(id)))
		case tar.TypeLink:
			files[id]++
		}
		p := t.Parent(id)
		bytes[p] += bytes[id]
		files[p] += files[id]
	}
	shown := map[layerfs.ID]*Dir{}
	var build func(id layerfs.ID, level int) *Dir
	build = func(id layerfs.ID, level int) *Dir {
		d := &Dir{Path: t.Path(id), Bytes: bytes[id], Files: int(files[id])}
		shown[id] = d
		if level >= depth {
			return d
		}
		var kids []layerfs.ID
		for c := range t.Children(id) {
			if t.Present(c) && t.Type(c) == tar.TypeDir && bytes[c] > 0 {
				kids = append(kids, c)
			}
		}
		slices.SortFunc(kids, func(a, b layerfs.ID) int {
			return cmp.Or(cmp.Compare(bytes[b], bytes[a]), cmp.Compare(t.Path(a), t.Path(b)))
		})
		for i, c := range kids {
			if top > 0 && i >= top {
				d.OtherBytes += bytes[c]
				continue
			}
			d.Children = append(d.Children, build(c, level+1))
		}
		return d
	}
	root := build(0, 0)
	dominantLayers(t, shown)
	return root, final
}

// dominantLayers sets each shown directory's Layer: the layer that stored
// most of the file bytes beneath it, as they are now.
func dominantLayers(t *layerfs.Tree, shown map[layerfs.ID]*Dir) {
	byLayer := map[*Dir][]int64{}
	for id := layerfs.ID(1); int(id) < t.Len(); id++ {
		if !t.Present(id) || t.Type(id) != tar.TypeReg || t.Size(id) == 0 {
			continue
		}
		for a := t.Parent(id); ; a = t.Parent(a) {
			if d := shown[a]; d != nil {
				h := byLayer[d]
				if h == nil {
					h = make([]int64, len(t.Layers))
					byLayer[d] = h
				}
				h[t.Layer(id)] += t.Size(id)
			}
			if a == 0 {
				break
			}
		}
	}
	for d, h := range byLayer {
		for l, n := range h {
			if n > h[d.Layer] {
				d.Layer = l
			}
		}
	}
}

// accounting adds the image's bytes up from the layers' tar figures.
func accounting(t *layerfs.Tree, configBytes, manifestBytes int64) Accounting {
	a := Accounting{ConfigBytes: configBytes}
	if manifestBytes > 0 {
		a.ManifestBytes = &manifestBytes
	}
	var compressed int64
	known := len(t.Layers) > 0
	for _, l := range t.Layers {
		a.FileBytes += l.FileBytes
		a.SymlinkBytes += l.SymlinkBytes
		a.TarHeaderBytes += l.HeaderBytes
		a.TarPaddingBytes += l.PaddingBytes
		a.TarTrailerBytes += l.TrailerBytes
		a.TarBytes += l.TarBytes
		if l.Compressed < 0 {
			known = false
		}
		compressed += l.Compressed
	}
	if known {
		a.CompressedBytes = &compressed
	}
	a.DockerSizeBytes = a.FileBytes + a.SymlinkBytes
	return a
}
