package diet_test

import (
	"context"
	"fmt"
	"log"
	"os"

	"github.com/dietimage/diet"
	"github.com/dietimage/diet/image"
	"github.com/dietimage/diet/slim"
)

// dive's own test image: 14 layers, files copied, changed and deleted.
const diveImage = "docker-archive:analyze/testdata/dive-test-image.tar"

func ExampleAnalyze() {
	r, err := diet.Analyze(context.Background(), diveImage)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(r.Layers), "layers,", r.Size.FinalBytes, "bytes in the end,", r.WastedBytes, "wasted")
	// Output: 14 layers, 1188573 bytes in the end, 32025 wasted
}

func ExampleSlim() {
	ctx := context.Background()
	tmp, err := os.MkdirTemp("", "slim-example-*")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(tmp)
	img, err := image.Open(ctx, diveImage)
	if err != nil {
		log.Fatal(err)
	}
	out, r, err := diet.Slim(ctx, img, slim.Squash)
	if err != nil {
		log.Fatal(err)
	}
	defer out.Close() // the new layer lives in a temporary file until then
	fmt.Println(r.Before.Layers, "layers ->", r.After.Layers, "saving", r.SavedBytes, "bytes")
	if err := image.Write(ctx, out, "oci:"+tmp); err != nil {
		log.Fatal(err)
	}
	// Output: 14 layers -> 2 saving 32025 bytes
}
