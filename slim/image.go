package slim

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/partial"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Rewrite builds the slimmed image: the base layers as they were, then one
// new layer with what the plan keeps. The new layer lives in an unlinked
// temporary file in dir ("" for the system's) for as long as the image is
// used. The config is carried over; the history keeps the base's entries,
// marks the squashed ones empty, and says what diet did.
func (p *Plan) Rewrite(ctx context.Context, img v1.Image, dir string) (v1.Image, error) {
	layers, err := img.Layers()
	if err != nil {
		return nil, fmt.Errorf("layers: %w", err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	p.opts.tempDir = dir
	f, diffID, size, err := p.spool(ctx, layers, dir)
	if err != nil {
		return nil, err
	}
	ncf := cf.DeepCopy()
	ncf.RootFS.DiffIDs = append(ncf.RootFS.DiffIDs[:p.KeepBase:p.KeepBase], diffID)
	ncf.History = p.history(cf.History)
	raw, err := json.Marshal(ncf)
	if err != nil {
		return nil, err
	}
	core := &image{raw: raw, layers: map[v1.Hash]partial.UncompressedLayer{
		diffID: &fileLayer{f: f, size: size, diffID: diffID},
	}}
	for i, l := range layers[:p.KeepBase] {
		// Only the layer itself: a descriptor carried from another
		// manifest (empty annotations and the like) would not survive the
		// round trip through JSON, and the manifest would not verify.
		core.layers[ncf.RootFS.DiffIDs[i]] = struct{ v1.Layer }{l}
	}
	return partial.UncompressedToImage(core)
}

// image is the slimmed image as a ggcr core: its config and its layers by
// diff ID. mutate would build the manifest on the first question about the
// config, gzipping every layer to learn its digest; a core leaves that to
// the sinks that need it (OCI layouts, registries).
type image struct {
	raw    []byte
	layers map[v1.Hash]partial.UncompressedLayer
}

// RawConfigFile implements partial.UncompressedImageCore.
func (i *image) RawConfigFile() ([]byte, error) { return i.raw, nil }

// MediaType implements partial.UncompressedImageCore.
func (i *image) MediaType() (types.MediaType, error) { return types.DockerManifestSchema2, nil }

// LayerByDiffID implements partial.UncompressedImageCore.
func (i *image) LayerByDiffID(h v1.Hash) (partial.UncompressedLayer, error) {
	if l, ok := i.layers[h]; ok {
		return l, nil
	}
	return nil, fmt.Errorf("no layer with diff ID %s", h)
}

// history keeps the entries of the base layers, turns the rest into
// empty-layer entries (what they did is in the new layer now) and adds the
// new layer's.
func (p *Plan) history(old []v1.History) []v1.History {
	var out []v1.History
	layers := 0
	for _, h := range old {
		if !h.EmptyLayer {
			if layers >= p.KeepBase {
				h.EmptyLayer = true
				h.Comment = strings.TrimSpace(h.Comment + " merged into the layer diet made")
			}
			layers++
		}
		out = append(out, h)
	}
	by := "diet slim --level " + p.Level.String()
	if p.opts.args != "" {
		by = "diet slim " + p.opts.args
	}
	return append(out, v1.History{Created: v1.Time{Time: p.opts.created}, CreatedBy: by, Comment: "diet"})
}

// fileLayer is an uncompressed layer in an open file.
type fileLayer struct {
	f      *os.File
	size   int64
	diffID v1.Hash
}

func (l *fileLayer) DiffID() (v1.Hash, error) { return l.diffID, nil }

// Uncompressed returns the section of the file, whose Outer lets a writer
// copy it file to file in the kernel.
func (l *fileLayer) Uncompressed() (io.ReadCloser, error) {
	return sectionCloser{io.NewSectionReader(l.f, 0, l.size)}, nil
}

type sectionCloser struct{ *io.SectionReader }

func (sectionCloser) Close() error { return nil }

func (l *fileLayer) MediaType() (types.MediaType, error) { return types.DockerLayer, nil }

// UncompressedSection lets diet's own readers skip file bodies.
func (l *fileLayer) UncompressedSection() (*io.SectionReader, bool) {
	return io.NewSectionReader(l.f, 0, l.size), true
}
