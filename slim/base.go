package slim

import (
	"archive/tar"
	"strings"

	"github.com/dietimage/diet/layerfs"
)

// hidden lists the topmost paths that were present once the base layers
// were applied and are gone from the final filesystem: whiteouts in the
// new layer hide them, as the deleting layers did.
func hidden(t *layerfs.Tree, base int) []string {
	var out []string
	var gone string // a hidden directory: what lies beneath it is hidden too
	t.Walk(func(id layerfs.ID, p string) bool {
		if gone != "" && strings.HasPrefix(p, gone) {
			return true
		}
		if t.Present(id) || !t.PresentBelow(id, base) {
			return true
		}
		gone = strings.Clone(p) + "/"
		// A file that replaced the directory hides what was in it; a
		// whiteout beneath a file could not be applied.
		if parent := t.Parent(id); parent == 0 || t.Type(parent) == tar.TypeDir {
			out = append(out, gone[:len(gone)-1])
		}
		return true
	})
	return out
}
