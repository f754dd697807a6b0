package layerfs

import (
	"archive/tar"
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/dietimage/diet/internal/test/tartest"
)

// sectionLayer is a real tar served the way an uncompressed archive serves
// it: as a seekable section.
type sectionLayer struct {
	v1.Layer
	b []byte
}

func (s sectionLayer) UncompressedSection() (*io.SectionReader, bool) {
	return io.NewSectionReader(bytes.NewReader(s.b), 0, int64(len(s.b))), true
}

// both returns the layers twice: as streams and as seekable sections.
func both(t *testing.T, layers ...[]tartest.Entry) map[string][]v1.Layer {
	var stream, seek []v1.Layer
	for _, es := range layers {
		l := tartest.Layer(t, es...)
		stream = append(stream, l)
		seek = append(seek, sectionLayer{l, tartest.Tar(es...)})
	}
	return map[string][]v1.Layer{"stream": stream, "section": seek}
}

// state lists the present paths as "path size layer", sorted.
func state(tr *Tree) []string {
	var out []string
	for id := ID(1); int(id) < tr.Len(); id++ {
		if n := tr.Stat(id); n.Present {
			out = append(out, fmt.Sprintf("%s %c %d L%d", n.Path, n.Type, n.Size, n.Layer))
		}
	}
	slices.Sort(out)
	return out
}

// history lists a path's events as "kind@layer:size".
func history(tr *Tree, p string) []string {
	id, ok := tr.Lookup(p)
	if !ok {
		return nil
	}
	var out []string
	for e := range tr.History(id) {
		out = append(out, fmt.Sprintf("%s@%d:%d", [...]string{"?", "add", "mod", "del"}[e.Kind], e.Layer, e.Size))
	}
	return out
}

func TestBuild(t *testing.T) {
	f := tartest.File
	tests := []struct {
		name    string
		layers  [][]tartest.Entry
		want    []string
		history map[string][]string
	}{{
		name:   "implicit parents",
		layers: [][]tartest.Entry{{f("a/b/c.txt", "hello")}},
		want:   []string{"/a 5 0 L0", "/a/b 5 0 L0", "/a/b/c.txt 0 5 L0"},
	}, {
		name:    "overwrite",
		layers:  [][]tartest.Entry{{f("x", "12345")}, {f("x", "12")}},
		want:    []string{"/x 0 2 L1"},
		history: map[string][]string{"/x": {"add@0:5", "mod@1:2"}},
	}, {
		name:    "whiteout file",
		layers:  [][]tartest.Entry{{f("d/x", "12345"), f("d/y", "1")}, {tartest.Whiteout("d/x")}},
		want:    []string{"/d 5 0 L0", "/d/y 0 1 L0"},
		history: map[string][]string{"/d/x": {"add@0:5", "del@1:5"}},
	}, {
		name: "whiteout dir removes the subtree",
		layers: [][]tartest.Entry{
			{tartest.Dir("d"), f("d/a", "123"), f("d/e/b", "4567"), f("keep", "k")},
			{tartest.Whiteout("d")},
		},
		want: []string{"/keep 0 1 L0"},
		history: map[string][]string{
			"/d":     {"add@0:0", "del@1:7"},
			"/d/e/b": {"add@0:4", "del@1:4"},
		},
	}, {
		name: "opaque dir hides lower children, keeps its own",
		layers: [][]tartest.Entry{
			{f("d/old", "123"), f("d/sub/deep", "45")},
			{tartest.Dir("d"), f("d/new", "6"), tartest.Opaque("d")},
		},
		want:    []string{"/d 5 0 L1", "/d/new 0 1 L1"},
		history: map[string][]string{"/d/sub/deep": {"add@0:2", "del@1:2"}},
	}, {
		name:   "hard link",
		layers: [][]tartest.Entry{{f("bin/busybox", "elf"), tartest.Hardlink("bin/sh", "bin/busybox")}},
		want:   []string{"/bin 5 0 L0", "/bin/busybox 0 3 L0", "/bin/sh 1 0 L0"},
	}, {
		name:   "symlink",
		layers: [][]tartest.Entry{{f("usr/lib/x", "1"), tartest.Symlink("lib", "usr/lib")}},
		want:   []string{"/lib 2 0 L0", "/usr 5 0 L0", "/usr/lib 5 0 L0", "/usr/lib/x 0 1 L0"},
	}, {
		name:    "directory replaced by a file",
		layers:  [][]tartest.Entry{{f("d/a", "12")}, {f("d", "xyz")}},
		want:    []string{"/d 0 3 L1"},
		history: map[string][]string{"/d/a": {"add@0:2", "del@1:2"}},
	}, {
		name:    "re-added after deletion",
		layers:  [][]tartest.Entry{{f("x", "1")}, {tartest.Whiteout("x")}, {f("x", "22")}},
		want:    []string{"/x 0 2 L2"},
		history: map[string][]string{"/x": {"add@0:1", "del@1:1", "add@2:2"}},
	}, {
		name:   "whiteout of nothing does nothing",
		layers: [][]tartest.Entry{{f("x", "1")}, {tartest.Whiteout("nope")}},
		want:   []string{"/x 0 1 L0"},
	}, {
		name:   "dot-slash names and a root entry",
		layers: [][]tartest.Entry{{tartest.Dir("./"), f("./etc/hosts", "h")}},
		want:   []string{"/etc 5 0 L0", "/etc/hosts 0 1 L0"},
	}}
	for _, tc := range tests {
		for mode, layers := range both(t, tc.layers...) {
			t.Run(tc.name+"/"+mode, func(t *testing.T) {
				tr, err := BuildLayers(t.Context(), layers)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(tc.want, state(tr)); diff != "" {
					t.Errorf("present paths (-want +got):\n%s", diff)
				}
				for p, want := range tc.history {
					if diff := cmp.Diff(want, history(tr, p)); diff != "" {
						t.Errorf("History(%q) (-want +got):\n%s", p, diff)
					}
				}
			})
		}
	}
}

