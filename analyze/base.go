package analyze

import (
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// BaseLayers guesses how many layers came from the base image. A base
// image's history ends with its CMD or ENTRYPOINT (debian's CMD ["bash"],
// alpine's CMD ["/bin/sh"]); a Dockerfile's own steps follow. Without such
// a mark, a first "ADD file:… in /" layer is a base of its own, and so is a
// first layer that docker import made (its history names no instruction).
// diet slim keeps these layers byte-identical unless told otherwise.
func BaseLayers(history []v1.History, layers int) int {
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
