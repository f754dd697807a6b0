package rootfs

import (
	"archive/tar"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/dietimage/diet/internal/ctxio"
	"github.com/dietimage/diet/layerfs"
)

// Extract writes img's merged filesystem into dir, which must be empty or
// not exist. Layers are applied in order with OCI whiteout semantics, as the
// engine applies them: .wh.NAME deletes NAME, and .wh..wh..opq hides
// everything the layers below put in its directory, at any depth, while it
// keeps what its own layer put there.
//
// Every write goes through an [os.Root] opened on dir, so no entry can write
// outside it. Names are read as the engine reads them: cleaned, and an
// absolute one from dir ("/etc/passwd" is dir/etc/passwd). An entry whose
// name climbs out of dir ("../x", "a/../../x"), a hard link to such a name,
// and an entry that would reach outside dir through a symlink (an absolute
// one, or one that climbs out) stop the extraction with a
// [layerfs.EntryError] naming the entry, inside a [layerfs.LayerError]
// naming the layer. Such an entry is never skipped silently: a rootfs
// missing entries would not show how the image runs. Symlinks that stay
// inside dir are followed, as the engine follows them when it unpacks a
// layer.
//
// Device nodes are skipped; FIFOs are made. Modes (setuid, setgid and sticky
// bits included) and modification times are applied, except the times of
// symlinks. Ownership is applied only when running as root. A truncated or
// corrupt layer is an error naming the layer; dir then holds what was written
// before it, for the caller to remove.
func Extract(ctx context.Context, img v1.Image, dir string) error {
	if err := extract(ctx, img, dir); err != nil {
		return fmt.Errorf("extract into %s: %w", dir, err)
	}
	return nil
}

func extract(ctx context.Context, img v1.Image, dir string) error {
	if err := emptyDir(dir); err != nil {
		return err
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return err
	}
	defer root.Close()
	layers, err := img.Layers()
	if err != nil {
		return fmt.Errorf("layers: %w", err)
	}
	var diffIDs []v1.Hash
	if cf, err := img.ConfigFile(); err == nil && cf != nil {
		diffIDs = cf.RootFS.DiffIDs // only to name layers in errors
	}
	x := &extractor{root: root, owner: os.Geteuid() == 0, dirs: map[string]dirMeta{}}
	for i, l := range layers {
		if err := x.layer(ctx, l); err != nil {
			return &layerfs.LayerError{Index: i, Digest: layerName(l, i, diffIDs), Err: err}
		}
	}
	return x.finish()
}

// extractor applies layers to a root, one after the other.
type extractor struct {
	root  *os.Root
	owner bool // apply ownership: we run as root
	// dirs holds the mode and time of every directory entry met, applied
	// once all layers are in: a read-only directory must stay writable while
	// later entries land in it, and each landing changes its time.
	dirs map[string]dirMeta
	// seen holds the paths the current layer wrote, with their ancestors:
	// opaque markers must spare them.
	seen map[string]bool
}

type dirMeta struct {
	mode  fs.FileMode
	mtime time.Time
}

func (x *extractor) layer(ctx context.Context, l v1.Layer) error {
	rc, err := l.Uncompressed()
	if err != nil {
		return err
	}
	defer rc.Close()
	tr := tar.NewReader(ctxio.Reader(ctx, rc))
	x.seen = map[string]bool{}
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if err := x.entry(hdr, tr); err != nil {
			return &layerfs.EntryError{Name: hdr.Name, Err: err}
		}
	}
}

// finish applies the modes and times of directories, deepest first, so
// that closing a parent never keeps us from reaching a child.
func (x *extractor) finish() error {
	names := make([]string, 0, len(x.dirs))
	for name := range x.dirs {
		names = append(names, name)
	}
	slices.SortFunc(names, func(a, b string) int {
		return cmp.Or(cmp.Compare(strings.Count(b, "/"), strings.Count(a, "/")), strings.Compare(a, b))
	})
	for _, name := range names {
		fi, err := x.root.Lstat(name)
		if err != nil || !fi.IsDir() {
			continue // deleted or replaced since: nothing to apply
		}
		m := x.dirs[name]
		if err := x.root.Chmod(name, m.mode); err != nil {
			return err
		}
		if err := x.root.Chtimes(name, m.mtime, m.mtime); err != nil {
			return err
		}
	}
	return nil
}

// emptyDir makes sure dir exists and holds nothing.
func emptyDir(dir string) error {
	f, err := os.Open(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return os.MkdirAll(dir, 0o755)
	}
	if err != nil {
		return err
	}
	defer f.Close()
	names, err := f.Readdirnames(1)
	if len(names) > 0 {
		return ErrNotEmpty
	}
	if err != nil && err != io.EOF {
		return err
	}
	return nil
}

// layerName names layer i in errors: by the diff ID the config gives, which
// costs nothing, or else by its digest.
func layerName(l v1.Layer, i int, diffIDs []v1.Hash) string {
	if i < len(diffIDs) {
		return diffIDs[i].String()
	}
	if d, err := l.Digest(); err == nil {
		return d.String()
	}
	return "unknown digest"
}