// TestOwners: each path's owner is its current version's, from the ustar
// fields or, past what they hold, a PAX record; a directory made for its
// children is root's.
func TestOwners(t *testing.T) {
	own := func(e tartest.Entry, uid, gid int) tartest.Entry { e.UID, e.GID = uid, gid; return e }
	layers := [][]tartest.Entry{
		{own(tartest.Exec("app/run", []byte("run")), 1000, 1000), own(tartest.File("home/big/x", "x"), 3_000_000, 70_000)},
		{own(tartest.Exec("app/run", []byte("run")), 2000, 2001)},
	}
	for mode, ls := range both(t, layers...) {
		t.Run(mode, func(t *testing.T) {
			tr, err := BuildLayers(t.Context(), ls)
			if err != nil {
				t.Fatal(err)
			}
			for p, want := range map[string][2]int{"/app/run": {2000, 2001}, "/home/big/x": {3_000_000, 70_000}, "/app": {0, 0}} {
				id, _ := tr.Lookup(p)
				if uid, gid := tr.Owner(id); uid != want[0] || gid != want[1] {
					t.Errorf("%s is owned by %d:%d, want %d:%d", p, uid, gid, want[0], want[1])
				}
				if n := tr.Stat(id); n.UID != want[0] || n.GID != want[1] {
					t.Errorf("Stat(%s) = %d:%d, want %d:%d", p, n.UID, n.GID, want[0], want[1])
				}
			}
		})
	}
}

func TestLayerCounts(t *testing.T) {
	f := tartest.File
	for mode, layers := range both(t,
		[]tartest.Entry{tartest.Dir("d"), f("d/a", "12"), f("d/b", "3"), tartest.Symlink("l", "d/a")},
		[]tartest.Entry{f("d/a", "xx"), tartest.Whiteout("d/b"), f("n", "new")},
	) {
		t.Run(mode, func(t *testing.T) {
			tr, err := BuildLayers(t.Context(), layers)
			if err != nil {
				t.Fatal(err)
			}
			type counts struct {
				Entries, Added, Modified, Deleted int
				Files, Links                      int64
			}
			var got []counts
			for _, l := range tr.Layers {
				got = append(got, counts{l.Entries, l.Added, l.Modified, l.Deleted, l.FileBytes, l.SymlinkBytes})
			}
			want := []counts{{4, 4, 0, 0, 3, 3}, {3, 1, 1, 1, 5, 0}}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("layer counts (-want +got):\n%s", diff)
			}
		})
	}
}

