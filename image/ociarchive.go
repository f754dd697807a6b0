package image

import (
	"bytes"
	"context"
	"fmt"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/partial"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// openOCIArchive opens the image r chooses in an archive that holds an OCI
// layout (Docker 25+ docker save): index.json, oci-layout, blobs/.
func openOCIArchive(ctx context.Context, x *tarIndex, r imageRef, o *options) (v1.Image, error) {
	raw, err := x.read("index.json")
	if err != nil {
		return nil, err
	}
	im, err := v1.ParseIndexManifest(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("index.json: %w", err)
	}
	ai := &archiveIndex{ctx: ctx, x: x, raw: raw, im: im}
	has := func(h v1.Hash) bool { return x.has(blobPath(h)) }
	img, byPlatform, err := resolve(ai, r, o, has)
	if err != nil {
		return nil, err
	}
	if !byPlatform {
		return img, checkConfig(img, o)
	}
	return img, nil
}

func blobPath(h v1.Hash) string { return "blobs/" + h.Algorithm + "/" + h.Hex }

// readBlob reads a small blob (a manifest or config) and checks it against
// its descriptor.
func readBlob(x *tarIndex, d v1.Descriptor) ([]byte, error) {
	p := blobPath(d.Digest)
	b, err := x.read(p)
	if err != nil {
		return nil, err
	}
	h, n, err := v1.SHA256(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	if h != d.Digest || (d.Size != 0 && n != d.Size) {
		return nil, tag(ErrMismatch, fmt.Errorf("%s: content is %s (%d bytes), want %d bytes", p, short(h), n, d.Size))
	}
	return b, nil
}

// archiveIndex is an index (index.json or a blob) inside an archive.
type archiveIndex struct {
	ctx context.Context
	x   *tarIndex
	raw []byte
	im  *v1.IndexManifest
}

var _ v1.ImageIndex = (*archiveIndex)(nil)

// MediaType implements v1.ImageIndex.
func (i *archiveIndex) MediaType() (types.MediaType, error) {
	if i.im.MediaType != "" {
		return i.im.MediaType, nil
	}
	return types.OCIImageIndex, nil
}

// Digest implements v1.ImageIndex.
func (i *archiveIndex) Digest() (v1.Hash, error) {
	h, _, err := v1.SHA256(bytes.NewReader(i.raw))
	return h, err
}

// Size implements v1.ImageIndex.
func (i *archiveIndex) Size() (int64, error) { return int64(len(i.raw)), nil }

// IndexManifest implements v1.ImageIndex.
func (i *archiveIndex) IndexManifest() (*v1.IndexManifest, error) { return i.im, nil }

// RawManifest implements v1.ImageIndex.
func (i *archiveIndex) RawManifest() ([]byte, error) { return i.raw, nil }

func (i *archiveIndex) find(h v1.Hash) (v1.Descriptor, error) {
	for _, d := range i.im.Manifests {
		if d.Digest == h {
			return d, nil
		}
	}
	return v1.Descriptor{}, tag(ErrNotFound, fmt.Errorf("%s: not in the index", short(h)))
}

// ImageIndex implements v1.ImageIndex.
func (i *archiveIndex) ImageIndex(h v1.Hash) (v1.ImageIndex, error) {
	d, err := i.find(h)
	if err != nil {
		return nil, err
	}
	raw, err := readBlob(i.x, d)
	if err != nil {
		return nil, err
	}
	im, err := v1.ParseIndexManifest(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", blobPath(h), err)
	}
	return &archiveIndex{ctx: i.ctx, x: i.x, raw: raw, im: im}, nil
}

// Image implements v1.ImageIndex: the manifest, config and layer sections
// are looked up and checked now, so a broken archive fails here.
func (i *archiveIndex) Image(h v1.Hash) (v1.Image, error) {
	d, err := i.find(h)
	if err != nil {
		return nil, err
	}
	raw, err := readBlob(i.x, d)
	if err != nil {
		return nil, fmt.Errorf("manifest: %w", err)
	}
	m, err := v1.ParseManifest(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("manifest %s: %w", blobPath(h), err)
	}
	cfg, err := readBlob(i.x, m.Config)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	cf, err := v1.ParseConfigFile(bytes.NewReader(cfg))
	if err != nil {
		return nil, fmt.Errorf("config %s: %w", blobPath(m.Config.Digest), err)
	}
	if len(cf.RootFS.DiffIDs) != len(m.Layers) {
		return nil, tag(ErrMismatch, fmt.Errorf("config lists %d layers, manifest %s %d", len(cf.RootFS.DiffIDs), short(h), len(m.Layers)))
	}
	core := &ociCore{raw: raw, cfg: cfg, mt: m.MediaType}
	if core.mt == "" {
		core.mt = d.MediaType
	}
	for n, ld := range m.Layers {
		l, err := ociLayer(i.ctx, i.x, ld, cf.RootFS.DiffIDs[n])
		if err != nil {
			return nil, fmt.Errorf("layer %s: %w", short(ld.Digest), err)
		}
		core.layers = append(core.layers, l)
	}
	ci, err := partial.CompressedToImage(core)
	if err != nil {
		return nil, err
	}
	// Docker 25+ records the image's name here (in full: docker.io/...).
	return &ociImage{Image: ci, core: core, digest: h, name: d.Annotations[annotContainerd]}, nil
}

func ociLayer(ctx context.Context, x *tarIndex, d v1.Descriptor, diffID v1.Hash) (*archiveLayer, error) {
	p := blobPath(d.Digest)
	sr, err := x.open(p)
	if err != nil {
		return nil, err
	}
	if sr.Size() != d.Size {
		return nil, tag(ErrMismatch, fmt.Errorf("%s: %d bytes, the manifest says %d", p, sr.Size(), d.Size))
	}
	comp, err := sniff(sr)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	return &archiveLayer{ctx: ctx, blob: sr, comp: comp, diffID: diffID, mt: d.MediaType, stored: true, digest: d.Digest}, nil
}

// ociCore is a partial.CompressedImageCore over a stored manifest.
type ociCore struct {
	raw, cfg []byte
	mt       types.MediaType
	layers   []*archiveLayer
}

// RawConfigFile implements partial.CompressedImageCore.
func (c *ociCore) RawConfigFile() ([]byte, error) { return c.cfg, nil }

// MediaType implements partial.CompressedImageCore.
func (c *ociCore) MediaType() (types.MediaType, error) { return c.mt, nil }

// RawManifest implements partial.CompressedImageCore.
func (c *ociCore) RawManifest() ([]byte, error) { return c.raw, nil }

// LayerByDigest implements partial.CompressedImageCore.
func (c *ociCore) LayerByDigest(h v1.Hash) (partial.CompressedLayer, error) {
	for _, l := range c.layers {
		if l.digest == h {
			return l, nil
		}
	}
	return nil, tag(ErrNotFound, fmt.Errorf("layer %s: not in the image", short(h)))
}

// ociImage hands out the archive's own layers (ggcr's extender would wrap
// them and hide UncompressedSection) and remembers its stored manifest.
type ociImage struct {
	v1.Image
	core   *ociCore
	digest v1.Hash
	name   string // the io.containerd.image.name annotation, if any
}

// Layers implements v1.Image.
func (i *ociImage) Layers() ([]v1.Layer, error) {
	ls := make([]v1.Layer, len(i.core.layers))
	for n, l := range i.core.layers {
		ls[n] = l
	}
	return ls, nil
}

// LayerByDigest implements v1.Image.
func (i *ociImage) LayerByDigest(h v1.Hash) (v1.Layer, error) {
	l, err := i.core.LayerByDigest(h)
	if err != nil {
		return nil, err
	}
	return l.(*archiveLayer), nil
}

// LayerByDiffID implements v1.Image.
func (i *ociImage) LayerByDiffID(h v1.Hash) (v1.Layer, error) {
	for _, l := range i.core.layers {
		if l.diffID == h {
			return l, nil
		}
	}
	return nil, tag(ErrNotFound, fmt.Errorf("layer %s: not in the image", short(h)))
}

// Digest implements v1.Image: the stored manifest's digest.
func (i *ociImage) Digest() (v1.Hash, error) { return i.digest, nil }

func (i *ociImage) stored() (v1.Hash, []byte) { return i.digest, i.core.raw }
