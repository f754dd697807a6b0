// Package diff compares two images: the layers they share, and for each
// path of their final filesystems whether it was added, removed or
// changed, and by how many bytes. It works on what package layerfs
// builds, so it reads each image once, as analysis does.
package diff

import (
	"archive/tar"
	"cmp"
	"encoding/hex"
	"fmt"
	"path"
	"slices"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/dietimage/diet/layerfs"
)

// Schema names the version of the JSON form of [Report].
const Schema = "diet.diff/v1"

// Sum is the sha256 of a file's content.
type Sum [32]byte

// Side is one image of the comparison.
type Side struct {
	Ref    string
	ID     string // config digest
	Config *v1.ConfigFile
	Tree   *layerfs.Tree
	// Sums are the contents of regular files read while the layers were
	// walked, by layer index and path. A file whose content decides a
	// change and has none here is asked of [Compare]'s read.
	Sums []map[string]Sum
}

// ReadFunc returns the sums of the regular files paths in layer of s.
type ReadFunc func(s *Side, layer int, paths []string) (map[string]Sum, error)

// Report is the comparison of image A (before) with image B (after).
type Report struct {
	Schema string `json:"schema"`
	A      Image  `json:"a"`
	B      Image  `json:"b"`
	// Layers lists the shared base once, then the layers of A and of B
	// above it.
	Layers  []Layer  `json:"layers"`
	Size    Sizes    `json:"size"`
	Added   []Entry  `json:"added"`
	Removed []Entry  `json:"removed"`
	Changed []Change `json:"changed"`
	// Dirs are the directories whose final bytes changed most, largest
	// change first, at most three levels deep.
	Dirs    []Dir   `json:"dirs"`
	History History `json:"history"`
}

// Image identifies one side.
type Image struct {
	Ref    string `json:"ref"`
	ID     string `json:"id"`
	Layers int    `json:"layers"`
}

// Layer is a layer of A, of B, or of both (the shared base).
type Layer struct {
	Side      string `json:"side"`  // "both", "a" or "b"
	Index     int    `json:"index"` // in its image (in both, for the shared base)
	DiffID    string `json:"diff_id"`
	SizeBytes int64  `json:"size_bytes"`
	CreatedBy string `json:"created_by"`
}

// Sizes are the image sizes of both sides and the change.
type Sizes struct {
	Docker     Delta  `json:"docker"`     // docker image ls
	Final      Delta  `json:"final"`      // the merged filesystem
	Compressed *Delta `json:"compressed"` // the blobs of a pull; nil when a side stores none
	Added      int64  `json:"added_bytes"`
	Removed    int64  `json:"removed_bytes"`
	Changed    int64  `json:"changed_bytes"` // Σ of the changed files' size changes
}

// Delta is a figure of A, of B, and B − A.
type Delta struct {
	A     int64 `json:"a"`
	B     int64 `json:"b"`
	Delta int64 `json:"delta"`
}

// Entry is a path of one side's final filesystem.
type Entry struct {
	Path  string `json:"path"`
	Type  string `json:"type"` // file, dir, symlink, hardlink, char, block, fifo
	Size  int64  `json:"size"` // a regular file's bytes, a symlink's target length
	Mode  string `json:"mode"` // permissions and setuid/setgid/sticky, octal
	UID   int    `json:"uid"`
	GID   int    `json:"gid"`
	Link  string `json:"link,omitempty"`
	Layer int    `json:"layer"` // the layer that wrote this version
	// SHA256 is the content of a regular file, where it was read.
	SHA256 string `json:"sha256,omitempty"`
}

// Change is a path in both filesystems that differs.
type Change struct {
	Path string   `json:"path"`
	What []string `json:"what"` // type, size, mode, owner, link, content
	A    Entry    `json:"a"`
	B    Entry    `json:"b"`
	// Delta is B's size − A's.
	Delta int64 `json:"delta"`
}

// Dir is a directory whose bytes changed.
type Dir struct {
	Path  string `json:"path"`
	A     int64  `json:"a"`
	B     int64  `json:"b"`
	Delta int64  `json:"delta"`
}

// History holds the history lines of A and B that the other lacks, by a
// longest-common-subsequence match of the two (every step, empty layers too).
type History struct {
	Common  int      `json:"common"` // lines both have, in order
	Removed []string `json:"removed"`
	Added   []string `json:"added"`
}

