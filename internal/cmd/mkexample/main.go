// Command mkexample writes diet's example image, a docker-archive that
// reproduces design.md's 948 MB Go service image in miniature:
//
//	go run ./internal/cmd/mkexample -o example.tar
//	docker load -i example.tar && docker run --rm diet-example --version
//
// The archive is the same for a given Go installation; see package
// internal/example for what is in it.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/dietimage/diet/internal/example"
)

func main() {
	out := flag.String("o", "example.tar", "write the docker-archive to `file`")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: mkexample [-o file]\n\n"+
			"mkexample writes diet's example image (%s) as a docker-archive.\n\n", example.RepoTag)
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() > 0 {
		flag.Usage()
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := example.Build(ctx, *out); err != nil {
		fmt.Fprintln(os.Stderr, "mkexample:", err)
		stop()
		os.Exit(1)
	}
	fi, err := os.Stat(*out)
	if err != nil {
		fmt.Fprintln(os.Stderr, "mkexample:", err)
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "mkexample: wrote %s (%d bytes, %.1f MB)\n", *out, fi.Size(), float64(fi.Size())/1e6)
}
