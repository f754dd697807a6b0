// Package tartest builds real tar layers and images from short lists of
// entries, so tests read like the filesystems they describe.
package tartest

import (
	"archive/tar"
	"bytes"
	"io"
	"path"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// Epoch is the modification time of every entry: fixtures are reproducible.
var Epoch = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// Entry is one tar entry. Body, when set, is the content of a regular file;
// otherwise Size zero bytes are written.
type Entry struct {
	Name string
	Type byte
	Mode int64
	Body []byte
	Size int64
	Link string
	UID  int
	GID  int
	// Raw, when set, is written instead of the header built from the fields
	// above: hostile names, sizes and types go here.
	Raw *tar.Header
}

// File is a regular file with the given content.
func File(name, body string) Entry {
	return Entry{Name: name, Type: tar.TypeReg, Mode: 0o644, Body: []byte(body)}
}

// Sized is a regular file of n zero bytes.
func Sized(name string, n int64) Entry {
	return Entry{Name: name, Type: tar.TypeReg, Mode: 0o644, Size: n}
}

// Exec is an executable regular file with the given content.
func Exec(name string, body []byte) Entry {
	return Entry{Name: name, Type: tar.TypeReg, Mode: 0o755, Body: body}
}

// Dir is a directory.
func Dir(name string) Entry { return Entry{Name: name, Type: tar.TypeDir, Mode: 0o755} }

// Symlink is a symbolic link to target.
func Symlink(name, target string) Entry {
	return Entry{Name: name, Type: tar.TypeSymlink, Mode: 0o777, Link: target}
}

// Hardlink is a hard link to target, a path in the same archive.
func Hardlink(name, target string) Entry {
	return Entry{Name: name, Type: tar.TypeLink, Mode: 0o644, Link: target}
}

// Whiteout deletes p from the layers below.
func Whiteout(p string) Entry {
	return Entry{Name: path.Join(path.Dir(p), ".wh."+path.Base(p)), Type: tar.TypeReg, Mode: 0o644}
}

// Opaque hides every entry of the layers below under dir.
func Opaque(dir string) Entry {
	return Entry{Name: path.Join(dir, ".wh..wh..opq"), Type: tar.TypeReg, Mode: 0o644}
}

// Header returns the tar header the entry is written with.
func (e Entry) Header() *tar.Header {
	if e.Raw != nil {
		return e.Raw
	}
	h := &tar.Header{Name: e.Name, Typeflag: e.Type, Mode: e.Mode, Linkname: e.Link, Uid: e.UID, Gid: e.GID, ModTime: Epoch, Format: tar.FormatPAX}
	if e.Type == tar.TypeReg {
		h.Size = e.Size
		if e.Body != nil {
			h.Size = int64(len(e.Body))
		}
	}
	if e.Type == tar.TypeDir && len(h.Name) > 0 && h.Name[len(h.Name)-1] != '/' {
		h.Name += "/"
	}
	return h
}

// Tar returns the bytes of a tar archive holding entries in order.
func Tar(entries ...Entry) []byte {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		h := e.Header()
		if err := tw.WriteHeader(h); err != nil {
			panic("tartest: " + err.Error()) // programmer error: a fixture that cannot be written
		}
		if h.Typeflag == tar.TypeReg && h.Size > 0 {
			if e.Body != nil {
				tw.Write(e.Body)
			} else {
				io.CopyN(tw, zeros{}, h.Size)
			}
		}
	}
	if err := tw.Close(); err != nil {
		panic("tartest: " + err.Error())
	}
	return buf.Bytes()
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// Layer returns an uncompressed-backed layer of the entries.
func Layer(t testing.TB, entries ...Entry) v1.Layer {
	t.Helper()
	b := Tar(entries...)
	l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(b)), nil
	})
	if err != nil {
		t.Fatalf("tartest.Layer: %v", err)
	}
	return l
}

// Step is one layer of an image and the history line that made it.
type Step struct {
	CreatedBy string
	Entries   []Entry
	// Empty marks a history entry with no layer (ENV, CMD...).
	Empty bool
}

// Image returns an image with one layer per non-empty step, in order, and a
// history that has an entry for every step.
func Image(t testing.TB, steps ...Step) v1.Image {
	t.Helper()
	img := empty.Image
	for _, s := range steps {
		h := v1.History{CreatedBy: s.CreatedBy, Created: v1.Time{Time: Epoch}, EmptyLayer: s.Empty}
		if s.Empty {
			cf, err := img.ConfigFile()
			if err != nil {
				t.Fatal(err)
			}
			cf = cf.DeepCopy()
			cf.History = append(cf.History, h)
			if img, err = mutate.ConfigFile(img, cf); err != nil {
				t.Fatal(err)
			}
			continue
		}
		var err error
		img, err = mutate.Append(img, mutate.Addendum{Layer: Layer(t, s.Entries...), History: h})
		if err != nil {
			t.Fatalf("tartest.Image: %v", err)
		}
	}
	return img
}

// Layers is a shorthand for an image whose steps have no history text.
func Layers(t testing.TB, layers ...[]Entry) v1.Image {
	t.Helper()
	steps := make([]Step, len(layers))
	for i, l := range layers {
		steps[i] = Step{CreatedBy: "layer " + string(rune('0'+i%10)), Entries: l}
	}
	return Image(t, steps...)
}
