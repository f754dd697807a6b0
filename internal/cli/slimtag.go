package cli

import (
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/dietimage/diet/image"
)

// defaultSlimTag is the tag of a slimmed image whose source had no name.
const defaultSlimTag = "diet-slim:latest"

// slimTag is the tag slim gives a docker-archive output that names none,
// so that docker load gives a named image: the source's name with "-slim"
// after its tag (app:1 → app:1-slim; a digest's repository gets :slim),
// or diet-slim:latest.
func slimTag(img v1.Image) string {
	n, ok := image.Name(img)
	if !ok {
		return defaultSlimTag
	}
	return slimName(n)
}

// slimName is the slimmed image's tag for a source named n.
func slimName(n string) string {
	if repo, _, ok := strings.Cut(n, "@"); ok {
		return repo + ":slim"
	}
	i := strings.LastIndex(n, ":")
	if i < strings.LastIndex(n, "/") { // image.Name always spells a tag, but be safe
		return n + ":latest-slim"
	}
	repo, tag := n[:i], n[i+1:]
	const maxTag = 128 // the longest tag a registry takes
	if len(tag)+len("-slim") > maxTag {
		tag = tag[:maxTag-len("-slim")]
	}
	return repo + ":" + tag + "-slim"
}
