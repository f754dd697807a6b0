package dockerfile_test

import (
	"fmt"

	"github.com/dietimage/diet/dockerfile"
)

func ExampleFix() {
	src := []byte(`FROM golang:1.23
WORKDIR /src
COPY . .
# the service
RUN go build -o /usr/local/bin/app ./cmd/app
EXPOSE 8080
CMD ["app"]
`)
	f, err := dockerfile.Parse("Dockerfile", src)
	if err != nil {
		fmt.Println(err)
		return
	}
	// Without WithContextDir, Fix cannot read the sources to rule cgo
	// out, so the binary keeps it and goes onto a glibc base; with the
	// context of a program without cgo, the final stage is FROM scratch.
	res, err := dockerfile.Fix(f)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(string(res.Source))
	for _, c := range res.Changes {
		fmt.Printf("%s:%d: %s fixed: %s\n", c.File, c.Line, c.ID, c.Message)
	}
	// Output:
	// FROM golang:1.23 AS build
	// WORKDIR /src
	// COPY . .
	// # the service
	// RUN go build -trimpath -ldflags="-s -w" -o /usr/local/bin/app ./cmd/app
	//
	// FROM debian:stable-slim
	// WORKDIR /src
	// COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/
	// COPY --from=build /usr/local/bin/app /usr/local/bin/app
	// EXPOSE 8080
	// CMD ["app"]
	// Dockerfile:5: DIET302 fixed: build in stage "build" and copy only /usr/local/bin/app into a final stage FROM debian:stable-slim (the binary links against glibc: cgo is not ruled out: no build context to read)
	// Dockerfile:5: DIET303 fixed: add -ldflags="-s -w" to go build
	// Dockerfile:5: DIET304 fixed: add -trimpath to go build
}
