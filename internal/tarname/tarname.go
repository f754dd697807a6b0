package tarname

import (
	"errors"
	"fmt"
	"path"
	"strings"
)

// MaxLen bounds a name: PATH_MAX on Linux, past which the engine's own
// open or mkdir of the entry fails.
const MaxLen = 4096

var (
	// ErrOutside is the cause when a name climbs out of the root.
	ErrOutside = errors.New("path leaves the root")
	// ErrBadName is the cause when a name is too long or holds a NUL byte
	// (or, for a reader that needs text, is not UTF-8).
	ErrBadName = errors.New("invalid name")
)

// Clean returns a tar entry name as the engine reads it: cleaned, relative
// to the root, "." for the root itself. It refuses a name that climbs out
// of the root with [ErrOutside], and one longer than [MaxLen] or holding a
// NUL byte with [ErrBadName].
func Clean(name string) (string, error) {
	if len(name) > MaxLen {
		return "", fmt.Errorf("%w: %d bytes, more than PATH_MAX (%d)", ErrBadName, len(name), MaxLen)
	}
	if strings.IndexByte(name, 0) >= 0 {
		return "", fmt.Errorf("%w: NUL byte", ErrBadName)
	}
	if trimmed, ok := clean(name); ok { // the common case: path.Clean would copy it
		return trimmed, nil
	}
	rooted := strings.HasPrefix(name, "/")
	c := path.Clean(name) // "" is "."
	switch {
	case rooted && c == "/":
		return ".", nil
	case rooted: // path.Clean keeps a rooted name from climbing, as the engine's join does
		return c[1:], nil
	case c == ".." || strings.HasPrefix(c, "../"):
		return "", ErrOutside
	}
	return c, nil
}

// clean returns name without its trailing slash, and whether that is
// already clean and relative: no empty, "." or ".." element.
func clean(name string) (string, bool) {
	name = strings.TrimSuffix(name, "/")
	if name == "" {
		return "", false
	}
	for elem := range strings.SplitSeq(name, "/") {
		if elem == "" || elem == "." || elem == ".." {
			return "", false
		}
	}
	return name, true
}
