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

// Image is a slimmed image: a v1.Image whose new layer lives in an
// unlinked temporary file until Close. Written and Packing say what
// Rewrite put in that layer.
type Image struct {
	v1.Image
	// Written describes the new layer.
	Written Written
	// Packing says what UPX did; nil without WithUPX.
	Packing *Packing

	plan *Plan
	f    *os.File
}

// Close releases the new layer's file. The image must not be read after.
func (i *Image) Close() error { return i.f.Close() }

// Rewrite builds the slimmed image: the base layers of the image NewPlan
// was given, as they were, then one new layer with what the plan keeps.
// The config is carried over; the history keeps the base's entries, marks
// the squashed ones empty, and says what diet did. The plan is not
// changed: each call writes a new layer file.
func (p *Plan) Rewrite(ctx context.Context) (*Image, error) {
	layers, err := p.img.Layers()
	if err != nil {
		return nil, fmt.Errorf("layers: %w", err)
	}
	cf, err := p.img.ConfigFile()
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	w := &rewriter{Plan: p}
	if p.opts.upx {
		w.packing = &Packing{Packed: []Packed{}, Skipped: []Unpacked{}}
	}
	f, diffID, size, err := w.spool(ctx, layers)
	if err != nil {
		return nil, err
	}
	ncf := cf.DeepCopy()
	ncf.RootFS.DiffIDs = append(ncf.RootFS.DiffIDs[:p.KeepBase:p.KeepBase], diffID)
	ncf.History = p.history(cf.History)
	raw, err := json.Marshal(ncf)
	if err != nil {
		f.Close()
		return nil, err
	}
	c := &core{raw: raw, layers: map[v1.Hash]partial.UncompressedLayer{
		diffID: &fileLayer{f: f, size: size, diffID: diffID},
	}}
	for i, l := range layers[:p.KeepBase] {
		// Only the layer itself: a descriptor carried from another
		// manifest (empty annotations and the like) would not survive the
		// round trip through JSON, and the manifest would not verify.
		c.layers[ncf.RootFS.DiffIDs[i]] = struct{ v1.Layer }{l}
	}
	img, err := partial.UncompressedToImage(c)
	if err != nil {
		f.Close()
		return nil, err
	}
	return &Image{Image: img, Written: w.written, Packing: w.packing, plan: p, f: f}, nil
}

// core is the slimmed image as a ggcr core: its config and its layers by
// diff ID. mutate would build the manifest on the first question about the
// config, gzipping every layer to learn its digest; a core leaves that to
// the sinks that need it (OCI layouts, registries).
type core struct {
	raw    []byte
	layers map[v1.Hash]partial.UncompressedLayer
}

// RawConfigFile implements partial.UncompressedImageCore.
func (c *core) RawConfigFile() ([]byte, error) { return c.raw, nil }

// MediaType implements partial.UncompressedImageCore.
func (c *core) MediaType() (types.MediaType, error) { return types.DockerManifestSchema2, nil }

// LayerByDiffID implements partial.UncompressedImageCore.
func (c *core) LayerByDiffID(h v1.Hash) (partial.UncompressedLayer, error) {
	if l, ok := c.layers[h]; ok {
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
