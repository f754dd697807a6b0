package slim

import (
	"archive/tar"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/dietimage/diet/layerfs"
)

// baseLayers guesses how many layers came from the base image. A base
// image's history ends with its CMD or ENTRYPOINT (debian's CMD ["bash"],
// alpine's CMD ["/bin/sh"]); a Dockerfile's own steps follow. Without such
// a mark, a first "ADD file:… in /" layer is a base of its own, and so is a
// first layer that docker import made (its history names no instruction).
func baseLayers(history []v1.History, layers int) int {
	n, base := 0, -1
	for _, h := range history {
		if !h.EmptyLayer {
			n++
			continue
		}
		ins := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(h.CreatedBy), "/bin/sh -c #(nop)"))
		if n > 0 && n < layers && (strings.HasPrefix(ins, "CMD") || strings.HasPrefix(ins, "ENTRYPOINT")) {
			if base < 0 {
				base = n
			}
		}
	}
	if base > 0 {
		return base
	}
	for _, h := range history {
		if !h.EmptyLayer {
			added := strings.Contains(h.CreatedBy, "ADD file:") && strings.HasSuffix(strings.TrimSpace(h.CreatedBy), "in /")
			imported := strings.TrimSpace(h.CreatedBy) == ""
			if (added || imported) && layers > 1 {
				return 1
			}
			break
		}
	}
	return 0
}

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
		if t.Present(id) || !presentAt(t, id, base) {
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

// presentAt reports whether id was present once layers below base were applied.
func presentAt(t *layerfs.Tree, id layerfs.ID, base int) bool {
	present := false
	for e := range t.History(id) {
		if e.Layer >= base {
			break
		}
		present = e.Kind != layerfs.Deleted
	}
	return present
}
