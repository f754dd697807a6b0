package dockerfile_test

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/dietimage/diet/dockerfile"
)

func Example() {
	src := []byte(`FROM alpine:3.20
RUN apk add go git musl-dev
RUN go install example.com/app@latest
RUN apk del go git musl-dev
`)
	f, err := dockerfile.Parse("Dockerfile", src)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, fd := range dockerfile.Lint(f) {
		fmt.Printf("%s:%d: %s %s\n", fd.File, fd.Line, fd.ID, fd.Severity)
	}
	// Output:
	// Dockerfile:2: DIET203 info
	// Dockerfile:2: DIET301 warning
	// Dockerfile:3: DIET110 info
	// Dockerfile:3: DIET210 warning
	// Dockerfile:3: DIET302 warning
	// Dockerfile:3: DIET303 warning
	// Dockerfile:3: DIET304 info
	// Dockerfile:4: DIET101 warning
	// Dockerfile:4: DIET110 info
}

func ExampleParse() {
	f, err := dockerfile.Parse("Dockerfile", []byte("FROM debian:bookworm-slim\nRUN apt-get update \\\n    && apt-get install -y curl\n"))
	if err != nil {
		fmt.Println(err)
		return
	}
	run := f.Instructions[1]
	fmt.Printf("RUN on lines %d-%d\n", run.Line, run.EndLine)
	for _, c := range run.Run.Commands {
		fmt.Printf("line %d: %q %s\n", c.Line, c.Op, c.Args)
	}
	// Output:
	// RUN on lines 2-3
	// line 2: "" [apt-get update]
	// line 3: "&&" [apt-get install -y curl]
}

func ExampleFinding_json() {
	f, _ := dockerfile.Parse("Dockerfile", []byte("FROM alpine:3.20\n# a comment\nRUN apk add curl\n"))
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	enc.Encode(dockerfile.Lint(f, dockerfile.WithDisabled("DIET110")))
	// Output:
	// [
	//   {
	//     "file": "Dockerfile",
	//     "line": 3,
	//     "end_line": 3,
	//     "id": "DIET203",
	//     "aliases": [
	//       "DL3019"
	//     ],
	//     "severity": "info",
	//     "message": "`apk add curl` leaves the package index in /var/cache/apk in this layer (~2 MB: typical Alpine APKINDEX files): use `apk add --no-cache`",
	//     "fixable": true,
	//     "bytes": 2000000
	//   }
	// ]
}