// maxDirDepth bounds the directories [Report.Dirs] lists.
const (
	maxDirDepth = 3
	maxDirs     = 10
)

// Compare compares a (before) with b (after). read is asked for the
// contents a and b lack where they decide whether a file changed: a file
// of the same size in both, written by layers that are not the same blob.
func Compare(a, b *Side, read ReadFunc) (*Report, error) {
	r := &Report{Schema: Schema, A: image(a), B: image(b)}
	shared := sharedBase(a, b)
	r.Layers = layers(a, b, shared)
	r.Size = sizes(a, b)
	if err := r.paths(a, b, read); err != nil {
		return nil, err
	}
	r.History = history(a.Config, b.Config)
	return r, nil
}

func image(s *Side) Image { return Image{Ref: s.Ref, ID: s.ID, Layers: len(s.Tree.Layers)} }

// sharedBase is the number of bottom layers a and b have in common.
func sharedBase(a, b *Side) int {
	n := 0
	for n < len(a.Tree.Layers) && n < len(b.Tree.Layers) && a.Tree.Layers[n].DiffID == b.Tree.Layers[n].DiffID {
		n++
	}
	return n
}

func layers(a, b *Side, shared int) []Layer {
	var out []Layer
	add := func(side string, s *Side, i int) {
		l := s.Tree.Layers[i]
		out = append(out, Layer{Side: side, Index: i, DiffID: l.DiffID.String(), SizeBytes: l.FileBytes + l.SymlinkBytes,
			CreatedBy: createdBy(s.Config, i, len(s.Tree.Layers))})
	}
	for i := range shared {
		add("both", a, i)
	}
	for i := shared; i < len(a.Tree.Layers); i++ {
		add("a", a, i)
	}
	for i := shared; i < len(b.Tree.Layers); i++ {
		add("b", b, i)
	}
	return out
}

// createdBy is the history line of layer i of n, aligned from the top as
// analyze aligns them.
func createdBy(cf *v1.ConfigFile, i, n int) string {
	var made []string
	for _, h := range cf.History {
		if !h.EmptyLayer {
			made = append(made, strings.TrimSpace(h.CreatedBy))
		}
	}
	if j := i + len(made) - n; j >= 0 && j < len(made) {
		return made[j]
	}
	return ""
}

func sizes(a, b *Side) Sizes {
	docker := func(s *Side) (n int64) {
		for _, l := range s.Tree.Layers {
			n += l.FileBytes + l.SymlinkBytes
		}
		return n
	}
	compressed := func(s *Side) (int64, bool) {
		var n int64
		for _, l := range s.Tree.Layers {
			if l.Compressed < 0 {
				return 0, false
			}
			n += l.Compressed
		}
		return n, true
	}
	out := Sizes{Docker: delta(docker(a), docker(b)), Final: delta(final(a.Tree), final(b.Tree))}
	ca, okA := compressed(a)
	cb, okB := compressed(b)
	if okA && okB {
		d := delta(ca, cb)
		out.Compressed = &d
	}
	return out
}

func delta(a, b int64) Delta { return Delta{A: a, B: b, Delta: b - a} }

// final is the merged filesystem's bytes, as analyze counts them.
func final(t *layerfs.Tree) (n int64) {
	for id := layerfs.ID(1); int(id) < t.Len(); id++ {
		if t.Present(id) {
			n += bytesOf(t, id)
		}
	}
	return n
}

// bytesOf is what a path adds to the final size.
func bytesOf(t *layerfs.Tree, id layerfs.ID) int64 {
	switch t.Type(id) {
	case tar.TypeReg:
		return t.Size(id)
	case tar.TypeSymlink:
		return int64(len(t.Link(id)))
	}
	return 0
}

