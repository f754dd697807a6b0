package rootfs

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/dietimage/diet/internal/test/tartest"
	"github.com/dietimage/diet/layerfs"
)

type entries = []tartest.Entry

// snapshot describes the tree under dir: each path with its mode and, for
// a regular file, its content; for a symlink, its target.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	got := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == dir {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		fi, err := os.Lstat(p)
		if err != nil {
			return err
		}
		switch {
		case fi.Mode()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			got[rel] = "-> " + target
			return err
		case fi.Mode().IsRegular():
			b, err := os.ReadFile(p)
			got[rel] = fi.Mode().String() + " " + string(b)
			return err
		}
		got[rel] = fi.Mode().String()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// extractTests are layer stacks and the trees they give, for Extract and,
// as the oracle, the engine.
var extractTests = []struct {
	name   string
	layers []entries
	want   map[string]string
}{
	{"whiteout of a file", []entries{
		{tartest.Dir("a"), tartest.File("a/x", "1"), tartest.File("a/y", "2")},
		{tartest.Whiteout("a/x")},
	}, map[string]string{"a": "drwxr-xr-x", "a/y": "-rw-r--r-- 2"}},
	{"whiteout of a directory", []entries{
		{tartest.Dir("a"), tartest.File("a/x", "1"), tartest.File("b", "2")},
		{tartest.Whiteout("a")},
	}, map[string]string{"b": "-rw-r--r-- 2"}},
	{"whiteout after a file of its own layer deletes it, as the engines do", []entries{
		{tartest.File("x", "1")},
		{tartest.File("x", "2"), tartest.Whiteout("x")},
	}, map[string]string{}},
	{"whiteout before a file of its own layer spares it", []entries{
		{tartest.File("y", "1")},
		{tartest.Whiteout("y"), tartest.File("y", "2")},
	}, map[string]string{"y": "-rw-r--r-- 2"}},
	{"opaque directory keeps its own layer", []entries{
		{tartest.Dir("a"), tartest.File("a/old", "o"), tartest.Dir("a/sub"), tartest.File("a/sub/old", "o")},
		{tartest.File("a/new", "n"), tartest.Opaque("a"), tartest.File("a/late", "l")},
	}, map[string]string{"a": "drwxr-xr-x", "a/new": "-rw-r--r-- n", "a/late": "-rw-r--r-- l"}},
	{"opaque marker after a redeclared directory", []entries{
		{tartest.Dir("a"), tartest.Dir("a/sub"), tartest.File("a/sub/old", "o")},
		{tartest.Dir("a/sub"), tartest.File("a/sub/new", "n"), tartest.Opaque("a")},
	}, map[string]string{"a": "drwxr-xr-x", "a/sub": "drwxr-xr-x", "a/sub/new": "-rw-r--r-- n"}},
	{"file replaces directory", []entries{
		{tartest.Dir("a"), tartest.File("a/x", "1")},
		{tartest.File("a", "f")},
	}, map[string]string{"a": "-rw-r--r-- f"}},
	{"directory replaces file", []entries{
		{tartest.File("a", "f")},
		{tartest.Dir("a"), tartest.File("a/x", "1")},
	}, map[string]string{"a": "drwxr-xr-x", "a/x": "-rw-r--r-- 1"}},
	{"a file replaces a symlink, never written through it", []entries{
		{tartest.File("t", "target"), tartest.Symlink("a", "t")},
		{tartest.File("a", "new")},
	}, map[string]string{"t": "-rw-r--r-- target", "a": "-rw-r--r-- new"}},
	{"a file replaces a hard link, never written through it", []entries{
		{tartest.File("a", "1"), tartest.Hardlink("b", "a"), tartest.File("b", "2")},
	}, map[string]string{"a": "-rw-r--r-- 1", "b": "-rw-r--r-- 2"}},
	{"modes: setuid kept, read-only directory filled", []entries{
		{{Name: "su", Type: tar.TypeReg, Mode: 0o4755}, {Name: "ro", Type: tar.TypeDir, Mode: 0o555}, tartest.File("ro/x", "1")},
	}, map[string]string{"su": "urwxr-xr-x ", "ro": "dr-xr-xr-x", "ro/x": "-rw-r--r-- 1"}},
	{"devices skipped, FIFOs made", []entries{
		{tartest.Dir("dev"), {Name: "dev/null", Type: tar.TypeChar, Mode: 0o666}, {Name: "dev/sda", Type: tar.TypeBlock, Mode: 0o660}, {Name: "fifo", Type: tar.TypeFifo, Mode: 0o600}},
	}, map[string]string{"dev": "drwxr-xr-x", "fifo": "prw-------"}},
	{"symlinked parent inside the root is followed", []entries{
		{tartest.Dir("usr"), tartest.Dir("usr/lib"), tartest.Symlink("lib", "usr/lib"), tartest.File("lib/x", "1")},
	}, map[string]string{"usr": "drwxr-xr-x", "usr/lib": "drwxr-xr-x", "lib": "-> usr/lib", "usr/lib/x": "-rw-r--r-- 1"}},
	{"names read as the engine reads them: absolute from the root, cleaned", []entries{
		{tartest.File("/abs/x", "1"), tartest.File("a/../b", "2"), tartest.File("/../c", "3"), tartest.Hardlink("/abs/y", "/abs/x")},
	}, map[string]string{"abs": "drwxr-xr-x", "abs/x": "-rw-r--r-- 1", "abs/y": "-rw-r--r-- 1", "b": "-rw-r--r-- 2", "c": "-rw-r--r-- 3"}},
	{"parents made, aufs bookkeeping skipped", []entries{
		{tartest.File("a/b/c", "1"), tartest.File(".wh..wh.aufs", ""), {Raw: &tar.Header{Name: "pax_global_header", Typeflag: tar.TypeXGlobalHeader, PAXRecords: map[string]string{"comment": "x"}}}},
	}, map[string]string{"a": "drwxr-xr-x", "a/b": "drwxr-xr-x", "a/b/c": "-rw-r--r-- 1"}},
}