// TestAccounting checks the tar overhead against the archive's real bytes:
// one 512-byte header per entry here (no PAX), bodies padded to 512, and the
// 1,024-byte end-of-archive trailer Go writes.
func TestAccounting(t *testing.T) {
	entries := []tartest.Entry{tartest.Dir("d"), tartest.File("d/a", strings.Repeat("x", 700)), tartest.Sized("d/b", 512), tartest.Symlink("s", "d/a")}
	b := tartest.Tar(entries...)
	for mode, layers := range both(t, entries) {
		t.Run(mode, func(t *testing.T) {
			tr, err := BuildLayers(t.Context(), layers)
			if err != nil {
				t.Fatal(err)
			}
			l := tr.Layers[0]
			got := []int64{l.TarBytes, l.FileBytes, l.HeaderBytes, l.PaddingBytes, l.TrailerBytes}
			want := []int64{int64(len(b)), 1212, 4 * 512, 324, 1024}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("tar, files, headers, padding, trailer (-want +got):\n%s", diff)
			}
			if sum := l.FileBytes + l.HeaderBytes + l.PaddingBytes + l.TrailerBytes; sum != l.TarBytes {
				t.Errorf("parts add up to %d, tar is %d", sum, l.TarBytes)
			}
		})
	}
}

// rawTar writes headers as given, without the checks of tar.Writer's
// Close: a hostile archive.
func rawTar(hdrs ...*tar.Header) []byte {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, h := range hdrs {
		if err := tw.WriteHeader(h); err != nil {
			panic(err)
		}
		if h.Typeflag == tar.TypeReg && h.Size < 1<<20 {
			tw.Write(make([]byte, h.Size))
		}
	}
	tw.Flush()
	return append(buf.Bytes(), make([]byte, 1024)...)
}

func TestHostile(t *testing.T) {
	reg := func(name string) *tar.Header { return &tar.Header{Name: name, Typeflag: tar.TypeReg, Mode: 0o644} }
	tests := []struct {
		name   string
		layers [][]byte
		want   error
	}{
		{"../etc/passwd", [][]byte{rawTar(reg("../etc/passwd"))}, ErrUnsafePath},
		{"a/../../b", [][]byte{rawTar(reg("a/../../b"))}, ErrUnsafePath},
		{"..", [][]byte{rawTar(&tar.Header{Name: "..", Typeflag: tar.TypeDir})}, ErrUnsafePath},
		{"non-UTF-8 \xff", [][]byte{rawTar(reg("bad\xffname"))}, ErrBadName},
		{"symlink parent", [][]byte{rawTar(&tar.Header{Name: "etc", Typeflag: tar.TypeSymlink, Linkname: "/host"}, reg("etc/passwd"))}, ErrSymlinkParent},
		{"symlink parent across layers", [][]byte{
			rawTar(&tar.Header{Name: "etc", Typeflag: tar.TypeSymlink, Linkname: "../../.."}),
			rawTar(reg("etc/shadow")),
		}, ErrSymlinkParent},
		{"file as parent", [][]byte{rawTar(reg("f"), reg("f/x"))}, ErrNotDir},
		{"hard link to nothing", [][]byte{rawTar(&tar.Header{Name: "l", Typeflag: tar.TypeLink, Linkname: "missing"})}, ErrBadLink},
		{"hard link to a dir", [][]byte{rawTar(&tar.Header{Name: "d/", Typeflag: tar.TypeDir}, &tar.Header{Name: "l", Typeflag: tar.TypeLink, Linkname: "d"})}, ErrBadLink},
		{"hard link out of the root", [][]byte{rawTar(&tar.Header{Name: "l", Typeflag: tar.TypeLink, Linkname: "../../etc/passwd"})}, ErrUnsafePath},
		{"hard link to an absolute name, read from the root", [][]byte{rawTar(&tar.Header{Name: "l", Typeflag: tar.TypeLink, Linkname: "/etc/passwd"})}, ErrBadLink},
		{"petabyte", [][]byte{rawTar(&tar.Header{Name: "huge", Typeflag: tar.TypeReg, Size: 1 << 50})}, io.ErrUnexpectedEOF},
		{"truncated", [][]byte{tartest.Tar(tartest.Sized("a", 4096))[:1500]}, io.ErrUnexpectedEOF},
	}
	for _, tc := range tests {
		for _, seekable := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/seekable=%v", tc.name, seekable), func(t *testing.T) {
				var layers []v1.Layer
				for _, b := range tc.layers {
					layers = append(layers, bytesLayer(t, b, seekable))
				}
				_, err := BuildLayers(t.Context(), layers)
				want := tc.want
				if tc.name == "petabyte" || tc.name == "truncated" {
					// The tar ends before the entry's data: an entry declaring
					// more than the layer holds, whether it is seekable or
					// streamed to a clean end.
					want = ErrTooLarge
					if _, ok := errors.AsType[*EntryError](err); !ok {
						t.Errorf("error %v does not name the entry", err)
					}
				}
				if !errors.Is(err, want) {
					t.Fatalf("BuildLayers(%q) = %v, want %v", tc.name, err, want)
				}
				if _, ok := errors.AsType[*LayerError](err); !ok {
					t.Errorf("error %v does not name the layer", err)
				}
			})
		}
	}
}

