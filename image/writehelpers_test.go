package image

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/dietimage/diet/internal/test/tartest"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
)

// created is the creation time of writeFixture: every header written for
// it carries this time.
var created = time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)

// writeFixture is fixture with a creation time and a platform, which the
// sinks carry into headers and index.json.
func writeFixture(t testing.TB) v1.Image {
	t.Helper()
	img := withPlatform(t, fixture(t), v1.Platform{OS: "linux", Architecture: "amd64"})
	img, err := mutate.CreatedAt(img, v1.Time{Time: created})
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// files returns the sha256 and mode of every regular file under root (or of
// root itself when it is a file), by slash path, and fails on anything else.
func files(t testing.TB, root string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if !d.Type().IsRegular() {
			t.Errorf("%s: not a regular file", p)
			return nil
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		h := sha256.New()
		if _, err := io.Copy(h, f); err != nil {
			return err
		}
		fi, _ := d.Info()
		rel, _ := filepath.Rel(root, p)
		out[filepath.ToSlash(rel)] = fi.Mode().String() + " " + hex.EncodeToString(h.Sum(nil))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// dirNames lists the entries of dir, sorted.
func dirNames(t testing.TB, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := []string{}
	for _, e := range ents {
		out = append(out, e.Name())
	}
	sort.Strings(out)
	return out
}

// stallLayer is a real layer whose uncompressed stream stops after 64 KiB:
// it then fails with err or, when err is nil, waits for ctx to end, as a
// network read bound to a context does. reached is closed at the stall.
type stallLayer struct {
	v1.Layer
	ctx     context.Context
	err     error
	reached chan struct{}
	once    sync.Once
}

func newStall(t testing.TB, ctx context.Context, err error) *stallLayer {
	l := tartest.Layer(t, tartest.Sized("big", 1<<20))
	return &stallLayer{Layer: l, ctx: ctx, err: err, reached: make(chan struct{})}
}

// Uncompressed implements v1.Layer.
func (l *stallLayer) Uncompressed() (io.ReadCloser, error) {
	rc, err := l.Layer.Uncompressed()
	if err != nil {
		return nil, err
	}
	r := io.MultiReader(io.LimitReader(rc, 64<<10), stallReader{l})
	return struct {
		io.Reader
		io.Closer
	}{r, rc}, nil
}

type stallReader struct{ l *stallLayer }

func (s stallReader) Read([]byte) (int, error) {
	s.l.once.Do(func() { close(s.l.reached) })
	if s.l.err != nil {
		return 0, s.l.err
	}
	<-s.l.ctx.Done()
	return 0, s.l.ctx.Err()
}

// liarLayer is a real layer whose content is not what its diff ID says.
type liarLayer struct {
	v1.Layer
	other v1.Layer
}

// Uncompressed implements v1.Layer.
func (l liarLayer) Uncompressed() (io.ReadCloser, error) { return l.other.Uncompressed() }

// errBoom is a layer read failure.
var errBoom = errors.New("boom: the disk went away")
