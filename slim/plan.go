package slim

import (
	"archive/tar"
	"cmp"
	"fmt"
	"path"
	"slices"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/dietimage/diet/analyze"
	"github.com/dietimage/diet/layerfs"
)

// Plan is what slimming keeps, hides and removes, decided once by
// [NewPlan] for one image; [Plan.Rewrite] makes it.
type Plan struct {
	Level    Level
	KeepBase int // layers kept byte-identical below the new one
	// Removed lists what the rules left out of the new layer, grouped by
	// rule and root, largest first.
	Removed      []Removal
	RemovedBytes int64
	// Kept lists what the slimmed image keeps, grouped by reason and
	// root, the base layers first, then largest first.
	Kept []Kept
	// SquashedBytes are what merging the layers above the base saves by
	// itself: the bytes they store that the final filesystem no longer
	// has. With RemovedBytes, strip and UPX they add up to the bytes saved.
	SquashedBytes int64
	// Warnings say what was asked for and not done.
	Warnings []Warning
	// KeepFiles are the regular files WithKeep kept that a rule would
	// have removed, and KeepBytes their size.
	KeepFiles int
	KeepBytes int64

	// A plan is not changed once made: Rewrite may run any number of times
	// and returns what it wrote.
	img       v1.Image
	tree      *layerfs.Tree
	keep      []bool   // by node: written into the new layer
	whiteouts []string // base paths the new layer must hide
	opts      options
}

// Written is what the new layer holds.
type Written struct {
	Entries      int   `json:"entries"`
	FileBytes    int64 `json:"file_bytes"`
	SymlinkBytes int64 `json:"symlink_bytes"`
	TarBytes     int64 `json:"tar_bytes"`
	// Stripped counts the ELF files strip made smaller, by StrippedBytes.
	Stripped      int   `json:"stripped"`
	StrippedBytes int64 `json:"stripped_bytes"`
}

// Packing is what UPX did to the new layer's executables.
type Packing struct {
	SavedBytes int64      `json:"saved_bytes"`
	Packed     []Packed   `json:"packed"`
	Skipped    []Unpacked `json:"skipped"`
	// Startup is the start-up cost, measured by the caller; nil when not.
	Startup *Startup `json:"startup"`
}

// Packed is an executable UPX packed, with its sizes before and after.
type Packed struct {
	Path   string `json:"path"`
	Before int64  `json:"before"`
	After  int64  `json:"after"`
}

// Unpacked is an executable UPX left as it was, and why.
type Unpacked struct {
	Path   string `json:"path"`
	Reason string `json:"reason"`
}

// Startup compares the time the same command takes in the original image
// and in the slimmed one: the median of Runs runs each, in the sandbox.
type Startup struct {
	Command  []string `json:"command"`
	Runs     int      `json:"runs"`
	BeforeMS float64  `json:"before_ms"`
	AfterMS  float64  `json:"after_ms"`
	// Note says why it was not measured, when it was not.
	Note string `json:"note,omitempty"`
}

// Removal is a group of paths a rule left out.
type Removal struct {
	Rule  string `json:"rule"` // a culprit category, "remove:GLOB" or "minimal"
	Path  string `json:"path"`
	Bytes int64  `json:"bytes"` // regular-file sizes and symlink target lengths
	Files int    `json:"files"` // regular files and symlinks
}

// NewPlan decides, for the image img whose merged tree is t, what level
// keeps. The plan reads img's layers again when it rewrites them.
func NewPlan(img v1.Image, t *layerfs.Tree, level Level, opts ...Option) (*Plan, error) {
	o, err := makeOptions(opts)
	if err != nil {
		return nil, err
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	o.created = cf.Created.Time
	p := &Plan{Level: level, img: img, tree: t, keep: make([]bool, t.Len()), opts: o}
	switch {
	case level == Minimal:
		p.KeepBase = 0
	case o.keepBase >= 0:
		p.KeepBase = min(o.keepBase, len(t.Layers))
	default:
		p.KeepBase = analyze.BaseLayers(cf.History, len(t.Layers))
	}
	used := analyze.Programs(cf.Config)
	kept := keepSet(o.keepSet)
	removed := map[[2]string]*Removal{}
	l := newLedger(o, cf)
	t.Walk(func(id layerfs.ID, name string) bool {
		if !t.Present(id) {
			return true
		}
		if len(l.matched) > 0 {
			l.match(o, name)
		}
		n, counted := size(t, id)
		if t.Layer(id) < p.KeepBase {
			if counted {
				p.inBase(l, name, n, used)
			}
			return true
		}
		rule, root := p.rule(name, kept, used)
		// A newer version of a path the base holds stays: left out, the
		// base's older one would show through.
		if rule != "" && t.PresentBelow(id, p.KeepBase) {
			p.keep[id] = true
			if counted {
				l.present += n
				l.keep(ReasonOverBase, "", n)
			}
			return true
		}
		glob := ""
		if rule != "" {
			glob = firstMatch(o.keep, name)
		}
		if rule == "" || glob != "" {
			p.keep[id] = true
			if counted {
				l.present += n
				if glob != "" {
					l.keep("keep:"+glob, glob, n)
					if t.Type(id) == tar.TypeReg {
						p.KeepFiles++
						p.KeepBytes += n
					}
				} else {
					reason, root := p.why(l, name, kept)
					l.keep(reason, root, n)
				}
			}
			return true
		}
		if counted {
			l.present += n
			k := [2]string{rule, root}
			r := removed[k]
			if r == nil {
				r = &Removal{Rule: rule, Path: strings.Clone(root)}
				removed[k] = r
			}
			r.Bytes += n
			r.Files++
			p.RemovedBytes += n
		}
		return true
	})
	for _, r := range removed {
		p.Removed = append(p.Removed, *r)
	}
	slices.SortFunc(p.Removed, func(a, b Removal) int {
		return cmp.Or(cmp.Compare(b.Bytes, a.Bytes), cmp.Compare(a.Rule, b.Rule), cmp.Compare(a.Path, b.Path))
	})
	p.close(l)
	if p.KeepBase > 0 {
		p.whiteouts = hidden(t, p.KeepBase)
	}
	return p, nil
}

// rule names why path p would leave the new layer but for WithKeep, or ""
// when it stays.
func (p *Plan) rule(name string, kept map[string]bool, used []string) (rule, root string) {
	for _, g := range p.opts.remove {
		if matches([]string{g}, name) {
			return "remove:" + g, g
		}
	}
	switch p.Level {
	case Minimal:
		if !kept[name] {
			return "minimal", "/"
		}
	case Prune:
		category, root, ok := analyze.Classify(name)
		if ok && analyze.Prunes(category, root, used) {
			return category, root
		}
	}
	return "", ""
}

// matches reports whether p or one of its parents matches a glob.
func matches(globs []string, p string) bool { return firstMatch(globs, p) != "" }

// firstMatch is the first glob that p or one of its parents matches, or "".
func firstMatch(globs []string, p string) string {
	for _, g := range globs {
		for q := p; ; q = path.Dir(q) {
			if ok, _ := path.Match(g, q); ok {
				return g
			}
			if q == "/" {
				break
			}
		}
	}
	return ""
}

// keepSet is the paths Minimal keeps, with every parent directory.
func keepSet(paths []string) map[string]bool {
	set := map[string]bool{"/": true}
	for _, p := range paths {
		for q := path.Clean("/" + p); !set[q]; q = path.Dir(q) {
			set[q] = true
		}
	}
	return set
}
