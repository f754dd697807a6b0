package slim

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/partial"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Image is a slimmed image: the base layers as they were, then the new
// layer. The new layer is made once, the first time it is needed: written
// straight into a sink that asks for it first ([Image.StreamLayer], as
// image.Write does for a docker-archive, so the kept bytes are written
// once), or else spooled to an unlinked temporary file on the first read
// of the config or the layers. Close releases that file.
type Image struct {
	v1.Image
	c *core
}

// Rewrite returns the slimmed image of the plan: the base layers of the
// image NewPlan was given, then one new layer with what the plan keeps.
// The config is carried over; the history keeps the base's entries, marks
// the squashed ones empty, and says what diet did. The layer is made
// later, under ctx (see [Image]); the plan is not changed, and each call
// makes a layer of its own.
func (p *Plan) Rewrite(ctx context.Context) (*Image, error) {
	layers, err := p.img.Layers()
	if err != nil {
		return nil, fmt.Errorf("layers: %w", err)
	}
	cf, err := p.img.ConfigFile()
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	c := &core{ctx: ctx, plan: p, layers: layers, cf: cf.DeepCopy()}
	img, err := partial.UncompressedToImage(c)
	if err != nil {
		return nil, err
	}
	return &Image{Image: img, c: c}, nil
}

// StreamLayer writes the new layer's uncompressed tar to w and returns its
// diff ID and size. Called before anything else reads the image, it makes
// the layer straight into w; later, it copies the spooled layer.
func (i *Image) StreamLayer(ctx context.Context, w io.Writer) (v1.Hash, int64, error) {
	return i.c.stream(ctx, w)
}

// Report sums up the plan and what the new layer holds, making the layer
// if no sink has. Input, Output and Verify are the caller's to fill.
func (i *Image) Report() (*Report, error) {
	c := i.c
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.made {
		if err := c.spool(); err != nil {
			return nil, err
		}
	}
	return c.plan.report(c.written, c.packing), nil
}

// Close releases the new layer's file. The image must not be read after.
func (i *Image) Close() error {
	i.c.mu.Lock()
	defer i.c.mu.Unlock()
	if i.c.f == nil {
		return nil
	}
	return i.c.f.Close()
}

// core is the slimmed image as a ggcr core: its config and its layers by
// diff ID. mutate would build the manifest on the first question about the
// config, gzipping every layer to learn its digest; a core leaves that to
// the sinks that need it (OCI layouts, registries).
type core struct {
	ctx    context.Context // for a layer made on a read, which has none
	plan   *Plan
	layers []v1.Layer     // the original image's
	cf     *v1.ConfigFile // the original's config, to be completed

	mu      sync.Mutex
	made    bool // raw, diffID, size, written and packing are set
	raw     []byte
	diffID  v1.Hash
	size    int64
	written Written
	packing *Packing
	f       *os.File // the layer spooled, or nil
}

// make writes the new layer to w and completes the config.
func (c *core) make(ctx context.Context, w io.Writer) error {
	r := &rewriter{Plan: c.plan}
	if c.plan.opts.upx {
		r.packing = &Packing{Packed: []Packed{}, Skipped: []Unpacked{}}
	}
	diffID, size, err := r.write(ctx, c.layers, w)
	if err != nil {
		return err
	}
	if c.made { // made before, streamed into a sink: the same bytes again
		if diffID != c.diffID {
			return fmt.Errorf("the new layer hashes to %s made again, %s first", diffID, c.diffID)
		}
		return nil
	}
	p := c.plan
	ncf := c.cf.DeepCopy()
	ncf.RootFS.DiffIDs = append(ncf.RootFS.DiffIDs[:p.KeepBase:p.KeepBase], diffID)
	ncf.History = p.history(c.cf.History)
	raw, err := json.Marshal(ncf)
	if err != nil {
		return err
	}
	c.made, c.raw, c.diffID, c.size, c.written, c.packing = true, raw, diffID, size, r.written, r.packing
	return nil
}

// spool makes the layer into a temporary file, unlinked at once (the open
// descriptor keeps it), unless it is there already. c.mu is held.
func (c *core) spool() error {
	if c.f != nil {
		return nil
	}
	f, err := os.CreateTemp(c.plan.opts.tempDir, "diet-layer-*.tar")
	if err != nil {
		return err
	}
	os.Remove(f.Name())
	if err := c.make(c.ctx, f); err != nil {
		f.Close()
		return err
	}
	c.f = f
	return nil
}

// stream writes the layer to w: made straight into it the first time,
// copied from the spool after.
func (c *core) stream(ctx context.Context, w io.Writer) (v1.Hash, int64, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.made {
		err := c.make(ctx, w)
		return c.diffID, c.size, err
	}
	if err := c.spool(); err != nil {
		return v1.Hash{}, 0, err
	}
	n, err := io.Copy(w, io.NewSectionReader(c.f, 0, c.size))
	return c.diffID, n, err
}

// RawConfigFile implements partial.UncompressedImageCore.
func (c *core) RawConfigFile() ([]byte, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.made {
		if err := c.spool(); err != nil {
			return nil, err
		}
	}
	return c.raw, nil
}

// MediaType implements partial.UncompressedImageCore.
func (c *core) MediaType() (types.MediaType, error) { return types.DockerManifestSchema2, nil }

// LayerByDiffID implements partial.UncompressedImageCore.
func (c *core) LayerByDiffID(h v1.Hash) (partial.UncompressedLayer, error) {
	if _, err := c.RawConfigFile(); err != nil {
		return nil, err
	}
	if h == c.diffID {
		return &newLayer{c}, nil
	}
	for i, d := range c.cf.RootFS.DiffIDs[:c.plan.KeepBase] {
		if d == h {
			// Only the layer itself: a descriptor carried from another
			// manifest (empty annotations and the like) would not survive
			// the round trip through JSON, and the manifest would not
			// verify.
			return struct{ v1.Layer }{c.layers[i]}, nil
		}
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

// newLayer is the new layer, read from its spool.
type newLayer struct{ c *core }

func (l *newLayer) DiffID() (v1.Hash, error) { return l.c.diffID, nil }

// Uncompressed returns the section of the spool, whose Outer lets a writer
// copy it file to file in the kernel.
func (l *newLayer) Uncompressed() (io.ReadCloser, error) {
	sr, err := l.section()
	if err != nil {
		return nil, err
	}
	return sectionCloser{sr}, nil
}

type sectionCloser struct{ *io.SectionReader }

func (sectionCloser) Close() error { return nil }

func (l *newLayer) MediaType() (types.MediaType, error) { return types.DockerLayer, nil }

// UncompressedSection lets diet's own readers skip file bodies.
func (l *newLayer) UncompressedSection() (*io.SectionReader, bool) {
	sr, err := l.section()
	return sr, err == nil
}

func (l *newLayer) section() (*io.SectionReader, error) {
	c := l.c
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.spool(); err != nil {
		return nil, err
	}
	return io.NewSectionReader(c.f, 0, c.size), nil
}
