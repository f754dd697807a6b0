package image

import (
	"context"
	"fmt"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/partial"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// writeRemote pushes s to the registry reference r.name. The layers are
// gzipped first, jobs at once, into unlinked files in o.tempDir: a push
// needs each blob's digest before its bytes, and may retry an upload.
// ggcr's remote.Write then uploads what the registry lacks, jobs at once,
// and the manifest last, so an interrupted push leaves no tag behind.
func writeRemote(ctx context.Context, s *source, r imageRef, o *options) error {
	var nopts []name.Option
	if o.insecure {
		nopts = append(nopts, name.Insecure)
	}
	ref, err := name.ParseReference(r.name, nopts...)
	if err != nil {
		return tag(ErrInvalid, err)
	}
	blobs, err := compressLayers(ctx, s, o.tempDir, o.jobs, true)
	if err != nil {
		return err
	}
	defer closeBlobs(blobs)
	img, err := s.gzImage(blobs)
	if err != nil {
		return err
	}
	ropts := []remote.Option{remote.WithContext(ctx), remote.WithAuthFromKeychain(o.keychain), remote.WithJobs(o.jobs)}
	ropts = append(ropts, remote.WithTransport(o.transport()))
	if err := remote.Write(ref, img, ropts...); err != nil {
		return registryError(err)
	}
	return nil
}

// gzImage is s with its layers in blobs, as ggcr's compressed core.
type gzImage struct {
	raw, manifest []byte
	blobs         map[v1.Hash]*gzBlob // by digest
}

var _ partial.CompressedImageCore = (*gzImage)(nil)

func (s *source) gzImage(blobs []*gzBlob) (v1.Image, error) {
	m, err := s.gzManifest(blobs)
	if err != nil {
		return nil, err
	}
	core := &gzImage{raw: s.raw, manifest: m, blobs: make(map[v1.Hash]*gzBlob, len(blobs))}
	for _, b := range blobs {
		core.blobs[b.digest] = b
	}
	return partial.CompressedToImage(core)
}

// RawConfigFile implements partial.CompressedImageCore.
func (i *gzImage) RawConfigFile() ([]byte, error) { return i.raw, nil }

// MediaType implements partial.CompressedImageCore.
func (i *gzImage) MediaType() (types.MediaType, error) { return types.OCIManifestSchema1, nil }

// RawManifest implements partial.CompressedImageCore.
func (i *gzImage) RawManifest() ([]byte, error) { return i.manifest, nil }

// LayerByDigest implements partial.CompressedImageCore.
func (i *gzImage) LayerByDigest(h v1.Hash) (partial.CompressedLayer, error) {
	if b, ok := i.blobs[h]; ok {
		return b, nil
	}
	return nil, tag(ErrNotFound, fmt.Errorf("blob %s: not in the image", short(h)))
}