// paths fills Added, Removed, Changed and Dirs.
func (r *Report) paths(a, b *Side, read ReadFunc) error {
	// One walk of A matches each node with B's by its parent's match and
	// its name: one map probe a path. B's nodes left unmatched are added.
	type pair struct{ a, b layerfs.ID }
	var both []pair
	ta, tb := a.Tree, b.Tree
	inB := make([]layerfs.ID, ta.Len()) // A's node → B's present one; 0: none
	matched := make([]bool, tb.Len())
	ta.Walk(func(id layerfs.ID, p string) bool {
		if !ta.Present(id) {
			return true
		}
		bid, ok := layerfs.ID(0), true
		if parent := ta.Parent(id); parent == 0 || inB[parent] != 0 {
			bid, ok = tb.Child(inB[parent], ta.Name(id))
		} else {
			ok = false
		}
		if ok && tb.Present(bid) {
			inB[id], matched[bid] = bid, true
			both = append(both, pair{id, bid})
		} else {
			r.Removed = append(r.Removed, entry(a, id, strings.Clone(p)))
		}
		return true
	})
	tb.Walk(func(id layerfs.ID, p string) bool {
		if tb.Present(id) && !matched[id] {
			r.Added = append(r.Added, entry(b, id, strings.Clone(p)))
		}
		return true
	})
	// Same size, another blob: only the contents tell. Fetch the ones
	// the walks did not read, a layer at a time.
	need := map[*Side]map[int][]string{a: {}, b: {}}
	for _, p := range both {
		if contentDecides(a, b, p.a, p.b) {
			for _, s := range []struct {
				side *Side
				id   layerfs.ID
			}{{a, p.a}, {b, p.b}} {
				if _, ok := sum(s.side, s.id); !ok {
					l := s.side.Tree.Layer(s.id)
					need[s.side][l] = append(need[s.side][l], s.side.Tree.Path(s.id))
				}
			}
		}
	}
	for _, s := range []*Side{a, b} {
		for l, ps := range need[s] {
			if read == nil {
				continue
			}
			sums, err := read(s, l, ps)
			if err != nil {
				return fmt.Errorf("%s: layer %d: %w", s.Ref, l, err)
			}
			for len(s.Sums) <= l {
				s.Sums = append(s.Sums, nil)
			}
			if s.Sums[l] == nil {
				s.Sums[l] = map[string]Sum{}
			}
			for p, h := range sums {
				s.Sums[l][p] = h
			}
		}
	}
	for _, p := range both {
		if c, ok := change(a, b, p.a, p.b); ok {
			r.Changed = append(r.Changed, c)
		}
	}
	for _, e := range r.Added {
		r.Size.Added += e.Size
	}
	for _, e := range r.Removed {
		r.Size.Removed += e.Size
	}
	for _, c := range r.Changed {
		r.Size.Changed += c.Delta
	}
	byPath := func(x, y Entry) int { return strings.Compare(x.Path, y.Path) }
	slices.SortFunc(r.Added, byPath)
	slices.SortFunc(r.Removed, byPath)
	slices.SortFunc(r.Changed, func(x, y Change) int { return strings.Compare(x.Path, y.Path) })
	r.Dirs = dirs(r)
	return nil
}

// sameBlob reports whether a's version of a path and b's come from the
// same layer blob: the same content, whatever its layer's place.
func sameBlob(a, b *Side, aid, bid layerfs.ID) bool {
	la, lb := a.Tree.Layer(aid), b.Tree.Layer(bid)
	return la >= 0 && lb >= 0 && a.Tree.Layers[la].DiffID == b.Tree.Layers[lb].DiffID
}

// contentDecides reports whether only the contents can tell a's version
// from b's: regular files of one size from different blobs.
func contentDecides(a, b *Side, aid, bid layerfs.ID) bool {
	return a.Tree.Type(aid) == tar.TypeReg && b.Tree.Type(bid) == tar.TypeReg &&
		a.Tree.Size(aid) == b.Tree.Size(bid) && a.Tree.Size(aid) > 0 && !sameBlob(a, b, aid, bid)
}

func sum(s *Side, id layerfs.ID) (Sum, bool) {
	l := s.Tree.Layer(id)
	if l < 0 || l >= len(s.Sums) || s.Sums[l] == nil {
		return Sum{}, false
	}
	h, ok := s.Sums[l][s.Tree.Path(id)]
	return h, ok
}

// change compares the two versions of one path: the cheap fields first,
// without building paths, since most paths do not change.
func change(a, b *Side, aid, bid layerfs.ID) (Change, bool) {
	ta, tb := a.Tree, b.Tree
	var what []string
	if ta.Type(aid) != tb.Type(bid) {
		what = append(what, "type")
	}
	if bytesOf(ta, aid) != bytesOf(tb, bid) {
		what = append(what, "size")
	}
	if ta.Mode(aid) != tb.Mode(bid) {
		what = append(what, "mode")
	}
	ua, ga := ta.Owner(aid)
	ub, gb := tb.Owner(bid)
	if ua != ub || ga != gb {
		what = append(what, "owner")
	}
	if ta.Link(aid) != tb.Link(bid) {
		what = append(what, "link")
	}
	if contentDecides(a, b, aid, bid) {
		ha, okA := sum(a, aid)
		hb, okB := sum(b, bid)
		if !okA || !okB || ha != hb {
			what = append(what, "content") // unread content counts as changed: diff never hides one
		}
	}
	if len(what) == 0 {
		return Change{}, false
	}
	ea, eb := entry(a, aid, ta.Path(aid)), entry(b, bid, tb.Path(bid))
	return Change{Path: ea.Path, What: what, A: ea, B: eb, Delta: eb.Size - ea.Size}, true
}

