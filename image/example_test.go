package image_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/dietimage/diet/image"
)

func ExampleParsePlatform() {
	p, err := image.ParsePlatform("linux/arm64/v8")
	fmt.Println(p.OS, p.Architecture, p.Variant, err)

	_, err = image.ParsePlatform("linux")
	fmt.Println(errors.Is(err, image.ErrInvalid))
	// Output:
	// linux arm64 v8 <nil>
	// true
}

func ExampleOpen_errors() {
	_, err := image.Open(context.Background(), "ftp://example.com/x.tar")
	if e, ok := errors.AsType[*image.Error](err); ok {
		fmt.Println(e.Ref, errors.Is(err, image.ErrInvalid))
	}
	fmt.Println(err)
	// Output:
	// ftp://example.com/x.tar true
	// ftp://example.com/x.tar: unknown transport "ftp"
}
