package image

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
	"golang.org/x/sys/unix"

	"github.com/dietimage/diet/internal/ctxio"
	"github.com/dietimage/diet/internal/diskspace"
)

// openArchive opens the docker save tarball r.path.
//
// The path "-" is standard input. Input that is not a regular file (a pipe
// such as stdin, /dev/stdin or <(docker save x)) cannot be read at offsets:
// it is spooled to a temporary file first, as a compressed archive is.
func openArchive(ctx context.Context, r imageRef, o *options) (v1.Image, error) {
	f, err := openInput(r.path)
	if err != nil {
		return nil, notExist(err)
	}
	if fi, err := f.Stat(); err == nil && !fi.Mode().IsRegular() && !fi.IsDir() {
		if o.stream != nil {
			defer f.Close()
			return openStream(ctx, f, r, o)
		}
		plain, n, err := spool(ctx, f, o)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("reading %s after %d bytes: %w", r.path, n, err)
		}
		f = plain
	}
	img, err := archiveFromFile(ctx, f, r, o)
	if err != nil {
		f.Close()
		return nil, err
	}
	return img, nil
}

// openInput opens path, or a duplicate of standard input for "-" so that
// closing it leaves the process's stdin alone.
func openInput(path string) (*os.File, error) {
	if path != "-" {
		return os.Open(path)
	}
	fd, err := unix.Dup(int(os.Stdin.Fd()))
	if err != nil {
		return nil, fmt.Errorf("standard input: %w", err)
	}
	return os.NewFile(uintptr(fd), "standard input"), nil
}

// archiveFromFile indexes f once and opens the image it holds. On success
// the image owns f: its sections read from it for as long as the image
// lives, and the file is closed when the image is garbage.
//
// A `docker save | gzip` archive is decompressed once into an unlinked
// temporary file, since members of a compressed stream cannot be sections.
func archiveFromFile(ctx context.Context, f *os.File, r imageRef, o *options) (v1.Image, error) {
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if fi.IsDir() {
		return nil, fmt.Errorf("%s is a directory: an OCI layout is opened as oci:%s", r.path, r.path)
	}
	size := fi.Size()
	comp, err := sniff(io.NewSectionReader(f, 0, size))
	if err != nil {
		return nil, err
	}
	if comp != uncompressed && o.stream != nil {
		defer f.Close()
		return openStream(ctx, f, r, o)
	}
	if comp != uncompressed {
		plain, n, err := decompress(ctx, f, comp, o)
		if err != nil {
			return nil, err
		}
		f.Close()
		f, size = plain, n
	}
	x, err := indexTar(ctx, f, size)
	if err != nil {
		return nil, err
	}
	return openIndexed(ctx, x, r, o)
}

// openIndexed opens the image r chooses in the archive x indexes.
func openIndexed(ctx context.Context, x *tarIndex, r imageRef, o *options) (v1.Image, error) {
	switch {
	case x.has("index.json"):
		return openOCIArchive(ctx, x, r, o)
	case r.transport == transportOCIArchive:
		return nil, fmt.Errorf("no index.json: not an OCI layout in a tar (a classic docker save archive is docker-archive:%s)", r.path)
	case x.has("manifest.json"):
		return openClassic(ctx, x, r, o)
	}
	return nil, errors.New("no manifest.json or index.json: not a docker save archive")
}

// decompress spools a compressed archive into an unlinked temporary file.
func decompress(ctx context.Context, f *os.File, comp compression, o *options) (*os.File, int64, error) {
	var zr io.Reader
	switch comp {
	case gzipped:
		gr, err := gzip.NewReader(f)
		if err != nil {
			return nil, 0, err
		}
		zr = gr
	default:
		d, err := zstd.NewReader(f, zstd.WithDecoderConcurrency(1))
		if err != nil {
			return nil, 0, err
		}
		defer d.Close()
		zr = d
	}
	out, n, err := spool(ctx, zr, o)
	if errors.Is(err, io.ErrUnexpectedEOF) {
		err = tag(ErrTruncated, fmt.Errorf("compressed archive truncated after %d bytes: %w", n, err))
	}
	return out, n, err
}

// spool copies r into a temporary file in o.tempDir that is unlinked as soon
// as it is created, so nothing is left behind even if the process dies
// mid-copy; the open descriptor keeps it readable. Memory stays at io.Copy's
// buffer. A small gzip can expand a thousandfold, so the filesystem's free
// space is checked before and while copying, down to o.minFree.
func spool(ctx context.Context, r io.Reader, o *options) (*os.File, int64, error) {
	dir := o.tempDir
	if dir == "" {
		dir = os.TempDir()
	}
	g := diskspace.New(dir, o.minFree)
	if err := g.Check(0); err != nil {
		return nil, 0, err
	}
	f, err := os.CreateTemp(dir, "diet-spool-*.tar")
	if err != nil {
		return nil, 0, err
	}
	if err := os.Remove(f.Name()); err != nil {
		f.Close()
		return nil, 0, err
	}
	n, err := io.Copy(g.Writer(f), ctxio.Reader(ctx, r))
	if err != nil {
		f.Close()
		return nil, n, err
	}
	return f, n, nil
}
