package layerfs

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/dietimage/diet/internal/test/tartest"
)

// blobLayer is a real compressed blob served as a layer; the digest it
// claims is given, so tests can make it lie.
type blobLayer struct {
	v1.Layer // only for the methods the walk does not call
	blob     []byte
	digest   v1.Hash
}

func (b blobLayer) Compressed() (io.ReadCloser, error) {
	return io.NopCloser(bytes.NewReader(b.blob)), nil
}
func (b blobLayer) Digest() (v1.Hash, error)            { return b.digest, nil }
func (b blobLayer) DiffID() (v1.Hash, error)            { return v1.Hash{}, errors.New("no diff ID") }
func (b blobLayer) MediaType() (types.MediaType, error) { return types.OCILayer, nil }

func gz(b []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}

func honest(blob []byte) blobLayer {
	d, _, _ := v1.SHA256(bytes.NewReader(blob))
	return blobLayer{blob: blob, digest: d}
}

func TestBadBlobs(t *testing.T) {
	good := gz(tartest.Tar(tartest.File("etc/hostname", "diet\n"), tartest.Sized("big", 100_000)))
	corrupt := bytes.Clone(good)
	corrupt[len(corrupt)/2] ^= 0xff
	lying := honest(good)
	lying.digest.Hex = fmt.Sprintf("%064x", 1)
	// A whole gzip stream whose tar ends inside an entry that declares
	// 1 TB: a crafted layer, not a truncated transfer.
	declared := gz(append(rawTar(&tar.Header{Name: "huge", Typeflag: tar.TypeReg, Size: 1 << 40}), make([]byte, 4096)...)[:2048])
	tests := []struct {
		name  string
		layer v1.Layer
		want  error
		not   error // what the error must not be
	}{
		{"corrupt gzip", honest(corrupt), nil, nil}, // some error from the decompressor
		{"truncated gzip", honest(good[:len(good)/2]), io.ErrUnexpectedEOF, ErrTooLarge},
		{"whole gzip, declared size past its end", honest(declared), ErrTooLarge, nil},
		{"digest mismatch", lying, ErrDigestMismatch, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := BuildLayers(t.Context(), []v1.Layer{tc.layer})
			if err == nil {
				t.Fatalf("BuildLayers(%s) = nil error", tc.name)
			}
			if tc.want != nil && !errors.Is(err, tc.want) {
				t.Errorf("BuildLayers(%s) = %v, want %v", tc.name, err, tc.want)
			}
			if tc.not != nil && errors.Is(err, tc.not) {
				t.Errorf("BuildLayers(%s) = %v, which must not be %v", tc.name, err, tc.not)
			}
			if _, ok := errors.AsType[*LayerError](err); !ok {
				t.Errorf("error %v does not name the layer", err)
			}
		})
	}
	if _, err := BuildLayers(t.Context(), []v1.Layer{honest(good)}); err != nil {
		t.Fatalf("the good blob fails: %v", err)
	}
}

// TestMillionEntries walks a layer of a million entries, served as a
// seekable tar whose header blocks are made as they are read: the walk must
// neither fail nor keep the layer's bytes.
func TestMillionEntries(t *testing.T) {
	const n = 1_000_000
	l := sectionLayer{b: nil}
	ra := manyHeaders{n: n, template: tartest.Tar(tartest.Sized("d000/f000000", 0))[:512]}
	tr, err := BuildLayers(t.Context(), []v1.Layer{virtualLayer{l, io.NewSectionReader(ra, 0, n*512+1024)}})
	if err != nil {
		t.Fatal(err)
	}
	if got := tr.Layers[0].Added; got != n {
		t.Errorf("added %d paths, want %d", got, n)
	}
	if got := tr.Len(); got != n+100+1 {
		t.Errorf("tree holds %d nodes, want %d files, 100 directories and the root", got, n)
	}
}

// manyHeaders is a tar of n empty files d<i/10000>/f<i>, generated on read.
type manyHeaders struct {
	n        int64
	template []byte
}

func (m manyHeaders) ReadAt(p []byte, off int64) (int, error) {
	for done := 0; done < len(p); {
		blk, in := (off+int64(done))/512, (off+int64(done))%512
		var b [512]byte
		if blk < m.n {
			copy(b[:], m.template)
			copy(b[1:4], fmt.Sprintf("%03d", blk/10_000))
			copy(b[6:12], fmt.Sprintf("%06d", blk))
			copy(b[148:156], "        ")
			var sum int
			for _, c := range b {
				sum += int(c)
			}
			copy(b[148:156], fmt.Sprintf("%06o\x00 ", sum))
		} else if blk >= m.n+2 {
			return done, io.EOF
		}
		done += copy(p[done:], b[in:])
	}
	return len(p), nil
}

// virtualLayer serves a generated section as an uncompressed archive would.
type virtualLayer struct {
	sectionLayer
	sr *io.SectionReader
}

func (v virtualLayer) UncompressedSection() (*io.SectionReader, bool) { return v.sr, true }
func (v virtualLayer) DiffID() (v1.Hash, error) {
	return v1.Hash{Algorithm: "sha256", Hex: "virtual"}, nil
}
