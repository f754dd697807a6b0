package report

import (
	"cmp"
	"embed"
	"fmt"
	"html/template"
	"io"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/dietimage/diet/analyze"
)

// The page's size: the treemaps' viewBox, in SVG units.
const (
	mapW, mapH = 960.0, 480.0
	minSide    = 4.0  // a rectangle smaller than this is not split further
	labelH     = 14.0 // the strip a directory's name takes above its children
	barW       = 600.0
)

// palette colours layers, in order; it repeats past its end.
var palette = []string{"#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948",
	"#b07aa1", "#ff9da7", "#9c755f", "#bab0ac", "#86bcb6", "#d37295"}

func layerColour(i int) string { return palette[i%len(palette)] }

// box is one rectangle of a treemap.
type box struct {
	X, Y, W, H float64
	Fill       string
	Title      string // the hover text: path and bytes
	Label      string // drawn when the box is large enough; "" for none
	Leaf       bool
}

// The pages: analyze's (html.tmpl), diff's (diff.tmpl) and what they
// share (page.tmpl: the style, a treemap's rectangles).
//
//go:embed *.tmpl
var templates embed.FS

var pages = template.Must(template.New("").Funcs(template.FuncMap{
	"decimal":     Decimal,
	"exact":       Exact,
	"percent":     percent,
	"human":       Human,
	"colour":      layerColour,
	"f":           func(x float64) string { return strconv.FormatFloat(x, 'f', 1, 64) },
	"instruction": analyze.Instruction,
	"div":         func(x float64) float64 { return x / 2 },
	"neg":         func(n int64) int64 { return -n },
	"half":        func(x float64) string { return strconv.FormatFloat(x/2, 'f', 1, 64) },
	"barsHeight":  func(n int) int { return 22*n + 4 },
	"signed":      signed,
	"change":      change,
	"plural":      plural,
}).ParseFS(templates, "*.tmpl"))

// HTML writes r as one self-contained page for people who would rather
// look than read: the sizes, a treemap of the final filesystem (area: bytes,
// colour: the layer that stored them), a treemap of the wasted bytes, the
// layers as bars, culprits, recommendations, dive's figures and the
// accounting. No script, no network: SVG with hover titles and inline CSS.
// Every string of r is escaped by html/template.
func HTML(w io.Writer, r *analyze.Report) error {
	data := struct {
		R      *analyze.Report
		Final  []box
		Wasted []box
		Bars   []layerBar
		Groups []culpritGroup
		MapW   float64
		MapH   float64
	}{R: r, MapW: mapW, MapH: mapH}
	if r.Tree != nil {
		data.Final = treemap(r.Tree, rect{0, 0, mapW, mapH})
	}
	data.Wasted = wasteMap(r.Wasted, rect{0, 0, mapW, mapH / 2})
	data.Bars = bars(r.Layers)
	for _, g := range groups(r.Culprits) {
		top := slices.MaxFunc(g.items, func(a, b analyze.Culprit) int { return cmp.Compare(a.Bytes, b.Bytes) })
		data.Groups = append(data.Groups, culpritGroup{g.category, g.bytes, top, len(g.items) - 1})
	}
	return pages.ExecuteTemplate(w, "analyze", data)
}

// treemap lays d out in r: each directory a box with its name on top, its
// subdirectories inside, and its own files and the --top cut's rest as
// boxes of their own.
func treemap(d *analyze.Dir, r rect) []box {
	var out []box
	var walk func(d *analyze.Dir, r rect)
	walk = func(d *analyze.Dir, r rect) {
		title := fmt.Sprintf("%s — %s in %s files, mostly layer %d", d.Path, Human(d.Bytes), Exact(int64(d.Files)), d.Layer)
		if len(d.Children) == 0 || r.w < 3*minSide || r.h < labelH+2*minSide {
			out = append(out, box{r.x, r.y, r.w, r.h, layerColour(d.Layer), title, label(d.Path, r), true})
			return
		}
		out = append(out, box{r.x, r.y, r.w, r.h, "#ddd", title, label(d.Path, r), false})
		inner := rect{r.x + 1, r.y + labelH, r.w - 2, r.h - labelH - 1}
		type item struct {
			dir   *analyze.Dir
			bytes int64
			name  string
		}
		var items []item
		own := d.Bytes - d.OtherBytes
		for _, c := range d.Children {
			items = append(items, item{c, c.Bytes, ""})
			own -= c.Bytes
		}
		if d.OtherBytes > 0 {
			items = append(items, item{nil, d.OtherBytes, "smaller directories of " + d.Path})
		}
		if own > 0 {
			items = append(items, item{nil, own, "files directly in " + d.Path})
		}
		slices.SortStableFunc(items, func(a, b item) int { return cmp.Compare(b.bytes, a.bytes) })
		values := make([]float64, len(items))
		for i, it := range items {
			values[i] = float64(it.bytes)
		}
		for i, b := range squarify(values, inner) {
			if it := items[i]; it.dir != nil {
				walk(it.dir, b)
			} else {
				out = append(out, box{b.x, b.y, b.w, b.h, "#bbb", it.name + " — " + Human(it.bytes), "", true})
			}
		}
	}
	if d.Bytes > 0 {
		walk(d, r)
	}
	return out
}

