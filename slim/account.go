package slim

import (
	"archive/tar"
	"cmp"
	"path"
	"slices"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/dietimage/diet/analyze"
	"github.com/dietimage/diet/entry"
	"github.com/dietimage/diet/layerfs"
)

// Kept is a group of paths the slimmed image keeps, and why.
type Kept struct {
	// Reason is ReasonBase, ReasonEntrypoint, ReasonConfig, ReasonOverBase, "keep:GLOB"
	// (kept by WithKeep from a rule that would have removed it), or the
	// level's name: no rule of the level removes it.
	Reason string `json:"reason"`
	Path   string `json:"path,omitempty"` // the glob, or the root a rule spared
	// Bytes are regular-file sizes and symlink target lengths, as docker
	// counts them, before strip and UPX.
	Bytes  int64 `json:"bytes"`
	Files  int   `json:"files"`            // regular files and symlinks
	Layers int   `json:"layers,omitempty"` // ReasonBase: how many
}

// Reasons for [Kept].
const (
	// ReasonBase is the base layers, kept byte-identical: every byte they
	// store, hidden or not.
	ReasonBase = "base-layers"
	// ReasonEntrypoint is what the entrypoint needs: at level minimal its
	// closure (WithPaths); at level prune a culprit root holding the
	// entrypoint or command, such as the toolchain a program runs from.
	ReasonEntrypoint = "entrypoint"
	// ReasonConfig is what the image's configuration names, kept by level
	// minimal: the working directory, /tmp, the user and host files a
	// service reads, the time zones when TZ is set.
	ReasonConfig = "config"
	// ReasonOverBase is a newer version of a path the kept base layers
	// also hold, which a rule would remove: left out, the base's older
	// version would show through, so it stays as the image has it.
	ReasonOverBase = "over-base"
)

// Warning is something slimming was asked for and did not do.
type Warning struct {
	Kind  string `json:"kind"`
	Glob  string `json:"glob,omitempty"`
	Bytes int64  `json:"bytes,omitempty"` // what the request would have reached
	Files int    `json:"files,omitempty"`
}

// Kinds of [Warning].
const (
	// WarnPruneInBase: level prune leaves the base layers byte-identical,
	// and they hold Bytes of what it would remove (WithKeepBase(0) reaches them).
	WarnPruneInBase = "prune-in-base"
	// WarnRemoveInBase: WithRemove(Glob) matches Bytes in the base layers,
	// which stay byte-identical (WithKeepBase(0) reaches them).
	WarnRemoveInBase = "remove-in-base"
	// WarnKeepUnmatched and WarnRemoveUnmatched: Glob matches no path of
	// the image.
	WarnKeepUnmatched   = "keep-unmatched"
	WarnRemoveUnmatched = "remove-unmatched"
)

// ledger tallies, during the plan's walk, why each byte goes or stays.
type ledger struct {
	kept    map[[2]string]*Kept
	present int64               // bytes present in the layers above the base
	inBase  map[string]*Warning // by kind and glob
	matched []bool              // by glob: keep globs, then remove globs
	config  map[string]bool     // the paths ReasonConfig names
}

func newLedger(o options, cf *v1.ConfigFile) *ledger {
	l := &ledger{kept: map[[2]string]*Kept{}, inBase: map[string]*Warning{},
		matched: make([]bool, len(o.keep)+len(o.remove)), config: map[string]bool{}}
	for _, p := range append([]string{"/tmp", path.Clean("/" + cf.Config.WorkingDir)}, entry.CommonFiles()...) {
		l.config[p] = true
	}
	for _, e := range cf.Config.Env {
		if strings.HasPrefix(e, "TZ=") {
			l.config["/usr/share/zoneinfo"] = true
		}
	}
	return l
}

// size is what docker counts for id: a regular file's bytes or a
// symlink's target length; ok is false for what counts nothing.
func size(t *layerfs.Tree, id layerfs.ID) (n int64, ok bool) {
	switch t.Type(id) {
	case tar.TypeReg:
		return t.Size(id), true
	case tar.TypeSymlink:
		return int64(len(t.Link(id))), true
	}
	return 0, false
}

