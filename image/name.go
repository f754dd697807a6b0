package image

import (
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// namer is an image whose source gave it a name.
type namer interface{ sourceName() string }

func (i *classicImage) sourceName() string { return i.name }
func (i *ociImage) sourceName() string     { return i.name }
func (s *storedImage) sourceName() string  { return s.name }

// Name returns the name the source knew img by, as docker spells it
// ("app:1", "ghcr.io/x/y:2", "app@sha256:…"): the reference a registry
// image was pulled by, the first RepoTag of a docker save archive's image
// (the engine's save stream too), or the io.containerd.image.name of a
// Docker 25+ archive. ok is false when the source named none (an
// untagged archive, an OCI layout) or img is not from [Open].
func Name(img v1.Image) (string, bool) {
	n, ok := img.(namer)
	if !ok || n.sourceName() == "" {
		return "", false
	}
	ref, err := name.ParseReference(n.sourceName())
	if err != nil {
		return "", false
	}
	repo, _ := dockerNames(ref.Context().Tag("latest"))
	if d, ok := ref.(name.Digest); ok {
		return repo + "@" + d.DigestStr(), true
	}
	return repo + ":" + ref.Identifier(), true
}

// WithArchiveTag returns ref naming tag when ref writes a docker-archive
// that names no tag of its own ("docker-archive:x.tar", or a bare x.tar):
// docker load would otherwise load an untagged image. Any other ref is
// returned as it is, with ok false.
func WithArchiveTag(ref, tag string) (string, bool) {
	r, err := parseRef(ref)
	if err != nil {
		return ref, false
	}
	if r, err = r.sink(); err != nil || r.transport != transportArchive || r.name != "" {
		return ref, false
	}
	if _, err := name.NewTag(tag); err != nil || strings.Contains(tag, "@") {
		return ref, false
	}
	r.name = tag
	return r.String(), true
}
