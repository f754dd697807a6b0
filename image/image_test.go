package image

import (
	"bytes"
	"errors"
	"path/filepath"
	"testing"

	"github.com/dietimage/diet/internal/test/tartest"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/validate"
)

// TestTransports opens one image through every transport and checks that
// each returns the same config, layers and contents.
func TestTransports(t *testing.T) {
	t.Parallel()
	want := fixture(t)
	dir := t.TempDir()
	classic := filepath.Join(dir, "classic.tar")
	tartest.WriteDockerArchive(t, classic, want, "diet-test:xyz")
	ociTar := filepath.Join(dir, "oci.tar")
	tartest.WriteOCIArchive(t, ociTar, want, "diet-test:xyz")
	lay := filepath.Join(dir, "layout")
	tartest.WriteOCILayout(t, lay, want, "xyz")
	layTar := filepath.Join(dir, "layout.tar")
	tarDir(t, lay, layTar, nil)
	gz := filepath.Join(dir, "classic.tar.gz")
	gzipFile(t, classic, gz)
	// ggcr's tarball.Write stores gzip layers in a classic layout.
	ggcrTar := filepath.Join(dir, "ggcr.tar")
	if err := tarball.WriteToFile(ggcrTar, ref(t, "diet-test:xyz"), want); err != nil {
		t.Fatal(err)
	}
	zst := filepath.Join(dir, "zstd.tar")
	rewriteTar(t, classic, zst, func(n string, b []byte) []byte {
		if filepath.Base(n) == "layer.tar" {
			return zstdBytes(t, b)
		}
		return b
	})
	host := tartest.ServeRegistry(t)
	if err := remote.Write(ref(t, host+"/diet/test:xyz"), want); err != nil {
		t.Fatal(err)
	}
	wantDigest, _ := want.Digest()

	for _, tc := range []struct {
		name    string
		ref     string
		opts    []Option
		section bool // archive layers stored uncompressed
		packed  bool // archive layers stored as gzip or zstd blobs
		stored  bool
		same    bool // the stored manifest is the one ggcr wrote
		fast    bool // validate.Image can only check that blobs exist
	}{
		{name: "classic", ref: "docker-archive:" + classic + ":diet-test:xyz", section: true},
		{name: "classic full name", ref: "docker-archive:" + classic + ":docker.io/library/diet-test:xyz", section: true},
		{name: "classic only image", ref: "docker-archive:" + classic, section: true},
		{name: "classic @0", ref: "docker-archive:" + classic + ":@0", section: true},
		{name: "classic bare path", ref: classic, section: true},
		{name: "classic gzip", ref: "docker-archive:" + gz, section: true},
		{name: "classic gzip layers", ref: "docker-archive:" + ggcrTar + ":diet-test:xyz", packed: true},
		{name: "classic zstd layers", ref: "docker-archive:" + zst, packed: true, fast: true},
		{name: "oci-in-tar", ref: "docker-archive:" + ociTar + ":diet-test:xyz", section: true, stored: true},
		{name: "oci-in-tar bare path", ref: ociTar, section: true, stored: true},
		{name: "oci-in-tar gzip blobs", ref: "docker-archive:" + layTar + ":xyz", packed: true, stored: true, same: true},
		{name: "oci layout", ref: "oci:" + lay + ":xyz", stored: true, same: true},
		{name: "oci layout bare dir", ref: lay, stored: true, same: true},
		{name: "registry", ref: "docker://" + host + "/diet/test:xyz", opts: []Option{WithInsecure(true)}, stored: true, same: true},
		{name: "registry by digest", ref: "docker://" + host + "/diet/test@" + wantDigest.String(), opts: []Option{WithInsecure(true)}, stored: true, same: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			img, err := Open(t.Context(), tc.ref, tc.opts...)
			if err != nil {
				t.Fatalf("Open(%q) = %v", tc.ref, err)
			}
			sameImage(t, want, img)
			layers, err := img.Layers()
			if err != nil {
				t.Fatal(err)
			}
			for i, l := range layers {
				diffID, _ := l.DiffID()
				s, isSectioner := l.(sectioner)
				if (tc.section || tc.packed) != isSectioner {
					t.Fatalf("layer %d implements UncompressedSection = %v, want %v", i, isSectioner, tc.section || tc.packed)
				}
				if !isSectioner {
					continue
				}
				sr, ok := s.UncompressedSection()
				if ok != tc.section {
					t.Fatalf("layer %d: UncompressedSection ok = %v, want %v", i, ok, tc.section)
				}
				if ok {
					if got := sum(t, sr); got != diffID {
						t.Errorf("layer %d: sha256(UncompressedSection) = %v, want DiffID %v", i, got, diffID)
					}
				}
				if tc.packed {
					rc, _ := l.Compressed()
					digest, _ := l.Digest()
					if got := sum(t, rc); got != digest {
						t.Errorf("layer %d: sha256(Compressed) = %v, want Digest %v", i, got, digest)
					}
				}
			}
			digest, manifest, ok := Stored(img)
			if ok != tc.stored {
				t.Fatalf("Stored ok = %v, want %v", ok, tc.stored)
			}
			if ok {
				if got := sum(t, bytes.NewReader(manifest)); got != digest {
					t.Errorf("Stored digest %v, manifest hashes to %v", digest, got)
				}
				if got, _ := img.Digest(); got != digest {
					t.Errorf("Digest() = %v, Stored says %v", got, digest)
				}
				if tc.same && digest != wantDigest {
					t.Errorf("Stored digest %v, want the written manifest's %v", digest, wantDigest)
				}
			}
			var vopts []validate.Option
			if tc.fast || tc.section && tc.stored {
				// validate gunzips Compressed() of every layer media type,
				// uncompressed and zstd layers included (ggcr v0.22.1).
				vopts = append(vopts, validate.Fast)
			}
			if err := validate.Image(img, vopts...); err != nil {
				t.Errorf("validate.Image: %v", err)
			}
		})
	}
}

