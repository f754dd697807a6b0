package image

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/dietimage/diet/internal/atomicfile"
)

// ociLayout is the oci-layout file of every layout diet writes.
var ociLayout = []byte(`{"imageLayoutVersion":"1.0.0"}`)

// writeLayout builds an OCI layout of s in a temporary directory beside
// r.path (layers gzipped there, jobs at once, each renamed to its digest)
// and puts it in place of r.path. An existing r.path must be an OCI layout
// or empty; it is replaced whole.
func writeLayout(ctx context.Context, s *source, r imageRef, o *options) (err error) {
	dir, err := filepath.Abs(r.path) // "oci:." has a parent too
	if err != nil {
		return err
	}
	if err := checkLayoutTarget(dir); err != nil {
		return err
	}
	parent, pattern := atomicfile.TempPattern(dir)
	tmp, err := os.MkdirTemp(parent, pattern)
	if err != nil {
		return noDir(parent, err)
	}
	defer func() {
		if err != nil {
			os.RemoveAll(tmp)
		}
	}()
	blobDir := filepath.Join(tmp, "blobs", "sha256")
	if err := os.MkdirAll(blobDir, 0o755); err != nil {
		return err
	}
	blobs, err := compressLayers(ctx, s, blobDir, o.jobs, false)
	if err != nil {
		return err
	}
	defer closeBlobs(blobs)
	for _, b := range blobs {
		if err := b.f.Chmod(0o644); err != nil { // CreateTemp made it 0600
			return err
		}
		if err := b.f.Sync(); err != nil {
			return err
		}
		if err := os.Rename(b.f.Name(), filepath.Join(blobDir, b.digest.Hex)); err != nil {
			return err
		}
	}
	m, err := s.gzManifest(blobs)
	if err != nil {
		return err
	}
	var annots map[string]string
	if r.name != "" {
		annots = map[string]string{annotRefName: r.name}
	}
	idx, err := s.index(m, annots)
	if err != nil {
		return err
	}
	mh, _, _ := v1.SHA256(bytes.NewReader(m))
	docs := []doc{{blobPath(s.config), s.raw}, {blobPath(mh), m}, {"index.json", idx}, {"oci-layout", ociLayout}}
	for _, d := range docs {
		err := writeSynced(filepath.Join(tmp, filepath.FromSlash(d.name)), d.b)
		if err != nil && !(errors.Is(err, fs.ErrExist) && d.name == blobPath(s.config)) {
			return err // a config that is also a layer's blob is there already
		}
	}
	for _, d := range []string{blobDir, filepath.Dir(blobDir), tmp} {
		if err := atomicfile.SyncDir(d); err != nil {
			return err
		}
	}
	if err := os.Chmod(tmp, 0o755); err != nil { // MkdirTemp made it 0700
		return err
	}
	if err := checkLayoutTarget(dir); err != nil { // again: it may have changed meanwhile
		return err
	}
	if err := ctx.Err(); err != nil { // the last moment to abort
		return err
	}
	return replaceDir(tmp, dir)
}

// manifest is the OCI image manifest of s with the layer descriptors descs.
func (s *source) manifest(descs []v1.Descriptor) ([]byte, error) {
	return json.Marshal(v1.Manifest{
		SchemaVersion: 2,
		MediaType:     types.OCIManifestSchema1,
		Config:        v1.Descriptor{MediaType: types.OCIConfigJSON, Digest: s.config, Size: int64(len(s.raw))},
		Layers:        descs,
	})
}

// index is an OCI index of the one manifest m, with the config's platform
// and the annotations that name it.
func (s *source) index(m []byte, annots map[string]string) ([]byte, error) {
	h, n, err := v1.SHA256(bytes.NewReader(m))
	if err != nil {
		return nil, err
	}
	d := v1.Descriptor{MediaType: types.OCIManifestSchema1, Digest: h, Size: n, Platform: s.platform, Annotations: annots}
	return json.Marshal(v1.IndexManifest{SchemaVersion: 2, MediaType: types.OCIImageIndex, Manifests: []v1.Descriptor{d}})
}
