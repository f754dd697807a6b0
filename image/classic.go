package image

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/partial"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// classicEntry is one image of a classic docker save manifest.json.
type classicEntry struct {
	Config   string
	RepoTags []string
	Layers   []string
}

// classicCore is a partial.UncompressedImageCore over a classic archive.
type classicCore struct {
	raw    []byte
	layers []*archiveLayer // in config diff_ids order
}

var _ partial.UncompressedImageCore = (*classicCore)(nil)

// RawConfigFile implements partial.UncompressedImageCore.
func (c *classicCore) RawConfigFile() ([]byte, error) { return c.raw, nil }

// MediaType implements partial.UncompressedImageCore.
func (c *classicCore) MediaType() (types.MediaType, error) { return types.DockerManifestSchema2, nil }

// LayerByDiffID implements partial.UncompressedImageCore.
func (c *classicCore) LayerByDiffID(h v1.Hash) (partial.UncompressedLayer, error) {
	for _, l := range c.layers {
		if l.diffID == h {
			return l, nil
		}
	}
	return nil, tag(ErrNotFound, fmt.Errorf("layer %s: not in the image", short(h)))
}

// openClassic opens the image of a classic docker save archive that r chooses.
func openClassic(ctx context.Context, x *tarIndex, r imageRef, o *options) (v1.Image, error) {
	b, err := x.read("manifest.json")
	if err != nil {
		return nil, err
	}
	var entries []classicEntry
	if err := json.Unmarshal(b, &entries); err != nil {
		return nil, fmt.Errorf("manifest.json: %w", err)
	}
	e, err := chooseEntry(entries, r)
	if err != nil {
		return nil, err
	}
	cfgName, err := cleanName(e.Config)
	if err != nil {
		return nil, fmt.Errorf("manifest.json: config: %w", err)
	}
	raw, err := x.read(cfgName)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	cf, err := v1.ParseConfigFile(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("config %s: %w", cfgName, err)
	}
	if len(cf.RootFS.DiffIDs) != len(e.Layers) {
		return nil, tag(ErrMismatch, fmt.Errorf("config %s lists %d layers, manifest.json %d", cfgName, len(cf.RootFS.DiffIDs), len(e.Layers)))
	}
	core := &classicCore{raw: raw}
	for i, p := range e.Layers {
		id := cf.RootFS.DiffIDs[i]
		l, err := classicLayer(ctx, x, id, p)
		if err != nil {
			return nil, fmt.Errorf("layer %s: %w", short(id), err)
		}
		core.layers = append(core.layers, l)
	}
	ui, err := partial.UncompressedToImage(core)
	if err != nil {
		return nil, err
	}
	img := &classicImage{Image: ui, core: core}
	if len(e.RepoTags) > 0 {
		img.name = e.RepoTags[0]
	}
	return img, checkConfig(img, o)
}

func classicLayer(ctx context.Context, x *tarIndex, diffID v1.Hash, p string) (*archiveLayer, error) {
	p, err := cleanName(p)
	if err != nil {
		return nil, err
	}
	sr, err := x.open(p)
	if err != nil {
		return nil, err
	}
	comp, err := sniff(sr)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	l := &archiveLayer{ctx: ctx, blob: sr, comp: comp, diffID: diffID, mt: types.DockerLayer, stored: comp != uncompressed}
	if comp == zstded {
		l.mt = types.OCILayerZStd
	}
	return l, nil
}

// chooseEntry picks the image named by r (a tag or @N), or the only one.
func chooseEntry(entries []classicEntry, r imageRef) (classicEntry, error) {
	var have []string
	for i, e := range entries {
		if len(e.RepoTags) == 0 {
			have = append(have, "@"+strconv.Itoa(i))
		}
		have = append(have, e.RepoTags...)
	}
	switch {
	case r.index >= len(entries):
		return classicEntry{}, tag(ErrNotFound, fmt.Errorf("no image @%d: manifest.json lists %d", r.index, len(entries)))
	case r.index >= 0:
		return entries[r.index], nil
	case r.name != "":
		want := normalize(r.name)
		for _, e := range entries {
			for _, t := range e.RepoTags {
				if t == r.name || normalize(t) == want {
					return e, nil
				}
			}
		}
		return classicEntry{}, tag(ErrNotFound, fmt.Errorf("no image named %q (have %s)", r.name, strings.Join(have, ", ")))
	case len(entries) == 1:
		return entries[0], nil
	case len(entries) == 0:
		return classicEntry{}, tag(ErrNotFound, fmt.Errorf("manifest.json lists no image"))
	}
	return classicEntry{}, tag(ErrAmbiguous, fmt.Errorf("%d images (%s): choose one with :REF or :@N", len(entries), strings.Join(have, ", ")))
}

// classicImage completes ggcr's extender so that the layers it hands out are
// the archive's own (with UncompressedSection), and so that the synthesized
// manifest describes those very layers, each compressed at most once.
type classicImage struct {
	v1.Image
	name string // the entry's first RepoTag, if it has one
	core *classicCore

	mu       sync.Mutex
	manifest *v1.Manifest
}

// Layers implements v1.Image.
func (i *classicImage) Layers() ([]v1.Layer, error) {
	ls := make([]v1.Layer, len(i.core.layers))
	for n, l := range i.core.layers {
		ls[n] = l
	}
	return ls, nil
}

// LayerByDiffID implements v1.Image.
func (i *classicImage) LayerByDiffID(h v1.Hash) (v1.Layer, error) {
	l, err := i.core.LayerByDiffID(h)
	if err != nil {
		return nil, err
	}
	return l.(*archiveLayer), nil
}

// LayerByDigest implements v1.Image. It may compress every layer.
func (i *classicImage) LayerByDigest(h v1.Hash) (v1.Layer, error) {
	for _, l := range i.core.layers {
		if d, err := l.Digest(); err != nil {
			return nil, err
		} else if d == h {
			return l, nil
		}
	}
	return nil, tag(ErrNotFound, fmt.Errorf("layer %s: not in the image", short(h)))
}

// Manifest implements v1.Image. A classic archive stores no manifest: this
// one needs every uncompressed layer's gzip digest, so it costs a pass over
// each layer (see [Stored]).
func (i *classicImage) Manifest() (*v1.Manifest, error) {
	i.mu.Lock()
	defer i.mu.Unlock()
	if i.manifest != nil {
		return i.manifest, nil
	}
	h, n, err := v1.SHA256(bytes.NewReader(i.core.raw))
	if err != nil {
		return nil, err
	}
	m := &v1.Manifest{
		SchemaVersion: 2,
		MediaType:     types.DockerManifestSchema2,
		Config:        v1.Descriptor{MediaType: types.DockerConfigJSON, Size: n, Digest: h},
		Layers:        make([]v1.Descriptor, len(i.core.layers)),
	}
	for n, l := range i.core.layers {
		d, err := partial.Descriptor(l)
		if err != nil {
			return nil, err
		}
		m.Layers[n] = *d
	}
	i.manifest = m
	return m, nil
}

// RawManifest implements v1.Image.
func (i *classicImage) RawManifest() ([]byte, error) { return partial.RawManifest(i) }

// Digest implements v1.Image.
func (i *classicImage) Digest() (v1.Hash, error) { return partial.Digest(i) }

// Size implements v1.Image.
func (i *classicImage) Size() (int64, error) { return partial.Size(i) }
