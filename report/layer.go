package report

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/dietimage/diet/analyze"
)

// LayerJSON writes one layer of a report, its files included, as JSON.
func LayerJSON(w io.Writer, l *analyze.Layer) error { return writeJSON(w, l) }

// LayerText writes what layer n of r added, changed and removed, largest
// first (diet analyze --layer N): r must hold the layers' files
// ([analyze.WithFiles]).
func LayerText(w io.Writer, r *analyze.Report, n int, o TextOptions) error {
	if n < 0 || n >= len(r.Layers) {
		return fmt.Errorf("no layer %d: the image has %s (0 to %d)", n, plural(len(r.Layers), "layer"), len(r.Layers)-1)
	}
	l := escaped(&r.Layers[n])
	if l.Files == nil {
		return fmt.Errorf("layer %d: no file list (analyze.WithFiles)", n)
	}
	p := &printer{w: w, color: o.Color, width: o.Width}
	if p.width <= 0 {
		p.width = DefaultWidth
	}
	p.printf("%s  %s\n", p.paint(bold, "Layer "+strconv.Itoa(n)), trim(strings.Join(strings.Fields(l.CreatedBy), " "), max(p.width-10, minLast), false))
	p.printf("  %s, %s added, %s changed, %s removed; %s stored, %s of earlier layers removed\n",
		l.Digest, Exact(int64(l.Added)), Exact(int64(l.Modified)), Exact(int64(l.Deleted)), Decimal(l.SizeBytes), Decimal(l.RemovedBytes))
	marks := map[string]string{"added": p.paint(green, "+"), "changed": p.paint(cyan, "~"), "removed": p.paint(red, "-")}
	t := table{align: "lrll", fit: true, keepEnd: true, style: []string{"", "", dim, ""}}
	for _, f := range *l.Files {
		kind := f.Type
		if f.Cause != "" {
			kind += " (" + f.Cause + ")"
		}
		t.row(marks[f.Kind], Decimal(f.Bytes), kind, f.Path)
	}
	p.table(&t)
	return p.err
}
