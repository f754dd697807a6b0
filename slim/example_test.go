package slim_test

import (
	"context"
	"fmt"
	"log"

	"github.com/dietimage/diet/image"
	"github.com/dietimage/diet/layerfs"
	"github.com/dietimage/diet/slim"
)

// A plan decides once what a level keeps; Rewrite makes it into an image
// whose new layer lives in a temporary file until Close.
func ExampleNewPlan() {
	ctx := context.Background()
	img, err := image.Open(ctx, "docker-archive:../analyze/testdata/dive-test-image.tar")
	if err != nil {
		log.Fatal(err)
	}
	t, err := layerfs.Build(ctx, img)
	if err != nil {
		log.Fatal(err)
	}
	p, err := slim.NewPlan(img, t, slim.Prune, slim.WithKeepBase(1), slim.WithRemove("/root/.data"))
	if err != nil {
		log.Fatal(err)
	}
	for _, r := range p.Removed {
		fmt.Println("removed", r.Path, "by", r.Rule, r.Bytes, "bytes")
	}
	out, err := p.Rewrite(ctx)
	if err != nil {
		log.Fatal(err)
	}
	defer out.Close()
	fmt.Println("new layer:", out.Written.Entries, "entries,", out.Written.FileBytes, "file bytes")
	// Output:
	// removed /root/.data by remove:/root/.data 8592 bytes
	// removed /tmp by temp 6405 bytes
	// new layer: 5 entries, 19215 file bytes
}
