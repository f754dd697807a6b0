package image_test

import (
	"archive/tar"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/dietimage/diet/image"
)

// Writing the same image twice gives the same bytes, here the same OCI
// manifest digest, on any machine (a new gzip library version may change it).
func ExampleWrite() {
	ctx := context.Background()
	var layer bytes.Buffer
	tw := tar.NewWriter(&layer)
	tw.WriteHeader(&tar.Header{Name: "hello", Typeflag: tar.TypeReg, Mode: 0o644, Size: 6})
	tw.Write([]byte("hello\n"))
	tw.Close()
	l, _ := tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(layer.Bytes())), nil
	})
	img, _ := mutate.AppendLayers(empty.Image, l)

	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	for _, ref := range []string{"oci:" + filepath.Join(dir, "a") + ":v1", "oci:" + filepath.Join(dir, "b") + ":v1"} {
		if err := image.Write(ctx, img, ref); err != nil {
			fmt.Println(err)
			return
		}
		out, err := image.Open(ctx, ref)
		if err != nil {
			fmt.Println(err)
			return
		}
		digest, _, _ := image.Stored(out)
		fmt.Println(digest)
	}
	// Output:
	// sha256:beb9846f74c68b3da470c7cb5bab5a552b20c64d5e0a3ec9e6fd0d9c8f0dcc39
	// sha256:beb9846f74c68b3da470c7cb5bab5a552b20c64d5e0a3ec9e6fd0d9c8f0dcc39
}