// label is p's last element when it fits in r.
func label(p string, r rect) string {
	if p == "/" {
		return fits(p, r)
	}
	return fits(path.Base(p), r)
}

// fits is s when it fits in r at the labels' size, else "".
func fits(s string, r rect) string {
	if r.h < labelH || float64(len(s))*6.5 > r.w-4 {
		return ""
	}
	return s
}

// wasteMap aggregates the wasted versions by directory and the layers
// that stored and removed them, and lays the groups out; colour: the
// layer that stored them.
func wasteMap(ws []analyze.Waste, r rect) []box {
	ps := make([]piece, len(ws))
	for i, w := range ws {
		ps[i] = piece{w.Path, w.Bytes, layerColour(w.AddedIn), fmt.Sprintf("stored by layer %d, removed by layer %d", w.AddedIn, w.Layer)}
	}
	return groupMap(ps, r)
}

// A piece is bytes at a path that a grouped treemap sums with the pieces
// of its directory of the same fill and note.
type piece struct {
	Path  string
	Bytes int64
	Fill  string
	Note  string // after the directory and bytes in the hover text
}

// groupDepth is how deep a grouped treemap's directories go.
const groupDepth = 3

// groupMap sums the pieces by directory (groupDepth levels down), fill and
// note, and lays the groups out in r, largest first.
func groupMap(ps []piece, r rect) []box {
	type key struct{ dir, fill, note string }
	sums := map[key]int64{}
	for _, p := range ps {
		d := path.Dir(p.Path)
		for strings.Count(d, "/") > groupDepth {
			d = path.Dir(d)
		}
		sums[key{d, p.Fill, p.Note}] += p.Bytes
	}
	keys := make([]key, 0, len(sums))
	for k, n := range sums {
		if n > 0 {
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, func(a, b key) int {
		return cmp.Or(cmp.Compare(sums[b], sums[a]), strings.Compare(a.dir, b.dir), strings.Compare(a.note, b.note), strings.Compare(a.fill, b.fill))
	})
	values := make([]float64, len(keys))
	for i, k := range keys {
		values[i] = float64(sums[k])
	}
	var out []box
	for i, b := range squarify(values, r) {
		k := keys[i]
		name := k.dir // whole where it fits: two "apt" say little
		if fits(name, b) == "" {
			name = label(k.dir, b)
		}
		out = append(out, box{b.x, b.y, b.w, b.h, k.fill, fmt.Sprintf("%s — %s %s", k.dir, Human(sums[k]), k.note), name, true})
	}
	return out
}

// culpritGroup is a culprit category for the page: its bytes and its
// largest place.
type culpritGroup struct {
	Category string
	Bytes    int64
	Top      analyze.Culprit
	More     int
}

// layerBar is one layer's row of bars: what it stores (wasted part apart)
// and what of earlier layers it removes, in SVG units.
type layerBar struct {
	Layer        analyze.Layer
	Y            float64
	Size, Wasted float64
	Removes      float64
	Fill         string
}

func bars(ls []analyze.Layer) []layerBar {
	var most int64 = 1
	for _, l := range ls {
		most = max(most, l.SizeBytes, l.RemovedBytes)
	}
	scale := barW / float64(most)
	out := make([]layerBar, len(ls))
	for i, l := range ls {
		out[i] = layerBar{Layer: l, Y: float64(i) * 22, Size: float64(l.SizeBytes) * scale,
			Wasted: float64(l.WastedBytes) * scale, Removes: float64(l.RemovedBytes) * scale, Fill: layerColour(l.Index)}
	}
	return out
}