func entry(s *Side, id layerfs.ID, p string) Entry {
	t := s.Tree
	e := Entry{Path: p, Type: layerfs.TypeName(t.Type(id)), Size: bytesOf(t, id), Layer: t.Layer(id)}
	e.Mode = fmt.Sprintf("%04o", uint32(t.Mode(id))&0o7777)
	e.UID, e.GID = t.Owner(id)
	if t.Type(id) == tar.TypeSymlink || t.Type(id) == tar.TypeLink {
		e.Link = t.Link(id)
	}
	if h, ok := sum(s, id); ok {
		e.SHA256 = hex.EncodeToString(h[:])
	}
	return e
}

// dirs sums the byte changes into the directories above them, down to
// maxDirDepth levels, and keeps the largest.
func dirs(r *Report) []Dir {
	acc := map[string]*Dir{}
	add := func(p string, a, b int64) {
		for d := path.Dir(p); ; d = path.Dir(d) {
			if depth(d) <= maxDirDepth {
				x := acc[d]
				if x == nil {
					x = &Dir{Path: d}
					acc[d] = x
				}
				x.A, x.B = x.A+a, x.B+b
			}
			if d == "/" {
				return
			}
		}
	}
	for _, e := range r.Added {
		add(e.Path, 0, e.Size)
	}
	for _, e := range r.Removed {
		add(e.Path, e.Size, 0)
	}
	for _, c := range r.Changed {
		add(c.Path, c.A.Size, c.B.Size)
	}
	for _, d := range acc {
		d.Delta = d.B - d.A
	}
	// A directory whose change is all one subdirectory's says nothing
	// more: the deepest of such a chain stays.
	explained := map[string]bool{}
	for _, d := range acc {
		if parent := acc[path.Dir(d.Path)]; d.Path != "/" && parent != nil && parent.A == d.A && parent.B == d.B {
			explained[parent.Path] = true
		}
	}
	var out []Dir
	for _, d := range acc {
		if d.Delta != 0 && d.Path != "/" && !explained[d.Path] {
			out = append(out, *d)
		}
	}
	slices.SortFunc(out, func(x, y Dir) int {
		return cmp.Or(cmp.Compare(abs(y.Delta), abs(x.Delta)), strings.Compare(x.Path, y.Path))
	})
	return out[:min(len(out), maxDirs)]
}

func depth(p string) int {
	if p == "/" {
		return 0
	}
	return strings.Count(p, "/")
}

func abs(n int64) int64 {
	if n < 0 {
		return -n
	}
	return n
}

// history matches the history lines of a and b (a Dockerfile has tens of
// lines: the quadratic table is small).
func history(a, b *v1.ConfigFile) History {
	lines := func(cf *v1.ConfigFile) []string {
		var out []string
		for _, h := range cf.History {
			out = append(out, strings.TrimSpace(h.CreatedBy))
		}
		return out
	}
	la, lb := lines(a), lines(b)
	// lcs[i][j] is the longest common subsequence of la[i:] and lb[j:].
	lcs := make([][]int, len(la)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(lb)+1)
	}
	for i := len(la) - 1; i >= 0; i-- {
		for j := len(lb) - 1; j >= 0; j-- {
			if la[i] == lb[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	h := History{Common: lcs[0][0], Removed: []string{}, Added: []string{}}
	i, j := 0, 0
	for i < len(la) || j < len(lb) {
		switch {
		case i < len(la) && j < len(lb) && la[i] == lb[j]:
			i, j = i+1, j+1
		case j == len(lb) || (i < len(la) && lcs[i+1][j] >= lcs[i][j+1]):
			h.Removed = append(h.Removed, la[i])
			i++
		default:
			h.Added = append(h.Added, lb[j])
			j++
		}
	}
	return h
}
