package layerfs

import (
	"errors"
	"fmt"

	"github.com/dietimage/diet/internal/tarname"
)

// LayerError is an error in one layer of an image.
type LayerError struct {
	Index  int    // position of the layer, from 0 at the base
	Digest string // digest of the layer as its source names it
	Err    error
}

func (e *LayerError) Error() string {
	d := e.Digest
	if len(d) > 19 {
		d = d[:19] + "…"
	}
	return fmt.Sprintf("layer %d (%s): %v", e.Index, d, e.Err)
}

func (e *LayerError) Unwrap() error { return e.Err }

// EntryError is a tar entry that the walk refuses.
type EntryError struct {
	Name string // the entry's name as the tar header gives it
	Err  error
}

func (e *EntryError) Error() string { return fmt.Sprintf("entry %q: %v", e.Name, e.Err) }

func (e *EntryError) Unwrap() error { return e.Err }

// Causes of an [EntryError] and of layer read failures.
var (
	// ErrUnsafePath: a name or hard link target climbs out of the root
	// ("../x"); an absolute name is read from the root, as the engine does.
	ErrUnsafePath = tarname.ErrOutside
	// ErrBadName: a name is not UTF-8, holds a NUL byte, or is longer than
	// PATH_MAX; or a symlink target is not UTF-8 or too long.
	ErrBadName        = tarname.ErrBadName
	ErrSymlinkParent  = errors.New("a parent directory is a symlink")
	ErrNotDir         = errors.New("a parent is not a directory")
	ErrBadLink        = errors.New("hard link target is missing or a directory")
	ErrTooLarge       = errors.New("entry claims more bytes than the layer holds")
	ErrDigestMismatch = errors.New("digest mismatch")
	// ErrUnsupportedType is a type the engine refuses to extract (contiguous
	// files, GNU sparse files, volume labels...): docker load fails on it.
	ErrUnsupportedType = errors.New("entry type the engine does not extract")
)
