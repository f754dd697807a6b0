package image

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dietimage/diet/internal/test/tartest"
	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// TestBadInputs feeds Open broken inputs: each fails with an *Error naming
// the input, carrying the causes a caller branches on, and never panics.
func TestBadInputs(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	img := fixture(t)
	classic := filepath.Join(dir, "classic.tar")
	tartest.WriteDockerArchive(t, classic, img, "diet-test:xyz")
	ociTar := filepath.Join(dir, "oci.tar")
	tartest.WriteOCIArchive(t, ociTar, img, "diet-test:xyz")
	lay := filepath.Join(dir, "layout")
	tartest.WriteOCILayout(t, lay, img, "xyz")
	host := tartest.ServeRegistry(t)
	cfgName, _ := img.ConfigName()
	layers, _ := img.Layers()
	diffID, _ := layers[0].DiffID()
	m, _ := img.Manifest()

	// file writes a file under dir and returns its path.
	file := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	// edit rewrites classic or ociTar into name with edit applied.
	edit := func(in, name string, fn func(string, []byte) []byte, extra ...tartest.Entry) string {
		p := filepath.Join(dir, name)
		rewriteTar(t, in, p, fn, extra...)
		return p
	}
	keep := func(_ string, b []byte) []byte { return b }
	replace := func(member string, body []byte) func(string, []byte) []byte {
		return func(n string, b []byte) []byte {
			if n == member {
				return body
			}
			return b
		}
	}
	drop := func(suffix string) func(string, []byte) []byte {
		return func(n string, b []byte) []byte {
			if strings.HasSuffix(n, suffix) {
				return nil
			}
			return b
		}
	}
	classicBytes, _ := os.ReadFile(classic)
	twice := func(n string, b []byte) []byte {
		if n != "manifest.json" {
			return b
		}
		var entries []map[string]any
		json.Unmarshal(b, &entries)
		entries = append(entries, map[string]any{"Config": entries[0]["Config"], "RepoTags": []string{"other:1"}, "Layers": entries[0]["Layers"]})
		b, _ = json.Marshal(entries)
		return b
	}
	isSyntax := func(err error) bool { _, ok := errors.AsType[*json.SyntaxError](err); return ok }
	isPlatform := func(err error) bool { _, ok := errors.AsType[*PlatformError](err); return ok }

	for _, tc := range []struct {
		name string
		ref  string
		opts []Option
		is   []error
		as   func(error) bool
	}{
		{name: "missing file", ref: "docker-archive:" + filepath.Join(dir, "missing.tar"), is: []error{ErrNotFound, fs.ErrNotExist}},
		{name: "missing bare path", ref: filepath.Join(dir, "missing.tar"), is: []error{ErrNotFound}},
		{name: "missing relative path", ref: "./missing.tar", is: []error{ErrNotFound}},
		{name: "missing layout", ref: "oci:" + filepath.Join(dir, "nolayout"), is: []error{ErrNotFound}},
		{name: "directory without index.json", ref: t.TempDir(), is: []error{ErrNotFound}},
		{name: "archive is a directory", ref: "docker-archive:" + lay},
		{name: "layout is a file", ref: "oci:" + classic},
		{name: "empty file", ref: file("empty.tar", nil)},
		{name: "not a tar", ref: file("text.tar", bytes.Repeat([]byte("not a tar\n"), 200))},
		{name: "truncated tar", ref: file("trunc.tar", classicBytes[:len(classicBytes)/2]), is: []error{ErrTruncated, io.ErrUnexpectedEOF}},
		{name: "truncated header", ref: file("trunc-header.tar", classicBytes[:1024+100]), is: []error{ErrTruncated, io.ErrUnexpectedEOF}},
		{name: "truncated gzip", ref: truncGzip(t, classic, filepath.Join(dir, "trunc.tar.gz")), is: []error{ErrTruncated, io.ErrUnexpectedEOF}},
		{name: "no manifest", ref: "docker-archive:" + edit(classic, "nomanifest.tar", drop("manifest.json"))},
		{name: "bad manifest JSON", ref: edit(classic, "badmanifest.tar", replace("manifest.json", []byte("[{"))), as: isSyntax},
		{name: "bad config JSON", ref: edit(classic, "badconfig.tar", replace(cfgName.Hex+".json", []byte("{nope"))), as: isSyntax},
		{name: "config diff_ids", ref: edit(classic, "diffids.tar", replace(cfgName.Hex+".json", []byte(`{"rootfs":{"type":"layers","diff_ids":[]}}`))), is: []error{ErrMismatch}},
		{name: "missing layer", ref: edit(classic, "nolayer.tar", drop("layer.tar")), is: []error{ErrNotFound}},
		{name: "missing config", ref: edit(classic, "noconfig.tar", drop(cfgName.Hex+".json")), is: []error{ErrNotFound}},
		{name: "two images no REF", ref: edit(classic, "two.tar", twice), is: []error{ErrAmbiguous}},
		{name: "two images unknown REF", ref: "docker-archive:" + edit(classic, "two2.tar", twice) + ":nope:1", is: []error{ErrNotFound}},
		{name: "index out of range", ref: "docker-archive:" + classic + ":@3", is: []error{ErrNotFound}},
		{name: "unknown tag", ref: "docker-archive:" + classic + ":diet-test:other", is: []error{ErrNotFound}},
		{name: "hostile member name", ref: edit(classic, "hostile.tar", keep, tartest.File("../evil", "x"))},
		{name: "escaping symlink", ref: edit(classic, "symlink.tar", drop("layer.tar"), symlinkLayers(t, classic)...)},
		{name: "oci missing layer blob", ref: edit(ociTar, "oci-nolayer.tar", drop(diffID.Hex)), is: []error{ErrNotFound}},
		{name: "oci missing manifest blob", ref: edit(ociTar, "oci-nomanifest.tar", dropBlob(ociTar)), is: []error{ErrNotFound}},
		{name: "oci wrong config digest", ref: edit(ociTar, "oci-badconfig.tar", changeConfig(ociTar)), is: []error{ErrMismatch}},
		{name: "oci bad index JSON", ref: edit(ociTar, "oci-badindex.tar", replace("index.json", []byte("nope"))), as: isSyntax},
		{name: "oci unknown tag", ref: "docker-archive:" + ociTar + ":diet-test:other", is: []error{ErrNotFound}},
		{name: "layout unknown tag", ref: "oci:" + lay + ":other", is: []error{ErrNotFound}},
		{name: "layout missing layer blob", ref: "oci:" + removeBlob(t, lay, m.Layers[0].Digest), is: []error{ErrNotFound}},
		{name: "registry missing image", ref: "docker://" + host + "/diet/none:1", opts: []Option{WithInsecure(true)}, is: []error{ErrNotFound}},
		{name: "unknown transport", ref: "ftp://example.com/x.tar", is: []error{ErrInvalid}},
		{name: "unsupported transport", ref: "containers-storage:x", is: []error{ErrInvalid}},
		{name: "docker without slashes", ref: "docker:busybox", is: []error{ErrInvalid}},
		{name: "bad registry reference", ref: "docker://Bad Name", is: []error{ErrInvalid}},
		{name: "bad archive REF", ref: "docker-archive:" + classic + ":@x", is: []error{ErrInvalid}},
		{name: "empty name", ref: "", is: []error{ErrInvalid}},
		{name: "bad platform", ref: classic, opts: []Option{WithPlatform(v1.Platform{OS: "linux"})}, is: []error{ErrInvalid}},
		{name: "nil keychain", ref: classic, opts: []Option{WithKeychain(nil)}, is: []error{ErrInvalid}},
		{name: "wrong platform", ref: platformArchive(t, dir), opts: []Option{WithPlatform(v1.Platform{OS: "linux", Architecture: "arm64"})}, is: []error{ErrNotFound}, as: isPlatform},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := Open(t.Context(), tc.ref, tc.opts...)
			if err == nil {
				t.Fatalf("Open(%q) = nil error", tc.ref)
			}
			e, ok := errors.AsType[*Error](err)
			if !ok || e.Ref != tc.ref {
				t.Fatalf("Open(%q) = %#v, want an *Error with Ref %q", tc.ref, err, tc.ref)
			}
			for _, want := range tc.is {
				if !errors.Is(err, want) {
					t.Errorf("Open(%q) = %v, want errors.Is %v", tc.ref, err, want)
				}
			}
			if tc.as != nil && !tc.as(err) {
				t.Errorf("Open(%q) = %v, want errors.As the expected type", tc.ref, err)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("Open(%q) = %q, want one line", tc.ref, err)
			}
			t.Log(err)
		})
	}
}

