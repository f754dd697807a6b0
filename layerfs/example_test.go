package layerfs_test

import (
	"context"
	"fmt"
	"log"

	"github.com/dietimage/diet/image"
	"github.com/dietimage/diet/layerfs"
)

// Build reads each layer once into the merged tree; History tells what
// every layer did to a path, even one the final filesystem no longer has.
func ExampleBuild() {
	ctx := context.Background()
	img, err := image.Open(ctx, "docker-archive:../analyze/testdata/dive-test-image.tar")
	if err != nil {
		log.Fatal(err)
	}
	t, err := layerfs.Build(ctx, img)
	if err != nil {
		log.Fatal(err)
	}
	id, _ := t.Lookup("/root/example/somefile1.txt")
	kinds := map[layerfs.Kind]string{layerfs.Added: "added", layerfs.Modified: "modified", layerfs.Deleted: "deleted"}
	for e := range t.History(id) {
		fmt.Printf("layer %d %s %d bytes\n", e.Layer, kinds[e.Kind], e.Size)
	}
	fmt.Println("present now:", t.Present(id))
	// Output:
	// layer 3 added 6405 bytes
	// layer 4 modified 6405 bytes
	// layer 9 deleted 6405 bytes
	// present now: false
}
