package image

import (
	"archive/tar"
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dietimage/diet/internal/test/tartest"
	"github.com/google/go-cmp/cmp"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/validate"
)

// TestWrite writes one image through every transport twice, with
// different WithJobs: the two outputs must be byte-identical, leave no
// temporary file, pass ggcr's validate.Image and read back, through Open,
// as the same config, diff IDs and layer contents.
func TestWrite(t *testing.T) {
	t.Parallel()
	want := writeFixture(t)
	host := tartest.ServeRegistry(t)
	registry := []Option{WithInsecure(true)}

	for _, tc := range []struct {
		name   string
		target string // the file or directory under dir, "" for a registry
		ref    func(dir string) string
		opts   []Option
		fast   bool // Open's layers are uncompressed: validate can only check blobs
	}{
		{name: "docker-archive", target: "x.tar", ref: func(d string) string { return "docker-archive:" + d + "/x.tar:diet-test:xyz" }, fast: true},
		{name: "docker-archive untagged", target: "x.tar", ref: func(d string) string { return "docker-archive:" + d + "/x.tar" }, fast: true},
		{name: "bare path", target: "x.tar", ref: func(d string) string { return d + "/x.tar" }, fast: true},
		{name: "oci-archive", target: "x.tar", ref: func(d string) string { return "oci-archive:" + d + "/x.tar:xyz" }},
		{name: "oci-archive untagged", target: "x.tar", ref: func(d string) string { return "oci-archive:" + d + "/x.tar" }},
		{name: "oci", target: "layout", ref: func(d string) string { return "oci:" + d + "/layout:xyz" }},
		{name: "oci untagged", target: "layout", ref: func(d string) string { return "oci:" + d + "/layout" }},
		{name: "registry", ref: func(d string) string { return "docker://" + host + "/diet/" + filepath.Base(d) + ":xyz" }, opts: registry},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var refs []string
			var outs []map[string]string
			var digests []v1.Hash
			for _, jobs := range []int{1, 4} {
				dir := t.TempDir()
				ref := tc.ref(dir)
				if err := Write(t.Context(), want, ref, append(tc.opts, WithJobs(jobs))...); err != nil {
					t.Fatalf("Write(%q) = %v", ref, err)
				}
				got, err := Open(t.Context(), ref, tc.opts...)
				if err != nil {
					t.Fatalf("Open(%q) = %v", ref, err)
				}
				sameImage(t, want, got)
				var vopts []validate.Option
				if tc.fast {
					vopts = append(vopts, validate.Fast)
				}
				if err := validate.Image(got, vopts...); err != nil {
					t.Errorf("validate.Image(%q): %v", ref, err)
				}
				d, _, ok := Stored(got)
				if !ok {
					t.Errorf("Open(%q): no stored manifest", ref)
				}
				refs, digests = append(refs, ref), append(digests, d)
				if tc.target != "" {
					if diff := cmp.Diff([]string{tc.target}, dirNames(t, dir)); diff != "" {
						t.Errorf("%s after Write (-want +got):\n%s", dir, diff)
					}
					outs = append(outs, files(t, filepath.Join(dir, tc.target)))
				}
			}
			if digests[0] != digests[1] {
				t.Errorf("manifest digests differ: %v (WithJobs(1)) and %v (WithJobs(4))", digests[0], digests[1])
			}
			if len(outs) == 2 {
				if diff := cmp.Diff(outs[0], outs[1]); diff != "" {
					t.Errorf("Write(%q) and Write(%q) differ (-jobs=1 +jobs=4):\n%s", refs[0], refs[1], diff)
				}
			}
		})
	}
}

