package analyze

import (
	"archive/tar"
	"cmp"
	"iter"
	"slices"

	"github.com/dietimage/diet/layerfs"
)

// version is one stored version of a path and what became of it.
type version struct {
	layerfs.Event
	// next is the event that removed or replaced this version; its Kind
	// is zero when the version survives in the final filesystem.
	next layerfs.Event
}

// versions yields every version of id that stored content (Added or
// Modified), paired with the event that ended it, if any.
func versions(t *layerfs.Tree, id layerfs.ID) iter.Seq[version] {
	return func(yield func(version) bool) {
		var cur version
		have := false
		for e := range t.History(id) {
			if have {
				cur.next = e
				if !yield(cur) {
					return
				}
				have = false
			}
			if e.Kind == layerfs.Added || e.Kind == layerfs.Modified {
				cur, have = version{Event: e}, true
			}
		}
		if have {
			yield(cur)
		}
	}
}

func reason(e layerfs.Event) string {
	switch {
	case e.Kind == layerfs.Modified || e.Cause == layerfs.CauseReplaced:
		return ReasonOverwritten
	case e.Cause == layerfs.CauseOpaque:
		return ReasonOpaque
	}
	return ReasonDeleted
}

// waste lists every regular-file version stored in a layer but absent from
// the final filesystem, and totals it per layer in rows.
func waste(t *layerfs.Tree, rows []Layer) []Waste {
	var out []Waste
	for id := layerfs.ID(1); int(id) < t.Len(); id++ {
		for v := range versions(t, id) {
			if v.next.Kind == 0 || v.Size == 0 || v.Type != tar.TypeReg {
				continue
			}
			out = append(out, Waste{
				Path:    t.Path(id),
				Bytes:   v.Size,
				Layer:   v.next.Layer,
				AddedIn: v.Layer,
				Reason:  reason(v.next),
			})
			rows[v.Layer].WastedBytes += v.Size
			rows[v.next.Layer].RemovedBytes += v.Size
		}
	}
	slices.SortFunc(out, func(a, b Waste) int {
		return cmp.Or(cmp.Compare(b.Bytes, a.Bytes), cmp.Compare(a.Path, b.Path), cmp.Compare(a.AddedIn, b.AddedIn))
	})
	return out
}
