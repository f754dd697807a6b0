package image

import (
	"archive/tar"
	"bytes"
	"context"
	"io"
	"path/filepath"
	"slices"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/dietimage/diet/internal/ctxio"
)

// writeOCIArchive writes s as an OCI layout in a tar, as skopeo's
// oci-archive: is: blobs/sha256/ (the gzipped layers, the config and the
// manifest, in digest order), index.json naming r.name, and oci-layout.
// Layers are gzipped, jobs at once, into unlinked files beside r.path (the
// layout's blobs are those of oci:, so every OCI reader takes them), then
// copied into a temporary file renamed into place.
func writeOCIArchive(ctx context.Context, s *source, r imageRef, o *options) error {
	if err := checkFileTarget(r.path); err != nil { // before the work of compressing
		return err
	}
	blobs, err := compressLayers(ctx, s, filepath.Dir(r.path), o.jobs, true)
	if err != nil {
		return err
	}
	defer closeBlobs(blobs)
	return writeTarFile(ctx, r.path, o, func(t *tarStream) error {
		t.mtime = s.mtime
		return writeOCIArchiveTar(ctx, t, s, r.name, blobs)
	})
}

// writeOCIArchiveTar writes the layout's members to t.
func writeOCIArchiveTar(ctx context.Context, t *tarStream, s *source, ref string, blobs []*gzBlob) error {
	m, err := s.gzManifest(blobs)
	if err != nil {
		return err
	}
	var annots map[string]string
	if ref != "" {
		annots = map[string]string{annotRefName: ref}
	}
	idx, err := s.index(m, annots)
	if err != nil {
		return err
	}
	mh, _, _ := v1.SHA256(bytes.NewReader(m))
	type blob struct {
		digest v1.Hash
		doc    []byte  // a small document, or
		gz     *gzBlob // a layer
	}
	all := []blob{{digest: s.config, doc: s.raw}, {digest: mh, doc: m}}
	for _, b := range blobs {
		all = append(all, blob{digest: b.digest, gz: b})
	}
	slices.SortStableFunc(all, func(a, b blob) int { return strings.Compare(a.digest.Hex, b.digest.Hex) })
	all = slices.CompactFunc(all, func(a, b blob) bool { return a.digest == b.digest })
	for _, d := range []string{"blobs/", "blobs/sha256/"} {
		if err := t.header(d, tar.TypeDir, 0); err != nil {
			return err
		}
	}
	for _, b := range all {
		if err := ctx.Err(); err != nil {
			return err
		}
		if b.gz == nil {
			if err := t.file(blobPath(b.digest), b.doc); err != nil {
				return err
			}
			continue
		}
		if err := t.header(blobPath(b.digest), tar.TypeReg, b.gz.size); err != nil {
			return err
		}
		w := writerFunc(t.write)
		if _, err := io.Copy(w, ctxio.Reader(ctx, io.NewSectionReader(b.gz.f, 0, b.gz.size))); err != nil {
			return err
		}
		if err := t.pad(); err != nil {
			return err
		}
	}
	for _, d := range []doc{{"index.json", idx}, {"oci-layout", ociLayout}} {
		if err := t.file(d.name, d.b); err != nil {
			return err
		}
	}
	return t.close()
}

// writerFunc makes a tarStream's write an io.Writer.
type writerFunc func([]byte) error

// Write implements io.Writer.
func (w writerFunc) Write(p []byte) (int, error) {
	if err := w(p); err != nil {
		return 0, err
	}
	return len(p), nil
}