// TestWriteArchiveFormat checks a written docker-archive against what the
// brief promises and what other readers need: ggcr's tarball reader (which
// goes by manifest.json, as Docker 20.10 does) validates it in full, and
// every header carries the config's creation time, owner 0 and no names.
func TestWriteArchiveFormat(t *testing.T) {
	t.Parallel()
	want := writeFixture(t)
	p := filepath.Join(t.TempDir(), "x.tar")
	if err := Write(t.Context(), want, "docker-archive:"+p+":diet-test:xyz"); err != nil {
		t.Fatal(err)
	}
	got, err := tarball.ImageFromPath(p, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := validate.Image(got); err != nil {
		t.Errorf("validate.Image(tarball.ImageFromPath): %v", err)
	}
	sameImage(t, want, got)

	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tr := tar.NewReader(f)
	var order []string
	docs := map[string][]byte{}
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		order = append(order, h.Name)
		if !h.ModTime.Equal(created) || h.Uid != 0 || h.Gid != 0 || h.Uname != "" || h.Gname != "" || h.Format != tar.FormatUSTAR {
			t.Errorf("%s: mtime %v uid %d gid %d uname %q gname %q format %v; want %v, 0, 0, empty, USTAR",
				h.Name, h.ModTime, h.Uid, h.Gid, h.Uname, h.Gname, h.Format, created)
		}
		if !strings.HasPrefix(h.Name, "blobs/") || h.Size < 4096 {
			docs[h.Name], _ = io.ReadAll(tr)
		}
	}
	// Layer blobs, written once each, then the documents.
	if n := len(order); n != 10 || order[0] != "blobs/" || order[1] != "blobs/sha256/" {
		t.Errorf("members %q: want blobs/, blobs/sha256/, 2 layers, config, manifest and 4 documents", order)
	}
	if diff := cmp.Diff([]string{"index.json", "manifest.json", "oci-layout", "repositories"}, order[len(order)-4:]); diff != "" {
		t.Errorf("documents (-want +got):\n%s", diff)
	}
	var entries []classicEntry
	if err := json.Unmarshal(docs["manifest.json"], &entries); err != nil || len(entries) != 1 {
		t.Fatalf("manifest.json %s: %v", docs["manifest.json"], err)
	}
	if diff := cmp.Diff([]string{"diet-test:xyz"}, entries[0].RepoTags); diff != "" {
		t.Errorf("RepoTags (-want +got):\n%s", diff)
	}
	if got := string(docs["repositories"]); !strings.HasPrefix(got, `{"diet-test":{"xyz":"`) {
		t.Errorf("repositories = %s", got)
	}
	var idx v1.IndexManifest
	if err := json.Unmarshal(docs["index.json"], &idx); err != nil || len(idx.Manifests) != 1 {
		t.Fatalf("index.json %s: %v", docs["index.json"], err)
	}
	d := idx.Manifests[0]
	if d.Annotations[annotRefName] != "xyz" || d.Annotations[annotContainerd] != "docker.io/library/diet-test:xyz" ||
		d.Platform == nil || d.Platform.String() != "linux/amd64" {
		t.Errorf("index.json descriptor %+v: want ref.name xyz, containerd name docker.io/library/diet-test:xyz, linux/amd64", d)
	}
}

// TestWriteLayoutFormat checks the gzip members of an OCI layout: no file
// name, no mtime, a fixed level; and ggcr's layout reader validates it.
func TestWriteLayoutFormat(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "layout")
	if err := Write(t.Context(), writeFixture(t), "oci:"+dir); err != nil {
		t.Fatal(err)
	}
	ii, err := layout.ImageIndexFromPath(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := validate.Index(ii); err != nil {
		t.Errorf("validate.Index(layout): %v", err)
	}
	m, err := ii.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	img, err := ii.Image(m.Manifests[0].Digest)
	if err != nil {
		t.Fatal(err)
	}
	man, _ := img.Manifest()
	for i, l := range man.Layers {
		b, err := os.ReadFile(filepath.Join(dir, "blobs", "sha256", l.Digest.Hex))
		if err != nil {
			t.Fatal(err)
		}
		// ID1 ID2 CM FLG MTIME(4) XFL OS: no FNAME/FCOMMENT/FEXTRA flags, mtime 0.
		if !bytes.Equal(b[:8], []byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0}) {
			t.Errorf("layer %d: gzip header % x, want 1f 8b 08 00 00 00 00 00", i, b[:10])
		}
	}
}

// TestWriteOverInput writes over the very archive and layout being read,
// with a changed config: the target holds the new image, and the open
// archive image stays readable, since its file descriptor is open.
func TestWriteOverInput(t *testing.T) {
	t.Parallel()
	orig := writeFixture(t)
	cf, _ := orig.ConfigFile()
	cf = cf.DeepCopy()
	cf.Config.Env = append(cf.Config.Env, "DIET=1")
	dir := t.TempDir()
	for _, ref := range []string{"docker-archive:" + dir + "/x.tar", "oci:" + dir + "/layout"} {
		t.Run(ref, func(t *testing.T) {
			if err := Write(t.Context(), orig, ref); err != nil {
				t.Fatal(err)
			}
			in, err := Open(t.Context(), ref)
			if err != nil {
				t.Fatal(err)
			}
			changed, err := mutate.ConfigFile(in, cf)
			if err != nil {
				t.Fatal(err)
			}
			if err := Write(t.Context(), changed, ref); err != nil {
				t.Fatalf("Write over its own input = %v", err)
			}
			out, err := Open(t.Context(), ref)
			if err != nil {
				t.Fatal(err)
			}
			sameImage(t, changed, out)
			if strings.HasPrefix(ref, "docker-archive:") {
				sameImage(t, orig, in) // the replaced file, through its descriptor
			}
		})
	}
	if diff := cmp.Diff([]string{"layout", "x.tar"}, dirNames(t, dir)); diff != "" {
		t.Errorf("%s (-want +got):\n%s", dir, diff)
	}
}