// TestCancelled: a cancelled context stops Open before any work.
func TestCancelled(t *testing.T) {
	t.Parallel()
	p := filepath.Join(t.TempDir(), "x.tar")
	tartest.WriteDockerArchive(t, p, fixture(t), "")
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := Open(ctx, p); !errors.Is(err, context.Canceled) {
		t.Fatalf("Open(cancelled) = %v, want context.Canceled", err)
	}
	img, err := Open(t.Context(), p)
	if err != nil {
		t.Fatal(err)
	}
	_ = img
}

func truncGzip(t *testing.T, in, out string) string {
	gzipFile(t, in, out)
	b, _ := os.ReadFile(out)
	if err := os.WriteFile(out, b[:len(b)/2], 0o644); err != nil {
		t.Fatal(err)
	}
	return out
}

// symlinkLayers replaces every layer.tar by a link out of the archive.
func symlinkLayers(t *testing.T, archive string) []tartest.Entry {
	f, _ := os.Open(archive)
	defer f.Close()
	var out []tartest.Entry
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if err != nil {
			return out
		}
		if strings.HasSuffix(h.Name, "/layer.tar") && h.Typeflag == tar.TypeReg {
			out = append(out, tartest.Symlink(h.Name, "../../../etc/passwd"))
		}
	}
}

// dropBlob drops the manifest blob that index.json names.
func dropBlob(archive string) func(string, []byte) []byte {
	return func(n string, b []byte) []byte {
		if n == "index.json" {
			return b
		}
		var m v1.Manifest
		if json.Unmarshal(b, &m) == nil && m.SchemaVersion == 2 && m.Config.Digest.Hex != "" {
			return nil
		}
		return b
	}
}

// changeConfig alters the config blob, keeping its name.
func changeConfig(archive string) func(string, []byte) []byte {
	return func(n string, b []byte) []byte {
		var cf v1.ConfigFile
		if strings.HasPrefix(n, "blobs/") && json.Unmarshal(b, &cf) == nil && cf.RootFS.Type == "layers" {
			return append(b, ' ')
		}
		return b
	}
}

// removeBlob copies a layout and deletes one blob from the copy.
func removeBlob(t *testing.T, lay string, h v1.Hash) string {
	out := filepath.Join(t.TempDir(), "layout")
	if err := os.CopyFS(out, os.DirFS(lay)); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(out, "blobs", h.Algorithm, h.Hex)); err != nil {
		t.Fatal(err)
	}
	return out
}

// platformArchive writes a classic archive of a linux/amd64 image.
func platformArchive(t *testing.T, dir string) string {
	p := filepath.Join(dir, "amd64.tar")
	tartest.WriteDockerArchive(t, p, withPlatform(t, fixture(t), v1.Platform{OS: "linux", Architecture: "amd64"}), "")
	return p
}
