package image

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// maxDepth bounds indexes of indexes: real ones nest once or twice.
const maxDepth = 8

// Annotations that name the images of an index.
const (
	annotRefName       = "org.opencontainers.image.ref.name" // the TAG of oci:DIR:TAG
	annotContainerd    = "io.containerd.image.name"          // Docker 25+ docker save
	annotReferenceType = "vnd.docker.reference.type"         // "attestation-manifest"
)

// candidate is an image descriptor and the index that holds it.
type candidate struct {
	parent v1.ImageIndex
	desc   v1.Descriptor
}

// resolve walks ii, and the indexes it holds, to the one image that r's
// name (or @N) and o's platform choose. has, when set, drops descriptors
// whose blob is absent (an archive may carry one platform of an index).
// byPlatform reports whether the platform made the choice.
func resolve(ii v1.ImageIndex, r imageRef, o *options, has func(v1.Hash) bool) (img v1.Image, byPlatform bool, err error) {
	im, err := ii.IndexManifest()
	if err != nil {
		return nil, false, err
	}
	top := im.Manifests
	switch {
	case r.index >= len(top):
		return nil, false, tag(ErrNotFound, fmt.Errorf("no image @%d: the index lists %d", r.index, len(top)))
	case r.index >= 0:
		top = top[r.index : r.index+1]
	case r.name != "":
		top = named(top, r.name)
		if len(top) == 0 {
			return nil, false, tag(ErrNotFound, fmt.Errorf("no image named %q (have %s)", r.name, names(im.Manifests, true)))
		}
	}
	var w walk
	if err := w.collect(ii, top, 0, has); err != nil {
		return nil, false, err
	}
	if len(w.cands) == 0 && len(w.missing) > 0 {
		return nil, false, tag(ErrNotFound, fmt.Errorf("%s: missing", blobPath(w.missing[0])))
	}
	c, byPlatform, err := choose(w.cands, o)
	if err != nil {
		return nil, false, err
	}
	img, err = c.parent.Image(c.desc.Digest)
	return img, byPlatform, err
}

// walk gathers the images under an index.
type walk struct {
	cands   []candidate
	missing []v1.Hash // descriptors whose blob has is false
}

// collect appends the image descriptors under ds, descending into indexes.
func (w *walk) collect(parent v1.ImageIndex, ds []v1.Descriptor, depth int, has func(v1.Hash) bool) error {
	for _, d := range ds {
		switch {
		case has != nil && !has(d.Digest):
			w.missing = append(w.missing, d.Digest)
		case d.MediaType.IsIndex():
			if depth >= maxDepth {
				return fmt.Errorf("indexes nested more than %d deep", maxDepth)
			}
			child, err := parent.ImageIndex(d.Digest)
			if err != nil {
				return fmt.Errorf("index %s: %w", short(d.Digest), err)
			}
			cm, err := child.IndexManifest()
			if err != nil {
				return fmt.Errorf("index %s: %w", short(d.Digest), err)
			}
			if err := w.collect(child, cm.Manifests, depth+1, has); err != nil {
				return err
			}
		case d.Annotations[annotReferenceType] == "attestation-manifest",
			d.Platform != nil && d.Platform.OS == "unknown" && d.Platform.Architecture == "unknown":
		case d.MediaType.IsImage(), d.MediaType == "":
			w.cands = append(w.cands, candidate{parent: parent, desc: d})
		}
	}
	return nil
}

// choose picks one candidate: the only one, else the best platform match.
func choose(cands []candidate, o *options) (candidate, bool, error) {
	seen := map[v1.Hash]bool{}
	uniq := cands[:0:0]
	for _, c := range cands {
		if !seen[c.desc.Digest] {
			seen[c.desc.Digest] = true
			uniq = append(uniq, c)
		}
	}
	if len(uniq) == 0 {
		return candidate{}, false, tag(ErrNotFound, fmt.Errorf("no image in the index"))
	}
	if len(uniq) == 1 && (uniq[0].desc.Platform == nil || !o.platformSet) {
		return uniq[0], false, nil
	}
	best, bestScore, tie := -1, 0, false
	var have []v1.Platform
	for i, c := range uniq {
		if c.desc.Platform == nil {
			return candidate{}, false, tag(ErrAmbiguous, fmt.Errorf("%d images (%s): choose one with :REF", len(uniq), names(descs(uniq), false)))
		}
		have = append(have, *c.desc.Platform)
		switch s := score(o.platform, *c.desc.Platform); {
		case s > bestScore:
			best, bestScore, tie = i, s, false
		case s == bestScore && s > 0:
			tie = true
		}
	}
	if best < 0 {
		return candidate{}, false, &PlatformError{Want: o.platform, Have: have}
	}
	if tie {
		return candidate{}, false, tag(ErrAmbiguous, fmt.Errorf("several images for platform %s (%s): choose one with :REF", o.platform.String(), names(descs(uniq), false)))
	}
	return uniq[best], true, nil
}

// score rates how well have serves want: 0 not at all, 2 another variant
// when want names none, 3 the same variant once defaults are filled in.
func score(want, have v1.Platform) int {
	if want.OS != have.OS || want.Architecture != have.Architecture {
		return 0
	}
	if variant(want) == variant(have) {
		return 3
	}
	if want.Variant == "" {
		return 2
	}
	return 0
}

// variant fills in the variant an architecture implies when none is given.
func variant(p v1.Platform) string {
	if p.Variant != "" {
		return p.Variant
	}
	return map[string]string{"arm64": "v8", "arm": "v7", "amd64": "v1"}[p.Architecture]
}

// checkConfig checks a single image's own platform against an explicit
// WithPlatform; an image whose config names no platform passes.
func checkConfig(img v1.Image, o *options) error {
	if !o.platformSet {
		return nil
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return err
	}
	if p := cf.Platform(); p != nil && p.OS != "" && score(o.platform, *p) == 0 {
		return &PlatformError{Want: o.platform, Have: []v1.Platform{*p}}
	}
	return nil
}

// named keeps the descriptors whose annotations name s.
func named(ds []v1.Descriptor, s string) []v1.Descriptor {
	want := normalize(s)
	var out []v1.Descriptor
	for _, d := range ds {
		rn, cn := d.Annotations[annotRefName], d.Annotations[annotContainerd]
		if rn == s || (rn != "" && normalize(rn) == want) || (cn != "" && normalize(cn) == want) {
			out = append(out, d)
		}
	}
	return out
}

// normalize spells a tag in full (index.docker.io/library/x:latest).
func normalize(s string) string {
	t, err := name.NewTag(s)
	if err != nil {
		return s
	}
	return t.Name()
}

func descs(cs []candidate) []v1.Descriptor {
	ds := make([]v1.Descriptor, len(cs))
	for i, c := range cs {
		ds[i] = c.desc
	}
	return ds
}

// names lists descriptors for messages: their names, platforms, or else
// @N when ds is a top-level list (what docker-archive:PATH:@N takes).
func names(ds []v1.Descriptor, top bool) string {
	var s []string
	for i, d := range ds {
		switch {
		case d.Annotations[annotContainerd] != "":
			s = append(s, d.Annotations[annotContainerd])
		case d.Annotations[annotRefName] != "":
			s = append(s, d.Annotations[annotRefName])
		case d.Platform != nil:
			s = append(s, d.Platform.String())
		case top:
			s = append(s, "@"+strconv.Itoa(i))
		default:
			s = append(s, short(d.Digest))
		}
	}
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}
