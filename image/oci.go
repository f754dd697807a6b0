package image

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
)

// openLayout opens the image r chooses in the OCI layout directory r.path.
// ggcr's layout reads blobs lazily; the manifest, config and layer blobs are
// checked here so that a broken layout fails at Open.
func openLayout(ctx context.Context, r imageRef, o *options) (v1.Image, error) {
	fi, err := os.Stat(r.path)
	if err != nil {
		return nil, notExist(err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("%s is not a directory: a docker save tarball is opened as docker-archive:%s", r.path, r.path)
	}
	ii, err := layout.ImageIndexFromPath(r.path)
	if err != nil {
		return nil, notExist(err)
	}
	has := func(h v1.Hash) bool {
		fi, err := os.Lstat(filepath.Join(r.path, "blobs", h.Algorithm, h.Hex))
		return err == nil && fi.Mode().IsRegular()
	}
	img, byPlatform, err := resolve(ii, r, o, has)
	if err != nil {
		return nil, err
	}
	m, err := img.Manifest()
	if err != nil {
		return nil, fmt.Errorf("manifest: %w", err)
	}
	if _, err := img.ConfigFile(); err != nil {
		return nil, fmt.Errorf("config %s: %w", blobPath(m.Config.Digest), err)
	}
	for _, l := range m.Layers {
		if !has(l.Digest) {
			return nil, tag(ErrNotFound, fmt.Errorf("layer %s: %s: not in the layout", short(l.Digest), blobPath(l.Digest)))
		}
	}
	if !byPlatform {
		if err := checkConfig(img, o); err != nil {
			return nil, err
		}
	}
	return newStored(img)
}
