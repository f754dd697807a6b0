package analyze

import (
	"context"
	"fmt"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/dietimage/diet/layerfs"
)

// Image analyses img.
func Image(ctx context.Context, img v1.Image, opts ...Option) (*Report, error) {
	o, err := makeOptions(opts)
	if err != nil {
		return nil, err
	}
	return analyzeImage(ctx, img, &o, nil)
}

// analyzeImage analyses img, taking the layers s walked from s.
func analyzeImage(ctx context.Context, img v1.Image, o *options, s *Stream) (*Report, error) {
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	rawConfig, err := img.RawConfigFile()
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	id, err := img.ConfigName()
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	layers, err := img.Layers()
	if err != nil {
		return nil, fmt.Errorf("layers: %w", err)
	}
	ins := newInspector(len(layers), o.duplicates)
	bopts := []layerfs.Option{
		layerfs.WithJobs(o.jobs),
		layerfs.WithVerify(o.verify),
		layerfs.WithFileFunc(ins.file),
	}
	if o.progress != nil {
		bopts = append(bopts, layerfs.WithProgress(func(p layerfs.Progress) {
			o.progress(Progress{LayersDone: p.LayersDone, Layers: p.Layers, BytesDone: p.BytesDone})
		}))
	}
	if s != nil {
		bopts = append(bopts, layerfs.WithWalks(s.walks...))
	}
	t, err := layerfs.Build(ctx, img, bopts...)
	if err != nil {
		return nil, err
	}
	if s != nil {
		for i, l := range t.Layers {
			if found := s.found[l.DiffID]; found != nil {
				ins.layers[i] = *found
			}
		}
	}
	return report(t, cf, int64(len(rawConfig)), id.String(), ins, o), nil
}

// report assembles the parts of a Report from a built tree.
func report(t *layerfs.Tree, cf *v1.ConfigFile, configBytes int64, id string, ins *inspector, o *options) *Report {
	r := &Report{Schema: Schema, Image: imageInfo(cf, id, o)}
	r.Layers = layerRows(t, cf.History)
	if o.filesystem != nil {
		o.filesystem(&Filesystem{t: t, bytes: map[int][]int64{}, touched: map[int][]bool{}})
	}
	if o.files {
		for i, fs := range layerFiles(t) {
			if fs == nil {
				fs = []LayerFile{} // "files": [], not absent: it was asked for
			}
			r.Layers[i].Files = &fs
		}
	}
	r.Wasted = waste(t, r.Layers)
	for _, w := range r.Wasted {
		r.WastedBytes += w.Bytes
	}
	r.Dive = dive(t)
	r.Culprits = culprits(t, ins)
	if o.duplicates {
		r.Duplicates = duplicates(ins)
	}
	var final int64
	r.Tree, final = dirTree(t, o.treeDepth, o.treeTop)
	r.Accounting = accounting(t, configBytes, o.manifestBytes)
	r.Size = Size{
		UncompressedBytes: r.Accounting.DockerSizeBytes,
		CompressedBytes:   r.Accounting.CompressedBytes,
		FinalBytes:        final,
	}
	base := BaseLayers(cf.History, len(t.Layers))
	r.Recommendations = recommend(r, base, Programs(cf.Config), overBase(t, base))
	return r
}

// SetCompressed gives the layers r has no compressed size for (the source
// stores them uncompressed) the sizes computed by the method by: sizes[i]
// for layer i, -1 to leave one unknown. The totals follow when every
// layer has one.
func (r *Report) SetCompressed(by string, sizes []int64) {
	for i := range r.Layers {
		if r.Layers[i].CompressedBytes == nil && i < len(sizes) && sizes[i] >= 0 {
			n := sizes[i]
			r.Layers[i].CompressedBytes = &n
			r.Size.CompressedBy = by
		}
	}
	var total int64
	for _, l := range r.Layers {
		if l.CompressedBytes == nil {
			return
		}
		total += *l.CompressedBytes
	}
	r.Size.CompressedBytes = &total
	c := total
	r.Accounting.CompressedBytes = &c
}

func imageInfo(cf *v1.ConfigFile, id string, o *options) ImageInfo {
	info := ImageInfo{
		Ref:        o.ref,
		ID:         id,
		Entrypoint: cf.Config.Entrypoint,
		Cmd:        cf.Config.Cmd,
		User:       cf.Config.User,
		WorkingDir: cf.Config.WorkingDir,
	}
	if o.digest != "" {
		info.Digest = &o.digest
	}
	if cf.OS != "" {
		info.Platform = cf.OS + "/" + cf.Architecture
		if cf.Variant != "" {
			info.Platform += "/" + cf.Variant
		}
	}
	return info
}

// layerRows pairs layers with the history entries that made them: entries
// marked empty_layer (ENV, CMD, ...) have no layer and are skipped.
func layerRows(t *layerfs.Tree, history []v1.History) []Layer {
	var made []v1.History
	for _, h := range history {
		if !h.EmptyLayer {
			made = append(made, h)
		}
	}
	// A history that does not match the layers (squashed or hand-made
	// images) is aligned from the top: the newest entries are the most
	// likely to be right.
	offset := len(made) - len(t.Layers)
	rows := make([]Layer, len(t.Layers))
	for i, l := range t.Layers {
		row := Layer{
			Index:     i,
			Digest:    l.Digest.String(),
			DiffID:    l.DiffID.String(),
			SizeBytes: l.FileBytes + l.SymlinkBytes,
			TarBytes:  l.TarBytes,
			Entries:   l.Entries,
			Added:     l.Added,
			Modified:  l.Modified,
			Deleted:   l.Deleted,
		}
		if l.Compressed >= 0 {
			c := l.Compressed
			row.CompressedBytes = &c
		}
		if j := i + offset; j >= 0 && j < len(made) {
			row.CreatedBy = strings.TrimSpace(made[j].CreatedBy)
			row.Comment = made[j].Comment
		}
		rows[i] = row
	}
	return rows
}
