package image

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
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
	return writeTarFile(ctx, r.path, o, func(t *tarStream) error {
		t.mtime = s.mtime
		return writeArchive(ctx, t, s, r.name, sizes)
	})
}

// streamer is an image with a layer made as it is written (package
// slim's new layer). Its config names that layer's diff ID, so it is read
// only once the layer is written.
type streamer interface {
	v1.Image
	StreamLayer(ctx context.Context, w io.Writer) (diffID v1.Hash, size int64, err error)
}

// streamArchiveFile writes img as writeArchiveFile does, but the
// streamer's layer first, straight from its maker: its bytes are written
// once, not spooled and copied. The headers written before the config is
// known get its time once it is.
func streamArchiveFile(ctx context.Context, img streamer, r imageRef, o *options) error {
	return writeTarFile(ctx, r.path, o, func(t *tarStream) error {
		if err := archiveDirs(t); err != nil {
			return err
		}
		at := t.off
		placeholder := blobPath(v1.Hash{Algorithm: "sha256", Hex: strings.Repeat("0", 64)})
		if err := t.header(placeholder, tar.TypeReg, 0); err != nil {
			return err
		}
		diffID, n, err := img.StreamLayer(ctx, writerFunc(t.write))
		if err != nil {
			return fmt.Errorf("the new layer: after %d bytes: %w", t.off-at-blockSize, err)
		}
		if got := t.off - at - blockSize; got != n {
			return tag(ErrMismatch, fmt.Errorf("the new layer: %d bytes written, %d said", got, n))
		}
		if err := t.pad(); err != nil {
			return err
		}
		s, err := newSource(img)
		if err != nil {
			return err
		}
		t.mtime = s.mtime
		b, err := tarHeader(blobPath(diffID), tar.TypeReg, n, t.mtime)
		if err != nil {
			return err
		}
		if _, err := t.f.WriteAt(b, at); err != nil {
			return err
		}
		if err := t.patchDirs(); err != nil {
			return err
		}
		sizes := make(map[v1.Hash]int64, len(s.first))
		for _, i := range s.first {
			sizes[s.diffIDs[i]] = knownSize(s.layers[i])
		}
		return archiveBlobs(ctx, t, s, r.name, sizes, map[v1.Hash]int64{diffID: n})
	})
}

// writeTarFile writes an outer tar with write to a temporary file beside
// path, its bytes checked against the free space, and renames it into
// place (commitFile: not once ctx is done).
func writeTarFile(ctx context.Context, path string, o *options, write func(*tarStream) error) error {
	f, err := createBeside(path)
	if err != nil {
		return err
	}
	defer f.Abort()
	g := diskspace.New(filepath.Dir(f.Name()), o.minFree)
	if err := write(&tarStream{w: g.Writer(f), f: f.File, g: g}); err != nil {
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
	if err := archiveDirs(t); err != nil {
		return err
	}
	return archiveBlobs(ctx, t, s, ref, sizes, map[v1.Hash]int64{})
}

// archiveDirs is the directories an archive's blobs are in.
func archiveDirs(t *tarStream) error {
	for _, d := range archiveDirNames {
		if err := t.header(d, tar.TypeDir, 0); err != nil {
			return err
		}
	}
	return nil
}

var archiveDirNames = []string{"blobs/", "blobs/sha256/"}

// patchDirs rewrites the headers of archiveDirs, the first members, with
// t's time.
func (t *tarStream) patchDirs() error {
	for i, d := range archiveDirNames {
		b, err := tarHeader(d, tar.TypeDir, 0, t.mtime)
		if err != nil {
			return err
		}
		if _, err := t.f.WriteAt(b, int64(i)*blockSize); err != nil {
			return err
		}
	}
	return nil
}

// archiveBlobs writes the blobs of s that written does not hold yet, and
// the documents after them. written maps each blob written to its size.
func archiveBlobs(ctx context.Context, t *tarStream, s *source, ref string, sizes, written map[v1.Hash]int64) error {
	t.buf = make([]byte, 1<<20)
	blobs := []int{-1} // layer indexes; -1 is the config
	blobs = append(blobs, s.first...)
	digest := func(i int) v1.Hash {
		if i < 0 {
			return s.config
		}
		return s.diffIDs[i]
	}
	slices.SortFunc(blobs, func(a, b int) int { return strings.Compare(digest(a).Hex, digest(b).Hex) })
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
