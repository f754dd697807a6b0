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
	r, err := out.Report()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("docker's size:", r.Before.Bytes, "->", r.After.Bytes)
	// Output:
	// removed /root/.data by remove:/root/.data 8592 bytes
	// removed /tmp by temp 6405 bytes
	// docker's size: 1220598 -> 1173576
}
