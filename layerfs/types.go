package layerfs

import (
	"archive/tar"
	"fmt"
)

// TypeName names a tar typeflag as reports show it: file, dir, symlink,
// hardlink, char, block or fifo.
func TypeName(t byte) string {
	switch t {
	case tar.TypeReg:
		return "file"
	case tar.TypeDir:
		return "dir"
	case tar.TypeSymlink:
		return "symlink"
	case tar.TypeLink:
		return "hardlink"
	case tar.TypeChar:
		return "char"
	case tar.TypeBlock:
		return "block"
	case tar.TypeFifo:
		return "fifo"
	}
	return fmt.Sprintf("type %q", t)
}
