package image

import (
	"archive/tar"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/dietimage/diet/internal/ctxio"
)

// Write writes img to the destination ref names, with Open's transports:
// docker-archive:PATH[:TAG] (the classic docker save layout, layers
// uncompressed, which every Docker loads), oci:DIR[:TAG], docker://REF and
// docker-daemon:REF (loaded through the Engine API from a spooled
// archive). A bare path is a docker-archive. Files and directories are
// written under a temporary name beside the target and renamed into place
// at the end: a failed or cancelled write leaves the target as it was, and
// writing over the image being read is safe. Errors are [*Error] naming ref.
func Write(ctx context.Context, img v1.Image, ref string, opts ...Option) error {
	if err := write(ctx, img, ref, opts); err != nil {
		return &Error{Ref: ref, Err: err}
	}
	return nil
}

func write(ctx context.Context, img v1.Image, ref string, opts []Option) error {
	o, err := makeOptions(opts...)
	if err != nil {
		return err
	}
	r, err := parseRef(ref)
	if err != nil {
		return err
	}
	switch r.transport {
	case "", transportArchive:
		return atomicFile(r.path, func(f *os.File) error { return writeArchive(ctx, f, img, r.name) })
	case transportOCI:
		return writeLayout(r.path, img, r.name)
	case transportDocker:
		return writeRemote(ctx, img, r.name, o)
	case transportDaemon:
		return writeDaemon(ctx, img, r.name)
	}
	return tag(ErrInvalid, fmt.Errorf("cannot write to transport %q", r.transport))
}

// atomicFile runs fill on a temporary file beside path, syncs it and
// renames it to path; on any failure the temporary file goes.
func atomicFile(path string, fill func(*os.File) error) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".diet-*")
	if err != nil {
		return err
	}
	err = fill(f)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
	}
	return err
}

// writeArchive writes the classic docker save layout: <id>/layer.tar,
// <config>.json, manifest.json and, with a tag, repositories. Headers carry
// no time and no owner, so equal images give equal archives.
func writeArchive(ctx context.Context, w io.Writer, img v1.Image, tagName string) error {
	layers, err := img.Layers()
	if err != nil {
		return err
	}
	cfgName, err := img.ConfigName()
	if err != nil {
		return err
	}
	raw, err := img.RawConfigFile()
	if err != nil {
		return err
	}
	tw := tar.NewWriter(w)
	file := func(name string, b []byte) error {
		if err := tw.WriteHeader(&tar.Header{Name: name, Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(len(b))}); err != nil {
			return err
		}
		_, err := tw.Write(b)
		return err
	}
	var paths []string
	for i, l := range layers {
		diffID, err := l.DiffID()
		if err != nil {
			return fmt.Errorf("layer %d: %w", i, err)
		}
		id := fmt.Sprintf("%x", sha256.Sum256([]byte(fmt.Sprint(i, diffID))))
		p := id + "/layer.tar"
		if err := copyLayer(ctx, tw, p, l); err != nil {
			return fmt.Errorf("layer %d: %w", i, err)
		}
		paths = append(paths, p)
	}
	if err := file(cfgName.Hex+".json", raw); err != nil {
		return err
	}
	manifest := []map[string]any{{"Config": cfgName.Hex + ".json", "RepoTags": []string{}, "Layers": paths}}
	if tagName != "" {
		t, err := name.NewTag(tagName)
		if err != nil {
			return tag(ErrInvalid, err)
		}
		manifest[0]["RepoTags"] = []string{t.String()}
	}
	b, _ := json.Marshal(manifest)
	if err := file("manifest.json", b); err != nil {
		return err
	}
	return tw.Close()
}

// copyLayer streams a layer's uncompressed tar twice: once for the size the
// header needs, once into the archive. No layer is held in memory.
func copyLayer(ctx context.Context, tw *tar.Writer, p string, l v1.Layer) error {
	size, err := streamLen(l)
	if err != nil {
		return err
	}
	if err := tw.WriteHeader(&tar.Header{Name: p, Typeflag: tar.TypeReg, Mode: 0o644, Size: size}); err != nil {
		return err
	}
	rc, err := l.Uncompressed()
	if err != nil {
		return err
	}
	defer rc.Close()
	_, err = io.Copy(tw, ctxio.Reader(ctx, rc))
	return err
}

func streamLen(l v1.Layer) (int64, error) {
	if s, ok := l.(interface {
		UncompressedSection() (*io.SectionReader, bool)
	}); ok {
		if sr, ok := s.UncompressedSection(); ok {
			return sr.Size(), nil
		}
	}
	rc, err := l.Uncompressed()
	if err != nil {
		return 0, err
	}
	defer rc.Close()
	return io.Copy(io.Discard, rc)
}

// writeLayout builds an OCI layout in a temporary directory beside dir and
// moves it into place, the old one aside first.
func writeLayout(dir string, img v1.Image, tagName string) error {
	tmp, err := os.MkdirTemp(filepath.Dir(dir), "."+filepath.Base(dir)+".diet-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	lp, err := layout.Write(tmp, empty.Index)
	if err != nil {
		return err
	}
	var lopts []layout.Option
	if tagName != "" {
		lopts = append(lopts, layout.WithAnnotations(map[string]string{"org.opencontainers.image.ref.name": tagName}))
	}
	if err := lp.AppendImage(img, lopts...); err != nil {
		return err
	}
	old := tmp + ".old"
	if err := os.Rename(dir, old); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	if err := os.Rename(tmp, dir); err != nil {
		os.Rename(old, dir)
		return err
	}
	return os.RemoveAll(old)
}

func writeRemote(ctx context.Context, img v1.Image, ref string, o *options) error {
	var nopts []name.Option
	if o.insecure {
		nopts = append(nopts, name.Insecure)
	}
	r, err := name.ParseReference(ref, nopts...)
	if err != nil {
		return tag(ErrInvalid, err)
	}
	ropts := []remote.Option{remote.WithContext(ctx), remote.WithAuthFromKeychain(o.keychain)}
	if o.insecure {
		ropts = append(ropts, remote.WithTransport(insecureTransport()))
	}
	return registryError(remote.Write(r, img, ropts...))
}

// writeDaemon spools a docker-archive to an unlinked temporary file and
// streams it to the engine's POST /images/load.
func writeDaemon(ctx context.Context, img v1.Image, ref string) error {
	e, err := newEngine()
	if err != nil {
		return err
	}
	f, err := os.CreateTemp("", "diet-load-*.tar")
	if err != nil {
		return err
	}
	os.Remove(f.Name())
	defer f.Close()
	if err := writeArchive(ctx, f, img, ref); err != nil {
		return err
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.base+"/images/load?quiet=1", f)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-tar")
	resp, err := e.client.Do(req)
	if err != nil {
		return tag(ErrNoEngine, fmt.Errorf("docker engine: %w", err))
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != http.StatusOK || strings.Contains(string(body), `"error"`) {
		return fmt.Errorf("docker engine: load: %s %s", resp.Status, strings.TrimSpace(string(body)))
	}
	return nil
}
