package layerfs

import (
	"bytes"
	"io"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// bytesLayer serves tar bytes as a layer, streamed or seekable.
func bytesLayer(t testing.TB, b []byte, seekable bool) v1.Layer {
	t.Helper()
	l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(b)), nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if seekable {
		return sectionLayer{l, b}
	}
	return l
}
