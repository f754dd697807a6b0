package analyze

import (
	"archive/tar"
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/dietimage/diet/layerfs"
)

// fix is the change that removes a culprit category from the layer that
// installs it.
type fix struct {
	id, title, action string
}

var aptFix = fix{"apt-clean-lists", "Remove apt lists and archives in the RUN that installs",
	"end the apt-get install RUN with `&& apt-get clean && rm -rf /var/lib/apt/lists/*`"}

var fixes = map[string]fix{
	"apk-cache":    {"apk-no-cache", "Install with apk add --no-cache", "replace `apk update && apk add X` with `apk add --no-cache X`"},
	"apt-lists":    aptFix,
	"apt-archives": aptFix,
	"pip-cache":    {"pip-no-cache-dir", "Install with pip --no-cache-dir", "use `pip install --no-cache-dir`"},
	"npm-cache":    {"npm-cache-clean", "Clean the npm/yarn cache in the RUN that installs", "end the install RUN with `&& npm cache clean --force` (or `yarn cache clean`)"},
}

// buildOnly are categories a runtime image never needs: a multi-stage
// build leaves them in the build stage.
var buildOnly = map[string]bool{
	"toolchain-go": true, "toolchain-gcc": true, "toolchain-rust": true, "toolchain-jdk": true,
	"source-tree": true, "headers": true, "static-libs": true, "go-build-cache": true,
	"go-module-cache": true, "cargo-registry": true, "maven-repository": true, "gradle-cache": true,
}

// recommend turns the findings into changes, each with the bytes it saves
// on this image. Bytes are counted once per recommendation; different
// recommendations may overlap (squash recovers what a same-RUN cleanup
// would have avoided). slim-prune counts what diet slim --level prune
// removes, by the same rule ([Prunes]) over the same layers: those above
// the base layers, which prune keeps byte-identical, less the newer
// versions of base paths (over), which prune keeps too.
func recommend(r *Report, base int, programs []string, over []Culprit) []Recommendation {
	var out []Recommendation
	add := func(rec Recommendation) {
		if rec.SavesBytes > 0 {
			out = append(out, rec)
		}
	}
	add(Recommendation{ID: "squash", SavesBytes: r.WastedBytes,
		Title:  "Squash the layers above the base: their deleted and overwritten bytes go",
		Action: "diet slim --level squash IMAGE -o OUT"})
	for _, l := range r.Layers {
		if l.RemovedBytes == 0 {
			continue
		}
		from := fromLayer(r, l.Index)
		add(Recommendation{ID: "same-run-cleanup", SavesBytes: l.RemovedBytes,
			Title: fmt.Sprintf("Layer %d deletes or replaces files of earlier layers; the bytes stay in the image", l.Index),
			Action: fmt.Sprintf("move `%s` into the instruction that created the files (layer %d: `%s`)",
				short(l.CreatedBy), from, short(r.Layers[from].CreatedBy))})
	}
	present := map[string]int64{}
	prune := map[string]int64{}
	var multi, strip int64
	for _, c := range r.Culprits {
		if c.RemovedBy != nil {
			continue
		}
		if c.Layer >= base && Prunes(c.Category, c.Path, programs) {
			prune[c.Category] += c.Bytes
		}
		switch {
		case c.Category == "unstripped-elf":
			strip += c.Bytes
		case buildOnly[c.Category]:
			multi += c.Bytes
		default:
			present[c.Category] += c.Bytes
		}
	}
	for _, c := range over {
		if Prunes(c.Category, c.Path, programs) {
			prune[c.Category] -= c.Bytes
		}
	}
	add(Recommendation{ID: "multi-stage", SavesBytes: multi,
		Title:  "Build in a separate stage: toolchains, sources, headers and build caches stay out of the final image",
		Action: "use a multi-stage Dockerfile and COPY --from=build only the artifacts (diet fix does it), or diet slim --level minimal"})
	add(Recommendation{ID: "strip-binaries", SavesBytes: strip,
		Title:  "Strip symbol tables and debug sections from binaries",
		Action: "build Go with -ldflags='-s -w' -trimpath, strip --strip-unneeded others, or diet slim --strip"})
	byFix := map[string]*Recommendation{}
	for cat, n := range present {
		f, ok := fixes[cat]
		if !ok {
			continue
		}
		if rec := byFix[f.id]; rec != nil {
			rec.SavesBytes += n
			continue
		}
		byFix[f.id] = &Recommendation{ID: f.id, Title: f.title, SavesBytes: n, Action: f.action}
	}
	for _, rec := range byFix {
		add(*rec)
	}
	add(pruneRecommendation(prune, base))
	slices.SortFunc(out, func(a, b Recommendation) int {
		return cmp.Or(cmp.Compare(b.SavesBytes, a.SavesBytes), cmp.Compare(a.ID, b.ID), cmp.Compare(a.Title, b.Title))
	})
	return out
}

// pruneRecommendation is diet slim --level prune: the bytes of the culprit
// categories it removes above the base, largest first in the title.
func pruneRecommendation(bytes map[string]int64, base int) Recommendation {
	rec := Recommendation{ID: "slim-prune", Action: "diet slim --level prune IMAGE -o OUT"}
	cats := make([]string, 0, len(bytes))
	for cat, n := range bytes {
		rec.SavesBytes += n
		cats = append(cats, cat)
	}
	slices.SortFunc(cats, func(a, b string) int { return cmp.Or(cmp.Compare(bytes[b], bytes[a]), cmp.Compare(a, b)) })
	where := ""
	if base > 0 { // prune keeps them byte-identical: what they hold is not counted
		where = " above the base layers"
	}
	rec.Title = fmt.Sprintf("Prune what no running container needs%s: %s", where, strings.Join(cats, ", "))
	return rec
}

// fromLayer is the earlier layer that lost the most bytes to layer i.
func fromLayer(r *Report, i int) int {
	lost := map[int]int64{}
	for _, w := range r.Wasted {
		if w.Layer == i && w.AddedIn != i {
			lost[w.AddedIn] += w.Bytes
		}
	}
	best := max(i-1, 0)
	for l, n := range lost {
		if n > lost[best] || (n == lost[best] && l < best) {
			best = l
		}
	}
	return best
}

// short trims a history line to what a reader recognises.
func short(s string) string {
	s = Instruction(s)
	if len(s) > 80 {
		s = s[:77] + "..."
	}
	return s
}

// overBase sums, by culprit category and root, the regular files of the
// final filesystem written from layer base up over a path the base layers
// hold: slim --level prune keeps them, since left out the base's older
// version would show through.
//
// Such files are few: the loop visits nodes by ID and builds the path of
// those alone, rather than walking every path.
func overBase(t *layerfs.Tree, base int) []Culprit {
	groups := map[[2]string]*Culprit{}
	for id := layerfs.ID(1); base > 0 && int(id) < t.Len(); id++ {
		if !t.Present(id) || t.Type(id) != tar.TypeReg || t.Layer(id) < base || !t.PresentBelow(id, base) {
			continue
		}
		category, root, ok := Classify(t.Path(id))
		if !ok {
			continue
		}
		k := [2]string{category, root}
		c := groups[k]
		if c == nil {
			c = &Culprit{Category: category, Path: root}
			groups[k] = c
		}
		c.Bytes += t.Size(id)
		c.Files++
	}
	var out []Culprit
	for _, c := range groups {
		out = append(out, *c)
	}
	return out
}
