package report

import (
	"math"
	"testing"
)

// TestSquarify: the rectangles tile the area without overlap, each with
// an area in proportion to its value, and squarer than strips would be.
func TestSquarify(t *testing.T) {
	values := []float64{6, 6, 4, 3, 2, 2, 1}
	r := rect{0, 0, 600, 400}
	got := squarify(values, r)
	var total, area float64
	for _, v := range values {
		total += v
	}
	for i, g := range got {
		want := values[i] / total * r.w * r.h
		if math.Abs(g.w*g.h-want) > 1e-6*want {
			t.Errorf("rect %d: area %v, want %v", i, g.w*g.h, want)
		}
		if g.x < -1e-9 || g.y < -1e-9 || g.x+g.w > r.w+1e-6 || g.y+g.h > r.h+1e-6 {
			t.Errorf("rect %d %+v leaves %+v", i, g, r)
		}
		if ratio := max(g.w/g.h, g.h/g.w); ratio > 3 {
			t.Errorf("rect %d %+v: aspect ratio %.1f", i, g, ratio)
		}
		area += g.w * g.h
		for j := range i {
			o := got[j]
			if g.x < o.x+o.w-1e-6 && o.x < g.x+g.w-1e-6 && g.y < o.y+o.h-1e-6 && o.y < g.y+g.h-1e-6 {
				t.Errorf("rects %d %+v and %d %+v overlap", i, g, j, o)
			}
		}
	}
	if math.Abs(area-r.w*r.h) > 1e-6 {
		t.Errorf("rects cover %v of %v", area, r.w*r.h)
	}
	if out := squarify(nil, r); len(out) != 0 {
		t.Errorf("no values: %v", out)
	}
}
