package analyze_test

import (
	"context"
	"fmt"
	"log"

	"github.com/dietimage/diet/analyze"
	"github.com/dietimage/diet/image"
)

// Image reads each layer once and returns plain data: sizes as docker
// counts them, and the bytes a later layer deletes or overwrites.
func ExampleImage() {
	ctx := context.Background()
	img, err := image.Open(ctx, "docker-archive:testdata/dive-test-image.tar")
	if err != nil {
		log.Fatal(err)
	}
	r, err := analyze.Image(ctx, img)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("docker's size:", r.Size.UncompressedBytes)
	fmt.Println("wasted:", r.WastedBytes)
	w := r.Wasted[0]
	fmt.Printf("largest waste: %s, %s\n", w.Path, w.Reason)
	// Output:
	// docker's size: 1220598
	// wasted: 32025
	// largest waste: /root/example/somefile1.txt, overwritten
}
