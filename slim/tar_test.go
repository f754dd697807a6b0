package slim

import (
	"errors"
	"slices"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"

	"github.com/dietimage/diet/internal/test/tartest"
	"github.com/dietimage/diet/layerfs"
)

// rawImage is a base layer from tartest and a top layer of raw tar bytes,
// each with a history line, so squash keeps the base and rewrites the top.
func rawImage(t *testing.T, top []byte) v1.Image {
	t.Helper()
	img, err := mutate.Append(empty.Image,
		mutate.Addendum{Layer: tartest.Layer(t, tartest.Dir("etc"), tartest.File("etc/os-release", "ID=debian\n")),
			History: v1.History{CreatedBy: "/bin/sh -c #(nop) ADD file:0123 in / "}},
		mutate.Addendum{Layer: tartest.BytesLayer(t, top), History: v1.History{CreatedBy: "/bin/sh -c make install"}})
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// squash runs what diet slim runs: build the tree, plan, rewrite.
func squash(t *testing.T, img v1.Image, level Level) (v1.Image, error) {
	t.Helper()
	tr, err := layerfs.Build(t.Context(), img)
	if err != nil {
		return nil, err
	}
	p, err := NewPlan(img, tr, level)
	if err != nil {
		return nil, err
	}
	out, err := p.Rewrite(t.Context())
	if err != nil {
		return nil, err
	}
	t.Cleanup(func() { out.Close() })
	return out, nil
}

// TestSquashTypesDockerRefuses: an entry with data and a type the engine
// does not extract once made squash and prune fail in the tar writer
// ("archive/tar: missed writing 4 bytes"), naming nothing. docker load
// refuses such a layer; slim refuses it too, naming the entry.
func TestSquashTypesDockerRefuses(t *testing.T) {
	for _, typ := range []byte{'7', 'D', 'S', 'Z', 's'} {
		for _, level := range []Level{Squash, Prune} {
			t.Run(string(typ)+"/"+level.String(), func(t *testing.T) {
				raw := tartest.Raw{Name: "usr/bin/odd", Type: typ, Magic: tartest.MagicGNU, Body: []byte("data")}
				if typ == 'S' {
					raw.Patch = func(b *[512]byte) { copy(b[483:495], "00000000004\x00") } // real size, no holes
				}
				_, err := squash(t, rawImage(t, tartest.RawTar(raw)), level)
				e, ok := errors.AsType[*layerfs.EntryError](err)
				if !ok || e.Name != "usr/bin/odd" || !errors.Is(err, layerfs.ErrUnsupportedType) {
					t.Fatalf("slim of a %q entry = %v, want an EntryError naming usr/bin/odd: %v", typ, err, layerfs.ErrUnsupportedType)
				}
			})
		}
	}
}

// TestSquashWritesWhatDockerLoads: squash writes the entries archive/tar
// (docker load's reader) sees, under the names it sees.
func TestSquashWritesWhatDockerLoads(t *testing.T) {
	tests := []struct {
		name string
		top  []byte
		want string // a line of final() the squashed image must hold
	}{{
		name: "GNU long name beside PAX path",
		top: tartest.RawTar(tartest.PAX("path=usr/share/doc/README"), tartest.LongName("usr/bin/hidden"),
			tartest.Raw{Name: "x", Type: '0', Mode: 0o755, Magic: tartest.MagicUSTAR, Body: []byte("#!/bin/sh\necho owned\n")}),
		want: "/usr/bin/hidden 0 21 755 ",
	}, {
		name: "global header named like a file",
		top: tartest.RawTar(tartest.Raw{Name: "app", Type: 'g', Magic: tartest.MagicUSTAR, Body: []byte("12 comment=\n")},
			tartest.Raw{Name: "app", Type: '0', Mode: 0o755, Magic: tartest.MagicUSTAR, Body: []byte("app!")}),
		want: "/app 0 4 755 ",
	}, {
		name: "legacy NUL typeflag with trailing slash",
		top: tartest.RawTar(tartest.Raw{Name: "srv/", Type: 0, Mode: 0o750, Magic: tartest.MagicUSTAR},
			tartest.Raw{Name: "srv/data", Type: '0', Mode: 0o644, Magic: tartest.MagicUSTAR, Body: []byte("d")}),
		want: "/srv 5 0 750 ",
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := squash(t, rawImage(t, tc.top), Squash)
			if err != nil {
				t.Fatalf("squash: %v", err)
			}
			if got := final(t, out); !slices.Contains(got, tc.want) {
				t.Errorf("squashed image holds %q, want %q among them", got, tc.want)
			}
		})
	}
}