// sameImage compares the config and every layer's uncompressed content.
func sameImage(t *testing.T, want, got v1.Image) {
	t.Helper()
	wantCfg, _ := want.RawConfigFile()
	gotCfg, err := got.RawConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(wantCfg, gotCfg) {
		t.Errorf("RawConfigFile differs:\n got %s\nwant %s", gotCfg, wantCfg)
	}
	wl, _ := want.Layers()
	gl, err := got.Layers()
	if err != nil {
		t.Fatal(err)
	}
	var wantIDs, gotIDs []v1.Hash
	for _, l := range wl {
		h, _ := l.DiffID()
		wantIDs = append(wantIDs, h)
	}
	for i, l := range gl {
		h, err := l.DiffID()
		if err != nil {
			t.Fatal(err)
		}
		gotIDs = append(gotIDs, h)
		rc, err := l.Uncompressed()
		if err != nil {
			t.Fatal(err)
		}
		if got := sum(t, rc); got != h {
			t.Errorf("layer %d: sha256(Uncompressed) = %v, want %v", i, got, h)
		}
		rc.Close()
	}
	if diff := cmp.Diff(wantIDs, gotIDs); diff != "" {
		t.Errorf("DiffIDs (-want +got):\n%s", diff)
	}
}

// TestClassicManifest checks the manifest synthesized for a classic archive:
// it describes the very layers Layers returns, and LayerByDigest finds them.
func TestClassicManifest(t *testing.T) {
	t.Parallel()
	p := filepath.Join(t.TempDir(), "x.tar")
	tartest.WriteDockerArchive(t, p, fixture(t), "")
	img, err := Open(t.Context(), p)
	if err != nil {
		t.Fatal(err)
	}
	m, err := img.Manifest()
	if err != nil {
		t.Fatal(err)
	}
	layers, _ := img.Layers()
	for i, l := range layers {
		d, _ := l.Digest()
		if d != m.Layers[i].Digest {
			t.Errorf("layer %d: Digest %v, manifest says %v", i, d, m.Layers[i].Digest)
		}
		byDigest, err := img.LayerByDigest(d)
		if err != nil {
			t.Fatalf("LayerByDigest(%v) = %v", d, err)
		}
		if _, ok := byDigest.(sectioner); !ok {
			t.Errorf("LayerByDigest(%v) lost UncompressedSection", d)
		}
	}
}