func TestExtract(t *testing.T) {
	t.Parallel()
	for _, tc := range extractTests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := extracted(t, tartest.Layers(t, tc.layers...))
			if diff := cmp.Diff(tc.want, snapshot(t, dir)); diff != "" {
				t.Errorf("Extract tree (-want +got):\n%s", diff)
			}
		})
	}
}

func TestExtractAttributes(t *testing.T) {
	t.Parallel()
	owned := &tar.Header{Name: "owned", Typeflag: tar.TypeReg, Mode: 0o2755, Uid: 1000, Gid: 50, ModTime: tartest.Epoch}
	dir := extracted(t, tartest.Layers(t, entries{
		tartest.Dir("d"), tartest.File("d/f", "1"), tartest.Hardlink("d/g", "d/f"), {Raw: owned},
	}))
	for _, name := range []string{"d", "d/f", "owned"} {
		fi, err := os.Lstat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if !fi.ModTime().Equal(tartest.Epoch) {
			t.Errorf("%s: mtime %v, want %v", name, fi.ModTime(), tartest.Epoch)
		}
	}
	fi, _ := os.Stat(filepath.Join(dir, "d/g"))
	if n := fi.Sys().(*syscall.Stat_t).Nlink; n != 2 {
		t.Errorf("d/g: %d links, want 2 (a hard link to d/f)", n)
	}
	fi, _ = os.Stat(filepath.Join(dir, "owned"))
	if fi.Mode()&fs.ModeSetgid == 0 {
		t.Errorf("owned: mode %v lost setgid", fi.Mode())
	}
	st := fi.Sys().(*syscall.Stat_t)
	switch root := os.Geteuid() == 0; {
	case root && (st.Uid != 1000 || st.Gid != 50):
		t.Errorf("owned: owner %d:%d, want 1000:50 (we run as root)", st.Uid, st.Gid)
	case !root && int(st.Uid) != os.Geteuid():
		t.Errorf("owned: owner %d, want ours: ownership is applied only as root", st.Uid)
	}
}

