package analyze

import (
	"path"
	"slices"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// pruned are the categories marked Pruned, by name.
var pruned = func() map[string]bool {
	m := map[string]bool{}
	for _, c := range Categories {
		m[c.Name] = c.Pruned
	}
	return m
}()

// Prunes reports whether diet slim --level prune leaves out the culprits
// of category found under root, in an image that runs programs (see
// [Programs]): a pruned category, unless one of the programs lies beneath
// root (a toolchain the entrypoint lives in is in use). The level only
// rewrites the layers above the base ([BaseLayers]). analyze's slim-prune
// recommendation and slim's plan both ask here, so what one promises the
// other does.
func Prunes(category, root string, programs []string) bool {
	if !pruned[category] {
		return false
	}
	for _, p := range programs {
		if p == root || strings.HasPrefix(p, root+"/") {
			return false
		}
	}
	return true
}

// Programs are the absolute paths the image's entrypoint and command name.
func Programs(c v1.Config) []string {
	var out []string
	for _, a := range slices.Concat(c.Entrypoint, c.Cmd) {
		if strings.HasPrefix(a, "/") {
			out = append(out, path.Clean(a))
		}
	}
	return out
}