// match notes the globs that match name itself.
func (l *ledger) match(o options, name string) {
	for i, g := range o.keep {
		if !l.matched[i] {
			l.matched[i], _ = path.Match(g, name)
		}
	}
	for i, g := range o.remove {
		if j := len(o.keep) + i; !l.matched[j] {
			l.matched[j], _ = path.Match(g, name)
		}
	}
}

// keep counts a kept file under reason.
func (l *ledger) keep(reason, root string, n int64) {
	k := l.kept[[2]string{reason, root}]
	if k == nil {
		k = &Kept{Reason: reason, Path: strings.Clone(root)}
		l.kept[[2]string{reason, root}] = k
	}
	k.Bytes += n
	k.Files++
}

// base counts a file of the base layers that a request would have reached.
func (l *ledger) base(kind, glob string, n int64) {
	w := l.inBase[kind+"\x00"+glob]
	if w == nil {
		w = &Warning{Kind: kind, Glob: glob}
		l.inBase[kind+"\x00"+glob] = w
	}
	w.Bytes += n
	w.Files++
}

// inBase checks a present file of the kept base layers against what was
// asked: --remove globs and, at level prune, the pruned categories.
func (p *Plan) inBase(l *ledger, name string, n int64, used []string) {
	for _, g := range p.opts.remove {
		if matches([]string{g}, name) {
			l.base(WarnRemoveInBase, g, n)
		}
	}
	if p.Level == Prune {
		if category, root, ok := analyze.Classify(name); ok && analyze.Prunes(category, root, used) {
			l.base(WarnPruneInBase, "", n)
		}
	}
}

// why says why a file no rule removes is kept.
func (p *Plan) why(l *ledger, name string, kept map[string]bool) (reason, root string) {
	switch p.Level {
	case Minimal:
		if l.config[name] {
			return ReasonConfig, ""
		}
		if kept[name] {
			return ReasonEntrypoint, ""
		}
	case Prune:
		// A pruned category that no rule removed: it holds a program the
		// image runs.
		if category, root, ok := analyze.Classify(name); ok && analyze.Prunes(category, root, nil) {
			return ReasonEntrypoint, root
		}
	}
	return p.Level.String(), ""
}

// close turns the tallies into the plan's Kept, SquashedBytes and Warnings.
func (p *Plan) close(l *ledger) {
	var base, above int64
	for i, layer := range p.tree.Layers {
		if i < p.KeepBase {
			base += layer.FileBytes + layer.SymlinkBytes
		} else {
			above += layer.FileBytes + layer.SymlinkBytes
		}
	}
	p.SquashedBytes = above - l.present
	if p.KeepBase > 0 {
		p.Kept = append(p.Kept, Kept{Reason: ReasonBase, Bytes: base, Layers: p.KeepBase})
	}
	var rest []Kept
	for _, k := range l.kept {
		rest = append(rest, *k)
	}
	slices.SortFunc(rest, func(a, b Kept) int {
		return cmp.Or(cmp.Compare(b.Bytes, a.Bytes), cmp.Compare(a.Reason, b.Reason), cmp.Compare(a.Path, b.Path))
	})
	p.Kept = append(p.Kept, rest...)
	if w := l.inBase[WarnPruneInBase+"\x00"]; w != nil {
		p.Warnings = append(p.Warnings, *w)
	}
	for _, g := range p.opts.remove {
		if w := l.inBase[WarnRemoveInBase+"\x00"+g]; w != nil {
			p.Warnings = append(p.Warnings, *w)
		}
	}
	for i, g := range p.opts.keep {
		if !l.matched[i] {
			p.Warnings = append(p.Warnings, Warning{Kind: WarnKeepUnmatched, Glob: g})
		}
	}
	for i, g := range p.opts.remove {
		if !l.matched[len(p.opts.keep)+i] {
			p.Warnings = append(p.Warnings, Warning{Kind: WarnRemoveUnmatched, Glob: g})
		}
	}
}