func TestExtractHostile(t *testing.T) {
	t.Parallel()
	outside := t.TempDir()
	victim := filepath.Join(outside, "victim")
	if err := os.WriteFile(victim, []byte("keep"), 0o644); err != nil {
		t.Fatal(err)
	}
	marker := "diet-rootfs-pwned"
	passwd := stat(t, "/etc/passwd")
	tests := []struct {
		entry  string // the entry that must stop the extraction
		layers []entries
		cause  error // nil when only os.Root can tell
	}{
		{"../" + marker, []entries{{tartest.File("../"+marker, "x")}}, layerfs.ErrUnsafePath},
		{"a/../../" + marker, []entries{{tartest.File("a/../../"+marker, "x")}}, layerfs.ErrUnsafePath},
		{"../", []entries{{tartest.Dir("..")}}, layerfs.ErrUnsafePath},
		{"evil/tmp/" + marker, []entries{{tartest.Symlink("evil", "/"), tartest.File("evil/tmp/"+marker, "x")}}, nil},
		{"up/" + marker, []entries{{tartest.Symlink("up", "../.."), tartest.File("up/"+marker, "x")}}, nil},
		{"out/sub/", []entries{{tartest.Symlink("out", outside), tartest.Dir("out/sub")}}, nil},
		{"out/fifo", []entries{{tartest.Symlink("out", outside), {Name: "out/fifo", Type: tar.TypeFifo, Mode: 0o600}}}, nil},
		{"passwd", []entries{{tartest.Hardlink("passwd", "/etc/passwd")}}, layerfs.ErrBadLink}, // the root's /etc/passwd: none
		{"v", []entries{{tartest.Hardlink("v", "../../"+filepath.Base(outside)+"/victim")}}, layerfs.ErrUnsafePath},
		{"p", []entries{{tartest.Symlink("evil", "/"), tartest.Hardlink("p", "evil/etc/passwd")}}, nil},
		{"out/.wh.victim", []entries{{tartest.Symlink("out", outside)}, {tartest.Whiteout("out/victim")}}, nil},
		{"out/.wh..wh..opq", []entries{{tartest.Symlink("out", outside)}, {tartest.Opaque("out")}}, nil},
		{"missing", []entries{{tartest.Hardlink("missing", "nowhere")}}, layerfs.ErrBadLink},
		{"a/b/.wh...", []entries{{tartest.File("a/b/c", "x")}, {tartest.File("a/b/.wh...", "")}}, layerfs.ErrUnsafePath},
		{"a/.wh.", []entries{{tartest.File("a/b", "x")}, {tartest.File("a/.wh.", "")}}, layerfs.ErrUnsafePath},
	}
	for _, tc := range tests {
		t.Run(tc.entry, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "rootfs")
			err := Extract(t.Context(), tartest.Layers(t, tc.layers...), dir)
			e, ok := errors.AsType[*layerfs.EntryError](err)
			if !ok || e.Name != tc.entry {
				t.Fatalf("Extract = %v, want an EntryError naming %q", err, tc.entry)
			}
			if _, ok := errors.AsType[*layerfs.LayerError](err); !ok {
				t.Errorf("Extract = %v, want it to name the layer", err)
			}
			if tc.cause != nil && !errors.Is(err, tc.cause) {
				t.Errorf("Extract = %v, want cause %v", err, tc.cause)
			}
			for _, p := range []string{"/" + marker, "/tmp/" + marker, filepath.Join(filepath.Dir(dir), marker), filepath.Join(outside, "sub"), filepath.Join(outside, "fifo")} {
				if _, err := os.Lstat(p); err == nil {
					os.Remove(p)
					t.Errorf("Extract wrote %s, outside %s", p, dir)
				}
			}
			if b, err := os.ReadFile(victim); err != nil || string(b) != "keep" {
				t.Errorf("victim outside the root: %q, %v; want it untouched", b, err)
			}
			if st := stat(t, "/etc/passwd"); st.Nlink != passwd.Nlink || st.Ino != passwd.Ino {
				t.Errorf("/etc/passwd: %d links, want %d", st.Nlink, passwd.Nlink)
			}
		})
	}
}

func stat(t *testing.T, p string) *syscall.Stat_t {
	t.Helper()
	var st syscall.Stat_t
	if err := syscall.Stat(p, &st); err != nil {
		t.Fatal(err)
	}
	return &st
}

// layerOf is a layer of raw bytes: a tar, a gzip, or neither.
func layerOf(t *testing.T, b []byte) v1.Layer {
	t.Helper()
	l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil })
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestExtractBadLayers(t *testing.T) {
	t.Parallel()
	good := tartest.Tar(tartest.File("a", strings.Repeat("x", 4096)), tartest.File("b", "y"))
	tests := []struct {
		name  string
		layer []byte
		cause error
	}{
		{"truncated tar", good[:2048], io.ErrUnexpectedEOF},
		{"not a tar", bytes.Repeat([]byte("diet"), 256), tar.ErrHeader},
		// The engine refuses these types ("unhandled tar header type").
		{"contiguous file (7)", tartest.RawTar(tartest.Raw{Name: "c", Type: '7', Magic: tartest.MagicUSTAR, Body: []byte("data")}), layerfs.ErrUnsupportedType},
		{"GNU volume label (V)", tartest.RawTar(tartest.Raw{Name: "label", Type: 'V', Magic: tartest.MagicGNU}), layerfs.ErrUnsupportedType},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			img, err := mutate.AppendLayers(empty.Image, layerOf(t, tartest.Tar(tartest.File("base", "1"))), layerOf(t, tc.layer))
			if err != nil {
				t.Fatal(err)
			}
			err = Extract(t.Context(), img, filepath.Join(t.TempDir(), "rootfs"))
			if e, ok := errors.AsType[*layerfs.LayerError](err); !ok || e.Index != 1 || e.Digest == "" {
				t.Fatalf("Extract = %v, want a LayerError naming layer 1", err)
			}
			if !errors.Is(err, tc.cause) {
				t.Errorf("Extract = %v, want cause %v", err, tc.cause)
			}
		})
	}
}

func TestExtractRefuses(t *testing.T) {
	t.Parallel()
	img := tartest.Layers(t, entries{tartest.File("a", "1")})
	full := t.TempDir()
	os.WriteFile(filepath.Join(full, "x"), nil, 0o644)
	if err := Extract(t.Context(), img, full); !errors.Is(err, ErrNotEmpty) {
		t.Errorf("Extract(non-empty dir) = %v, want ErrNotEmpty", err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := Extract(ctx, img, filepath.Join(t.TempDir(), "rootfs")); !errors.Is(err, context.Canceled) {
		t.Errorf("Extract(cancelled) = %v, want context.Canceled", err)
	}
	if err := Extract(t.Context(), img, t.TempDir()); err != nil {
		t.Errorf("Extract(empty dir) = %v", err)
	}
}
