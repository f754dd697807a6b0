package image

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// Write writes img to the destination named by ref. Transports are those of
// [Open]:
//
//	docker-archive:PATH[:TAG]  a docker save tarball with uncompressed layers,
//	                           laid out as Docker 25+ saves (manifest.json,
//	                           repositories, index.json, oci-layout, blobs/):
//	                           Docker 20.10 loads it by manifest.json, newer
//	                           engines and OCI tools read it by index.json
//	oci:DIR[:TAG]              an OCI image layout with gzip layers; an
//	                           existing layout at DIR is replaced
//	oci-archive:PATH[:TAG]     the same OCI layout (gzip layers) in a tar
//	docker://REF               a registry (gzip layers; WithInsecure,
//	                           WithKeychain)
//	docker-daemon:REF          the local Docker engine, loaded as the tag REF
//
// A bare name is a docker-archive when it looks like a file (ends in .tar,
// starts with / . or ~) and an OCI layout when it is an existing directory.
//
// Write never leaves a partial target: files and layouts are built under a
// temporary name beside the target, synced and renamed into place, and
// removed if anything fails or ctx is cancelled. The input may be read from
// the very path written to. The same image and options give the same bytes:
// headers and gzip streams carry no names, owners or clocks, members are in
// a fixed order, and WithJobs changes only how many layers are compressed at
// once. Layers are streamed, never held in memory; every layer's content is
// checked against its diff ID as it is written. A layer made as it is
// written (package slim's new layer, through its StreamLayer method) goes
// first into a docker-archive, straight from its maker: its bytes are
// written once.
//
// Errors are [*Error] naming ref; a layer's error names its index from 0
// and diff ID, as in "oci:out: layer 3 (sha256:ab12…): ...".
func Write(ctx context.Context, img v1.Image, ref string, opts ...Option) error {
	if err := write(ctx, img, ref, opts); err != nil {
		if ctx.Err() != nil {
			err = ctx.Err() // the cause: every layer stopped because of it
		}
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
	if r, err = r.sink(); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if st, ok := img.(streamer); ok && r.transport == transportArchive {
		return streamArchiveFile(ctx, st, r, o)
	}
	s, err := newSource(img)
	if err != nil {
		return err
	}
	switch r.transport {
	case transportArchive:
		return writeArchiveFile(ctx, s, r, o)
	case transportOCIArchive:
		return writeOCIArchive(ctx, s, r, o)
	case transportOCI:
		return writeLayout(ctx, s, r, o)
	case transportDocker:
		return writeRemote(ctx, s, r, o)
	case transportDaemon:
		return writeDaemon(ctx, s, r)
	}
	panic("image: unresolved sink " + r.transport) // sink always sets one
}

// sink checks r as a destination and decides the transport of a bare name.
// It never asks an engine or a registry: writing is never a guess.
func (r imageRef) sink() (imageRef, error) {
	switch r.transport {
	case transportArchive:
		if r.index >= 0 {
			return r, tag(ErrInvalid, fmt.Errorf("an archive is written with :TAG, not :@%d", r.index))
		}
	case transportDaemon:
		if strings.Contains(r.name, "@") {
			return r, tag(ErrInvalid, fmt.Errorf("the engine loads an image by tag, not digest: %q", r.name))
		}
	case "":
		if fi, err := os.Stat(r.path); err == nil && fi.IsDir() {
			return imageRef{transport: transportOCI, path: r.path, index: -1}, nil
		}
		if !looksLikePath(r.path) {
			return r, tag(ErrInvalid, fmt.Errorf("name the destination's transport: docker-archive:%[1]s, oci:%[1]s, docker://%[1]s or docker-daemon:%[1]s", r.path))
		}
		return imageRef{transport: transportArchive, path: r.path, index: -1}, nil
	}
	return r, nil
}

// source is what every sink needs of an image, read once up front.
type source struct {
	raw      []byte  // the config, byte for byte
	config   v1.Hash // its digest
	mtime    time.Time
	platform *v1.Platform
	layers   []v1.Layer
	diffIDs  []v1.Hash
	first    []int // the first layer of each distinct diff ID, in layer order
}

func newSource(img v1.Image) (*source, error) {
	raw, err := img.RawConfigFile()
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	cf, err := v1.ParseConfigFile(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	h, _, err := v1.SHA256(bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	layers, err := img.Layers()
	if err != nil {
		return nil, fmt.Errorf("layers: %w", err)
	}
	ids := cf.RootFS.DiffIDs
	if len(ids) != len(layers) {
		return nil, tag(ErrMismatch, fmt.Errorf("the config lists %d layers, the image has %d", len(ids), len(layers)))
	}
	s := &source{raw: raw, config: h, mtime: mtime(cf.Created.Time), layers: layers, diffIDs: ids}
	if p := cf.Platform(); p != nil && p.OS != "" && p.Architecture != "" {
		s.platform = p
	}
	seen := map[v1.Hash]bool{}
	for i, l := range layers {
		d, err := l.DiffID()
		if err != nil {
			return nil, s.layerError(i, err)
		}
		if d != ids[i] {
			return nil, s.layerError(i, tag(ErrMismatch, fmt.Errorf("diff ID is %s, the config says %s", d, ids[i])))
		}
		if !seen[d] {
			seen[d] = true
			s.first = append(s.first, i)
		}
	}
	return s, nil
}

// layerError names layer i, as the user reads it in diet analyze.
func (s *source) layerError(i int, err error) error {
	return fmt.Errorf("layer %d (%s): %w", i, short(s.diffIDs[i]), err)
}

// mtime is the time every header carries: when the image was created,
// whole seconds in UTC, or the epoch when the config does not say or says
// something a tar header cannot hold.
func mtime(created time.Time) time.Time {
	if created.Before(time.Unix(1, 0)) || created.After(time.Unix(1<<33-1, 0)) {
		return time.Unix(0, 0).UTC()
	}
	return created.Truncate(time.Second).UTC()
}
