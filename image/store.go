package image

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/partial"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"golang.org/x/sync/errgroup"
)

// storeDrivers are the graph drivers whose layers are plain directories
// (<root>/<driver>/<cache-id>/diff) with the engine's classic image store
// beside them (<root>/image/<driver>/).
var storeDrivers = map[string]bool{"overlay2": true, "fuse-overlayfs": true}

// cacheID is what the engine names a layer's directory: hex, so a cache-id
// file cannot point elsewhere.
var cacheID = regexp.MustCompile(`^[0-9a-f]{1,128}$`)

// errCacheID: a layerdb cache-id that is not a directory name of the store.
var errCacheID = errors.New("bad cache-id")

// openStore builds image id from the engine's classic layer store under
// root (the engine's DockerRootDir) for graph driver driver, without
// docker save: the config from imagedb, the layers from layerdb in the
// config's order, each a [storeTar]. Everything is checked and every
// tar-split parsed before it returns, so that a store it cannot read fails
// here, where the caller can still read the save stream instead.
//
// name is the image's tag when the user named one, as docker save would
// record it.
func openStore(ctx context.Context, root, driver string, id v1.Hash, name string, o *options) (v1.Image, error) {
	if !storeDrivers[driver] {
		return nil, fmt.Errorf("storage driver %q: only overlay2 and fuse-overlayfs layers are directories diet reads", driver)
	}
	if id.Algorithm != "sha256" || !cacheID.MatchString(id.Hex) {
		return nil, fmt.Errorf("image ID %q", id)
	}
	db := filepath.Join(root, "image", driver)
	raw, err := os.ReadFile(filepath.Join(db, "imagedb", "content", "sha256", id.Hex))
	if err != nil {
		return nil, err
	}
	if h, _, _ := v1.SHA256(bytes.NewReader(raw)); h != id {
		return nil, tag(ErrMismatch, fmt.Errorf("imagedb: config of image %s hashes to %s", short(id), short(h)))
	}
	cf, err := v1.ParseConfigFile(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("imagedb: config of image %s: %w", short(id), err)
	}
	core := &classicCore{raw: raw, layers: make([]*archiveLayer, len(cf.RootFS.DiffIDs))}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(o.jobs)
	var chain v1.Hash
	for i, diffID := range cf.RootFS.DiffIDs {
		chain = chainID(chain, diffID)
		dir := filepath.Join(db, "layerdb", "sha256", chain.Hex)
		g.Go(func() error {
			if err := gctx.Err(); err != nil {
				return err
			}
			t, err := openStoreLayer(root, driver, dir, o.tempDir, diffID)
			if err != nil {
				return fmt.Errorf("layer %d (%s): %w", i+1, short(diffID), err)
			}
			core.layers[i] = &archiveLayer{ctx: ctx, blob: io.NewSectionReader(t, 0, t.size), comp: uncompressed, diffID: diffID, mt: types.DockerLayer}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	ui, err := partial.UncompressedToImage(core)
	if err != nil {
		return nil, err
	}
	img := &classicImage{Image: ui, core: core, name: name}
	return img, checkConfig(img, o)
}

// chainID is the layerdb key of a layer: its diff ID for the first layer,
// then sha256 of the parent's chain ID, a space, and the diff ID.
func chainID(parent, diffID v1.Hash) v1.Hash {
	if parent.Hex == "" {
		return diffID
	}
	return v1.Hash{Algorithm: "sha256", Hex: fmt.Sprintf("%x", sha256.Sum256([]byte(parent.String()+" "+diffID.String())))}
}

// openStoreLayer reads the layerdb directory dir of the layer diffID.
func openStoreLayer(root, driver, dir, tempDir string, diffID v1.Hash) (*storeTar, error) {
	diff, err := os.ReadFile(filepath.Join(dir, "diff"))
	if err != nil {
		return nil, err
	}
	if got := strings.TrimSpace(string(diff)); got != diffID.String() {
		return nil, tag(ErrMismatch, fmt.Errorf("layerdb: %s records diff ID %q", dir, got))
	}
	id, err := os.ReadFile(filepath.Join(dir, "cache-id"))
	if err != nil {
		return nil, err
	}
	cid := strings.TrimSpace(string(id))
	if !cacheID.MatchString(cid) {
		return nil, tag(errCacheID, fmt.Errorf("layerdb: %s: cache-id %q", dir, cid))
	}
	diffDir := filepath.Join(root, driver, cid, "diff")
	r, err := os.OpenRoot(diffDir)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(filepath.Join(dir, "tar-split.json.gz"))
	if err != nil {
		r.Close()
		return nil, err
	}
	defer f.Close()
	t, err := readTarSplit(f, r, short(diffID), tempDir)
	if err != nil {
		r.Close()
		return nil, fmt.Errorf("%s: %w", f.Name(), err)
	}
	return t, nil
}

// storeFallback says why the store of an engine cannot be read, or nil
// when it can be tried: the engine must be on this machine and keep its
// images in a classic store of a driver diet reads.
func storeFallback(e *engine, info engineInfo) error {
	if !e.local {
		return fmt.Errorf("the engine at %s is not on this machine", e.host)
	}
	for _, kv := range info.DriverStatus {
		if len(kv) == 2 && kv[0] == "driver-type" && strings.HasPrefix(kv[1], "io.containerd.snapshotter") {
			return errors.New("the engine keeps images in containerd's image store")
		}
	}
	if !storeDrivers[info.Driver] {
		return fmt.Errorf("the engine's storage driver is %q, not overlay2 or fuse-overlayfs", info.Driver)
	}
	if info.DockerRootDir == "" || !filepath.IsAbs(info.DockerRootDir) {
		return fmt.Errorf("the engine reports no root directory")
	}
	if _, err := os.Stat(filepath.Join(info.DockerRootDir, "image", info.Driver, "imagedb")); err != nil {
		if errors.Is(err, fs.ErrPermission) {
			return fmt.Errorf("its layer store is not readable: %w", err)
		}
		return err
	}
	return nil
}