func TestWalk(t *testing.T) {
	tr, err := BuildLayers(t.Context(), []v1.Layer{tartest.Layer(t,
		tartest.File("a/b/c", "1"), tartest.File("a/d", "2"), tartest.File("e", "3"))})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	tr.Walk(func(id ID, p string) bool {
		if p != tr.Path(id) {
			t.Errorf("Walk gives %q for node %d, Path says %q", p, id, tr.Path(id))
		}
		got = append(got, strings.Clone(p))
		return true
	})
	slices.Sort(got)
	if diff := cmp.Diff([]string{"/a", "/a/b", "/a/b/c", "/a/d", "/e"}, got); diff != "" {
		t.Errorf("Walk (-want +got):\n%s", diff)
	}
}

// TestEngineNames: names the engine cleans land where it puts them.
func TestEngineNames(t *testing.T) {
	reg := func(name string) *tar.Header { return &tar.Header{Name: name, Typeflag: tar.TypeReg, Mode: 0o644} }
	tr, err := BuildLayers(t.Context(), []v1.Layer{bytesLayer(t, rawTar(
		reg("/etc/passwd"), reg("a/../b"), reg("/../c"), &tar.Header{Name: "/etc/hard", Typeflag: tar.TypeLink, Linkname: "/etc/passwd"},
	), false)})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	tr.Walk(func(_ ID, p string) bool {
		got = append(got, strings.Clone(p))
		return true
	})
	slices.Sort(got)
	if diff := cmp.Diff([]string{"/b", "/c", "/etc", "/etc/hard", "/etc/passwd"}, got); diff != "" {
		t.Errorf("Walk (-want +got):\n%s", diff)
	}
}

func TestCleanName(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"usr/bin/ls", "/usr/bin/ls"}, {"usr/bin/", "/usr/bin"}, {"./usr//bin/./ls", "/usr/bin/ls"},
		{"./", "/"}, {".", "/"}, {"a/b/", "/a/b"}, {"a//", "/a"},
		// As the engine reads them: from the root, cleaned.
		{"/etc/passwd", "/etc/passwd"}, {"a/../b", "/b"}, {"/../x", "/x"}, {"/", "/"},
	} {
		if got, err := cleanName(tc.in); got != tc.want || err != nil {
			t.Errorf("cleanName(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}
