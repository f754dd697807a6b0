package image

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/dietimage/diet/internal/diskspace"
)

// writeArchiveFile writes s as a docker save archive to a temporary file
// beside r.path and renames it into place. A file being read from r.path
// stays readable: its descriptor keeps the old inode alive.
func writeArchiveFile(ctx context.Context, s *source, r imageRef, o *options) error {
	sizes := make(map[v1.Hash]int64, len(s.first))
	for _, i := range s.first {
		sizes[s.diffIDs[i]] = knownSize(s.layers[i]) // -1: patched after the body
	}
	return writeTarFile(ctx, r.path, s, o, func(t *tarStream) error {
		return writeArchive(ctx, t, s, r.name, sizes)
	})
}

// writeTarFile writes an outer tar with write to a temporary file beside
// path, its bytes checked against the free space, and renames it into
// place (commitFile: not once ctx is done).
func writeTarFile(ctx context.Context, path string, s *source, o *options, write func(*tarStream) error) error {
	f, err := createBeside(path)
	if err != nil {
		return err
	}
	defer f.Abort()
	g := diskspace.New(filepath.Dir(f.Name()), o.minFree)
	if err := write(&tarStream{w: g.Writer(f), f: f.File, mtime: s.mtime, g: g}); err != nil {
		return err
	}
	return commitFile(ctx, f)
}

// writeArchive writes s to t as Docker 25+ saves an image, which is also
// what Docker 20.10 loads: each distinct layer once, uncompressed, as
// blobs/sha256/<diff ID>, and the config as blobs/sha256/<digest>, in
// digest order; then the OCI manifest blob, index.json, manifest.json (the
// classic entry point, pointing into blobs/), oci-layout and, for a tagged
// image, repositories. Readers of both formats find everything, with no
// byte stored twice. sizes gives each layer's size, -1 when unknown.
func writeArchive(ctx context.Context, t *tarStream, s *source, ref string, sizes map[v1.Hash]int64) error {
	t.buf = make([]byte, 1<<20)
	for _, d := range []string{"blobs/", "blobs/sha256/"} {
		if err := t.header(d, tar.TypeDir, 0); err != nil {
			return err
		}
	}
	blobs := []int{-1} // layer indexes; -1 is the config
	blobs = append(blobs, s.first...)
	digest := func(i int) v1.Hash {
		if i < 0 {
			return s.config
		}
		return s.diffIDs[i]
	}
	slices.SortFunc(blobs, func(a, b int) int { return strings.Compare(digest(a).Hex, digest(b).Hex) })
	written := map[v1.Hash]int64{}
	for _, i := range blobs {
		h := digest(i)
		if _, ok := written[h]; ok {
			continue // a layer whose bytes are the config's: the same blob
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if i < 0 {
			written[h] = int64(len(s.raw))
			if err := t.file(blobPath(h), s.raw); err != nil {
				return err
			}
			continue
		}
		n, err := t.layer(ctx, blobPath(h), s.layers[i], h, sizes[h])
		if err != nil {
			return s.layerError(i, err)
		}
		written[h] = n
	}
	descs := make([]v1.Descriptor, len(s.diffIDs))
	for i, h := range s.diffIDs {
		descs[i] = v1.Descriptor{MediaType: types.OCIUncompressedLayer, Digest: h, Size: written[h]}
	}
	return writeArchiveDocs(t, s, ref, descs)
}

// writeArchiveDocs writes the small documents that follow the blobs.
func writeArchiveDocs(t *tarStream, s *source, ref string, descs []v1.Descriptor) error {
	m, err := s.manifest(descs)
	if err != nil {
		return err
	}
	mh, _, _ := v1.SHA256(bytes.NewReader(m))
	entry := classicEntry{Config: blobPath(s.config), Layers: make([]string, len(descs))}
	for i, d := range descs {
		entry.Layers[i] = blobPath(d.Digest)
	}
	var annots map[string]string
	var repos map[string]map[string]string
	if ref != "" {
		n, err := name.NewTag(ref)
		if err != nil {
			return tag(ErrInvalid, err) // parseRef checked it
		}
		repo, full := dockerNames(n)
		entry.RepoTags = []string{repo + ":" + n.TagStr()}
		annots = map[string]string{annotContainerd: full, annotRefName: n.TagStr()}
		if len(descs) > 0 {
			repos = map[string]map[string]string{repo: {n.TagStr(): descs[len(descs)-1].Digest.Hex}}
		}
	}
	idx, err := s.index(m, annots)
	if err != nil {
		return err
	}
	mj, err := json.Marshal([]classicEntry{entry})
	if err != nil {
		return err
	}
	docs := []doc{{blobPath(mh), m}, {"index.json", idx}, {"manifest.json", mj}, {"oci-layout", ociLayout}}
	if repos != nil {
		b, err := json.Marshal(repos)
		if err != nil {
			return err
		}
		docs = append(docs, doc{"repositories", b})
	}
	for _, d := range docs {
		if err := t.file(d.name, d.b); err != nil {
			return err
		}
	}
	return t.close()
}

// doc is a small member of an archive or file of a layout.
type doc struct {
	name string
	b    []byte
}

// dockerNames spells a tag as docker save does: the repository as docker
// shows it ("alpine", "ghcr.io/x/y") for manifest.json and repositories,
// and the full name containerd records (docker.io/library/alpine:3.20).
func dockerNames(n name.Tag) (repo, full string) {
	reg, path := n.RegistryStr(), n.RepositoryStr()
	if reg != name.DefaultRegistry {
		return reg + "/" + path, reg + "/" + path + ":" + n.TagStr()
	}
	return strings.TrimPrefix(path, "library/"), "docker.io/" + path + ":" + n.TagStr()
}
