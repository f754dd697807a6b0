package report

import "slices"

// rect is a rectangle of the treemap, in the SVG's units.
type rect struct{ x, y, w, h float64 }

// squarify lays values (largest first, all positive) out in r as a
// squarified treemap (Bruls, Huizing and van Wijk, 2000): rows along the
// shorter side, each row grown while it makes its rectangles squarer.
func squarify(values []float64, r rect) []rect {
	out := make([]rect, len(values))
	var total float64
	for _, v := range values {
		total += v
	}
	if total <= 0 || r.w <= 0 || r.h <= 0 {
		return out
	}
	scale := r.w * r.h / total // area per unit of value
	i := 0
	for i < len(values) {
		short := min(r.w, r.h)
		row, sum := []int{i}, values[i]*scale
		worst := worstRatio(values, row, sum, scale, short)
		for j := i + 1; j < len(values); j++ {
			next := append(slices.Clone(row), j)
			s := sum + values[j]*scale
			if w := worstRatio(values, next, s, scale, short); w <= worst {
				row, sum, worst = next, s, w
				continue
			}
			break
		}
		// Lay the row along the shorter side; the rest of r remains.
		thick := sum / short
		pos := 0.0
		for _, k := range row {
			length := values[k] * scale / thick
			if r.w >= r.h { // a column on the left
				out[k] = rect{r.x, r.y + pos, thick, length}
			} else { // a row on top
				out[k] = rect{r.x + pos, r.y, length, thick}
			}
			pos += length
		}
		if r.w >= r.h {
			r.x, r.w = r.x+thick, r.w-thick
		} else {
			r.y, r.h = r.y+thick, r.h-thick
		}
		i += len(row)
	}
	return out
}

// worstRatio is the largest aspect ratio of a row of rectangles of total
// area sum laid along a side of length short.
func worstRatio(values []float64, row []int, sum, scale, short float64) float64 {
	thick := sum / short
	worst := 0.0
	for _, k := range row {
		length := values[k] * scale / thick
		ratio := max(length/thick, thick/length)
		worst = max(worst, ratio)
	}
	return worst
}
