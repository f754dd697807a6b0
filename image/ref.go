package image

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
)

// Transports, spelled as skopeo spells them.
const (
	transportArchive = "docker-archive"
	transportOCI     = "oci"
	// transportOCIArchive is an OCI layout in a tar, as skopeo and
	// buildah write it: index.json, oci-layout and blobs/.
	transportOCIArchive = "oci-archive"
	transportDocker     = "docker"
	transportDaemon     = "docker-daemon"
)

// unsupported are skopeo's other transports: named so a user learns that
// diet knows them, rather than that "containers-storage" is a bad registry
// name.
var unsupported = map[string]bool{
	"containers-storage": true, "dir": true,
	"tarball": true, "ostree": true, "sif": true,
}

// imageRef is a parsed image name. A bare name (transport "") keeps the
// string in path and is resolved against the filesystem and engine by Open.
type imageRef struct {
	transport string
	path      string // archive file or layout directory; a bare name
	name      string // docker-archive REF, oci TAG, docker or docker-daemon reference
	index     int    // docker-archive:PATH:@N, else -1
}

// ociRefName is what an org.opencontainers.image.ref.name may hold.
var ociRefName = regexp.MustCompile(`^[A-Za-z0-9._:@/+-]+$`)

// parseRef parses s syntactically; it touches neither disk nor network.
// Errors match [ErrInvalid].
func parseRef(s string) (imageRef, error) {
	r := imageRef{path: s, index: -1}
	if s == "" {
		return r, tag(ErrInvalid, errors.New("empty image name"))
	}
	if rest, ok := strings.CutPrefix(s, "docker://"); ok {
		if _, err := name.ParseReference(rest); err != nil {
			return r, tag(ErrInvalid, err)
		}
		return imageRef{transport: transportDocker, name: rest, index: -1}, nil
	}
	t, rest, ok := strings.Cut(s, ":")
	switch {
	case !ok:
	case t == transportArchive || t == transportOCI || t == transportOCIArchive:
		r = imageRef{transport: t, index: -1}
		r.path, r.name, _ = strings.Cut(rest, ":")
		if r.path == "" {
			return r, tag(ErrInvalid, fmt.Errorf("%s: empty path", t))
		}
		return r, r.checkName()
	case t == transportDaemon:
		if _, err := name.ParseReference(rest); err != nil {
			return r, tag(ErrInvalid, err)
		}
		return imageRef{transport: t, name: rest, index: -1}, nil
	case t == transportDocker:
		return r, tag(ErrInvalid, errors.New(`transport "docker" is written docker://REF`))
	case unsupported[t]:
		return r, tag(ErrInvalid, fmt.Errorf("transport %q is not supported (want %s)", t, transportList))
	case misspelled(t, rest):
		return r, tag(ErrInvalid, tag(ErrUnknownTransport, fmt.Errorf("unknown transport %q (want %s)", t, transportList)))
	}
	if t, _, ok := strings.Cut(s, "://"); ok {
		return r, tag(ErrInvalid, fmt.Errorf("unknown transport %q", t))
	}
	return r, nil
}

// checkName validates the part after PATH: for an archive a tag or @N, for
// an OCI layout a ref.name annotation value.
func (r *imageRef) checkName() error {
	if r.name == "" {
		return nil
	}
	if r.transport == transportOCI || r.transport == transportOCIArchive {
		if !ociRefName.MatchString(r.name) {
			return tag(ErrInvalid, fmt.Errorf("bad tag %q", r.name))
		}
		return nil
	}
	if n, ok := strings.CutPrefix(r.name, "@"); ok {
		i, err := strconv.ParseUint(n, 10, 31)
		if err != nil {
			return tag(ErrInvalid, fmt.Errorf("bad image index %q: want @N", r.name))
		}
		r.name, r.index = "", int(i)
		return nil
	}
	if _, err := name.NewTag(r.name); err != nil {
		return tag(ErrInvalid, err)
	}
	return nil
}

// String returns the canonical spelling; parseRef(r.String()) == r.
func (r imageRef) String() string {
	switch r.transport {
	case transportDocker:
		return "docker://" + r.name
	case transportDaemon:
		return "docker-daemon:" + r.name
	case transportArchive, transportOCI, transportOCIArchive:
		s := r.transport + ":" + r.path
		if r.index >= 0 {
			return s + ":@" + strconv.Itoa(r.index)
		}
		if r.name != "" {
			s += ":" + r.name
		}
		return s
	}
	return r.path
}

// resolve decides the transport of a bare name: an existing file is a
// docker-archive, a directory with index.json an OCI layout, a reference the
// engine has is docker-daemon, and any other reference docker://.
func (r imageRef) resolve(ctx context.Context, o *options) (imageRef, error) {
	if r.transport != "" {
		return r, nil
	}
	s := r.path
	if s == "-" { // standard input, as docker load reads it
		return imageRef{transport: transportArchive, path: s, index: -1}, nil
	}
	fi, err := os.Stat(s)
	switch {
	case err == nil && fi.IsDir():
		if _, err := os.Stat(filepath.Join(s, "index.json")); err != nil {
			return r, notExist(fmt.Errorf("directory %s has no index.json (not an OCI layout): %w", s, err))
		}
		return imageRef{transport: transportOCI, path: s, index: -1}, nil
	case err == nil:
		return imageRef{transport: transportArchive, path: s, index: -1}, nil
	case !errors.Is(err, fs.ErrNotExist) || looksLikePath(s):
		return r, notExist(err)
	}
	if _, err := name.ParseReference(s); err != nil {
		return r, tag(ErrInvalid, fmt.Errorf("not a file, an OCI layout or an image reference: %w", err))
	}
	if e, err := newEngine(); err == nil && e.has(ctx, s) {
		return imageRef{transport: transportDaemon, name: s, index: -1}, nil
	}
	return imageRef{transport: transportDocker, name: s, index: -1}, nil
}

// looksLikePath reports whether a missing bare name was meant as a file:
// references never start with "/", "." or "~", nor end in ".tar".
func looksLikePath(s string) bool {
	if s == "" {
		return false
	}
	if filepath.IsAbs(s) || strings.ContainsAny(s[:1], "/.~") {
		return true
	}
	for _, ext := range []string{".tar", ".tar.gz", ".tgz", ".tar.zst"} {
		if strings.HasSuffix(s, ext) {
			return true
		}
	}
	return false
}

// notExist tags err with ErrNotFound when it is a missing file.
func notExist(err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return tag(ErrNotFound, err)
	}
	return err
}
