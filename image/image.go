package image

import (
	"bytes"
	"context"
	"fmt"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/partial"
)

// Open opens the image named by ref. Transports follow skopeo:
//
//	docker-archive:PATH[:REF]  a docker save tarball, classic (manifest.json,
//	                           <id>/layer.tar) or Docker 25+ OCI-in-tar
//	                           (index.json, blobs/); REF is a tag or @N
//	oci:DIR[:TAG]              an OCI image layout directory
//	oci-archive:PATH[:TAG]     an OCI image layout in a tar (skopeo, buildah)
//	docker://REF               a registry; credentials from WithKeychain
//	docker-daemon:REF          the local Docker engine (DOCKER_HOST, or the
//	                           socket /var/run/docker.sock)
//
// A bare name is "-" for standard input (docker save IMAGE | diet analyze
// -), an existing file (docker-archive), a directory with
// index.json (oci), or a reference: docker-daemon when the engine has it,
// else docker://. A multi-platform index yields the image for WithPlatform.
//
// Errors are [*Error] naming ref, and match the package's sentinels.
func Open(ctx context.Context, ref string, opts ...Option) (v1.Image, error) {
	img, err := open(ctx, ref, opts)
	if err != nil {
		return nil, &Error{Ref: ref, Err: err}
	}
	return img, nil
}

func open(ctx context.Context, ref string, opts []Option) (v1.Image, error) {
	o, err := makeOptions(opts...)
	if err != nil {
		return nil, err
	}
	r, err := parseRef(ref)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if r, err = r.resolve(ctx, o); err != nil {
		return nil, err
	}
	switch r.transport {
	case transportArchive, transportOCIArchive:
		return openArchive(ctx, r, o)
	case transportOCI:
		return openLayout(ctx, r, o)
	case transportDocker:
		return openRemote(ctx, r, o)
	case transportDaemon:
		return openDaemon(ctx, r, o)
	}
	panic("image: unresolved transport " + r.transport) // resolve always sets one
}

// storer is an image whose source stores its manifest.
type storer interface {
	stored() (v1.Hash, []byte)
}

// Stored returns the manifest digest and raw manifest bytes of an image
// from [Open] whose source stores a manifest: a registry, an OCI layout, an
// OCI-in-tar archive. ok is false for a classic docker save archive (and a
// daemon's classic save stream), whose manifest digest would need every
// layer compressed, and for any image Open did not return.
func Stored(img v1.Image) (digest v1.Hash, manifest []byte, ok bool) {
	if s, ok := img.(storer); ok {
		d, m := s.stored()
		return d, m, true
	}
	return v1.Hash{}, nil, false
}

// storedImage marks an image from a layout or a registry as having a stored
// manifest. It forwards what ggcr's writers look for on the image itself.
type storedImage struct {
	v1.Image
	digest   v1.Hash
	manifest []byte
	name     string // the reference a registry image was pulled by
}

// newStored reads img's manifest: a cached or local read.
func newStored(img v1.Image) (*storedImage, error) {
	raw, err := img.RawManifest()
	if err != nil {
		return nil, fmt.Errorf("manifest: %w", err)
	}
	h, _, err := v1.SHA256(bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	return &storedImage{Image: img, digest: h, manifest: raw}, nil
}

func (s *storedImage) stored() (v1.Hash, []byte) { return s.digest, s.manifest }

// Digest implements v1.Image.
func (s *storedImage) Digest() (v1.Hash, error) { return s.digest, nil }

// RawManifest implements v1.Image.
func (s *storedImage) RawManifest() ([]byte, error) { return s.manifest, nil }

// Descriptor implements partial.Describable: the platform and annotations
// of the index entry the image came from, when the source had one.
func (s *storedImage) Descriptor() (*v1.Descriptor, error) { return partial.Descriptor(s.Image) }

// ConfigLayer implements partial's WithConfigLayer, keeping a registry's
// mountable config blob.
func (s *storedImage) ConfigLayer() (v1.Layer, error) { return partial.ConfigLayer(s.Image) }
