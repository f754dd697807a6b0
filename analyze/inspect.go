package analyze

import (
	"crypto/sha256"
	"hash"
	"io"
	"path"
	"strings"

	"github.com/dietimage/diet/layerfs"
)

// minStripSavings is the least strip saving worth reporting as a culprit.
const minStripSavings = 16 << 10

// inspector reads the few file contents the analysis needs, on the layers'
// goroutines. Each layer appends only to its own findings: no locks.
type inspector struct {
	hash   bool
	layers []findings
}

// findings are what the inspector learned of one layer.
type findings struct {
	unstrip  []elfFinding
	contents []content
}

type elfFinding struct {
	path  string
	size  int64
	saves int64
}

type content struct {
	path string
	size int64
	sum  [sha256.Size]byte
}

func newInspector(layers int, hash bool) *inspector {
	return &inspector{hash: hash, layers: make([]findings, layers)}
}

// mayBeELF keeps the ELF check to files that can be programs or libraries,
// so that a walk which skips bodies stays a walk over headers.
func mayBeELF(f *layerfs.File) bool {
	if f.Size < 1024 {
		return false
	}
	if f.Mode&0o111 != 0 {
		return true
	}
	base := path.Base(f.Path)
	return strings.HasSuffix(base, ".so") || strings.Contains(base, ".so.")
}

func (in *inspector) file(f *layerfs.File) error { return look(in.hash, &in.layers[f.Layer], f) }

// look reads what the analysis needs of f into found; with sum, its sha256.
func look(sum bool, found *findings, f *layerfs.File) error {
	r, ra := f.R, f.RA
	var h hash.Hash
	if sum {
		// The hash needs every byte in order: the ELF check then reads
		// the same stream instead of seeking.
		h = sha256.New()
		r, ra = io.TeeReader(f.R, h), nil
	}
	if mayBeELF(f) {
		saves, isELF, err := stripSavings(r, ra, f.Size)
		// A malformed ELF is not this question's business: no finding.
		if err == nil && isELF && saves >= minStripSavings {
			found.unstrip = append(found.unstrip, elfFinding{path: f.Path, size: f.Size, saves: saves})
		}
	}
	if h != nil {
		if _, err := io.Copy(io.Discard, r); err != nil {
			return err
		}
		c := content{path: f.Path, size: f.Size}
		h.Sum(c.sum[:0])
		found.contents = append(found.contents, c)
	}
	return nil
}
