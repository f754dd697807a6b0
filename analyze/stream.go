package analyze

import (
	"context"
	"errors"
	"io"
	"sync"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/dietimage/diet/layerfs"
)

// Stream analyses an image read in one pass, whose layers pass before the
// manifest that orders them (a docker save stream): [Stream.Blob] walks
// each blob as it passes (it is an image.BlobFunc), and [Stream.Image]
// then analyses the image opened from the stream, taking its layers from
// those walks. Memory grows with the paths of the blobs, not their bytes.
type Stream struct {
	o     options
	mu    sync.Mutex
	walks []*layerfs.Walk
	found map[v1.Hash]*findings // by diff ID
	read  int64                 // uncompressed tar bytes walked
}

// NewStream returns a Stream for an analysis with opts.
func NewStream(opts ...Option) (*Stream, error) {
	o, err := makeOptions(opts)
	if err != nil {
		return nil, err
	}
	return &Stream{o: o, found: map[v1.Hash]*findings{}}, nil
}

// Blob walks one blob that may be a layer, read from r to its end; name
// is not used.
func (s *Stream) Blob(ctx context.Context, _ string, r io.Reader) error {
	found := &findings{}
	w, err := layerfs.WalkBlob(ctx, r, layerfs.WithFileFunc(func(f *layerfs.File) error {
		return look(s.o.duplicates, found, f)
	}))
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.walks = append(s.walks, w)
	s.found[w.Layer().DiffID] = found
	s.read += w.Layer().TarBytes
	if s.o.progress != nil {
		s.o.progress(Progress{LayersDone: len(s.walks), BytesDone: s.read})
	}
	return nil
}

// Image analyses img, an image opened from the stream the Blob calls
// walked, as [Image] would; opts add to those the Stream was made with,
// and may not change what the walks looked for.
func (s *Stream) Image(ctx context.Context, img v1.Image, opts ...Option) (*Report, error) {
	o := s.o
	for _, opt := range opts {
		opt(&o)
	}
	if o.duplicates != s.o.duplicates || o.verify != s.o.verify {
		return nil, errors.New("analyze: Stream.Image cannot change WithDuplicates or WithVerify: the blobs are walked")
	}
	return analyzeImage(ctx, img, &o, s)
}