// TestPlatforms opens multi-platform indexes: as index.json itself, nested
// under a tagged index.json, in a registry, and in an archive that carries
// the blobs of one platform only.
func TestPlatforms(t *testing.T) {
	t.Parallel()
	amd64 := v1.Platform{OS: "linux", Architecture: "amd64"}
	arm64 := v1.Platform{OS: "linux", Architecture: "arm64", Variant: "v8"}
	arm := v1.Platform{OS: "linux", Architecture: "arm", Variant: "v7"}
	base := fixture(t)
	imgs := map[string]v1.Image{}
	var adds []mutate.IndexAddendum
	for _, p := range []v1.Platform{amd64, arm64, arm} {
		img := withPlatform(t, base, p)
		imgs[p.String()] = img
		adds = append(adds, mutate.IndexAddendum{Add: img, Descriptor: v1.Descriptor{Platform: &p}})
	}
	// Docker's build attestations sit beside the images as unknown/unknown.
	att := withPlatform(t, base, v1.Platform{OS: "unknown", Architecture: "unknown"})
	adds = append(adds, mutate.IndexAddendum{Add: att, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "unknown", Architecture: "unknown"}}})
	idx := mutate.AppendManifests(empty.Index, adds...)

	dir := t.TempDir()
	flat := filepath.Join(dir, "flat")
	if _, err := layout.Write(flat, idx); err != nil {
		t.Fatal(err)
	}
	nested := filepath.Join(dir, "nested")
	lp, err := layout.Write(nested, empty.Index)
	if err != nil {
		t.Fatal(err)
	}
	if err := lp.AppendIndex(idx, layout.WithAnnotations(map[string]string{annotRefName: "multi"})); err != nil {
		t.Fatal(err)
	}
	nestedTar := filepath.Join(dir, "nested.tar")
	tarDir(t, nested, nestedTar, nil)
	// An archive with the amd64 image's blobs only, as a one-platform save.
	amd64Tar := filepath.Join(dir, "amd64.tar")
	keep := map[string]bool{}
	for _, blob := range blobsOf(t, imgs[amd64.String()]) {
		keep[blob] = true
	}
	idxDigest, _ := idx.Digest()
	keep[blobPath(idxDigest)] = true
	tarDir(t, nested, amd64Tar, func(p string) bool { return filepath.Dir(p) == "blobs/sha256" && !keep[p] })
	host := tartest.ServeRegistry(t)
	if err := remote.WriteIndex(ref(t, host+"/diet/multi:1"), idx); err != nil {
		t.Fatal(err)
	}

	sources := []struct{ name, ref string }{
		{"flat layout", "oci:" + flat},
		{"nested layout", "oci:" + nested + ":multi"},
		{"nested oci-in-tar", "docker-archive:" + nestedTar},
		{"registry", "docker://" + host + "/diet/multi:1"},
	}
	for _, src := range sources {
		for _, tc := range []struct {
			platform string
			want     v1.Platform
		}{
			{"linux/amd64", amd64},
			{"linux/arm64", arm64},
			{"linux/arm64/v8", arm64},
			{"linux/arm", arm},
			{"linux/arm/v7", arm},
		} {
			t.Run(src.name+"/"+tc.platform, func(t *testing.T) {
				t.Parallel()
				p, err := ParsePlatform(tc.platform)
				if err != nil {
					t.Fatal(err)
				}
				img, err := Open(t.Context(), src.ref, WithPlatform(p), WithInsecure(true))
				if err != nil {
					t.Fatalf("Open(%q, %s) = %v", src.ref, tc.platform, err)
				}
				got, _ := img.ConfigName()
				want, _ := imgs[tc.want.String()].ConfigName()
				if got != want {
					t.Errorf("Open(%q, %s) chose config %v, want %v's %v", src.ref, tc.platform, got, tc.want, want)
				}
			})
		}
		for _, bad := range []string{"linux/s390x", "linux/arm/v6", "windows/amd64"} {
			t.Run(src.name+"/"+bad, func(t *testing.T) {
				t.Parallel()
				p, _ := ParsePlatform(bad)
				_, err := Open(t.Context(), src.ref, WithPlatform(p), WithInsecure(true))
				pe, ok := errors.AsType[*PlatformError](err)
				if !ok || !errors.Is(err, ErrNotFound) {
					t.Fatalf("Open(%q, %s) = %v, want a *PlatformError matching ErrNotFound", src.ref, bad, err)
				}
				if len(pe.Have) != 3 {
					t.Errorf("PlatformError.Have = %v, want the 3 image platforms", pe.Have)
				}
			})
		}
	}

	t.Run("one platform in the archive", func(t *testing.T) {
		t.Parallel()
		img, err := Open(t.Context(), "docker-archive:"+amd64Tar, WithPlatform(amd64))
		if err != nil {
			t.Fatal(err)
		}
		sameImage(t, imgs[amd64.String()], img)
		_, err = Open(t.Context(), "docker-archive:"+amd64Tar, WithPlatform(arm64))
		if pe, ok := errors.AsType[*PlatformError](err); !ok || len(pe.Have) != 1 {
			t.Fatalf("Open(arm64) = %v, want a *PlatformError offering amd64 only", err)
		}
	})
}

// blobsOf lists the blob paths an image needs: manifest, config, layers.
func blobsOf(t *testing.T, img v1.Image) []string {
	t.Helper()
	d, _ := img.Digest()
	m, err := img.Manifest()
	if err != nil {
		t.Fatal(err)
	}
	out := []string{blobPath(d), blobPath(m.Config.Digest)}
	for _, l := range m.Layers {
		out = append(out, blobPath(l.Digest))
	}
	return out
}

func ref(t testing.TB, s string) name.Reference {
	t.Helper()
	r, err := name.ParseReference(s)
	if err != nil {
		t.Fatal(err)
	}
	return r
}
