// Command mkstory builds the user story's images from real parts (see
// package internal/story) and prints what it made:
//
//	go run ./internal/cmd/mkstory [-dir DIR]
//	docker load -i DIR/v1.01.tar && docker run --rm diet-story:v1.01 nats-server --version
//
// It needs root, a Docker engine and a network that reaches Debian's mirror
// and the Go module proxy. A second run reuses DIR's complete build.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"strings"
	"syscall"

	"github.com/dietimage/diet/internal/story"
)

func main() {
	def, err := story.DefaultDir()
	if err != nil {
		def = "diet-story"
	}
	dir := flag.String("dir", def, "build in and reuse `directory` (default $DIET_STORY_DIR, else the user cache)")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: mkstory [-dir directory]\n\n"+
			"mkstory builds %s and %s as docker-archives.\n\n", story.TagV101, story.TagMistake)
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() > 0 {
		flag.Usage()
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	s, err := story.Build(ctx, *dir, os.Stderr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "mkstory:", err)
		stop()
		os.Exit(1)
	}
	for _, img := range []story.Image{s.V101, s.Mistake} {
		fi, err := os.Stat(img.Archive)
		if err != nil {
			fmt.Fprintln(os.Stderr, "mkstory:", err)
			os.Exit(1)
		}
		size, where := engineSize(ctx, img)
		fmt.Printf("%-20s %s\n", img.Tag, img.ID)
		fmt.Printf("  %-18s %d bytes (%.1f MB), %s\n", "docker .Size", size, float64(size)/1e6, where)
		fmt.Printf("  %-18s %s, %d bytes (%.1f MB)\n", "archive", img.Archive, fi.Size(), float64(fi.Size())/1e6)
	}
	fmt.Printf("binary               %s (host copy %s)\n", s.Binary, s.HostBinary)
	fmt.Printf("  --version          %s\n", s.Version)
	fmt.Printf("  interpreter        %s\n", s.Interpreter)
	fmt.Printf("  built by           %s from %s\n", s.GoVersion, s.Module)
}

// engineSize asks the engine for the image's size, or falls back to the one
// recorded at build time when the tag is gone or names another image.
func engineSize(ctx context.Context, img story.Image) (int64, string) {
	out, err := exec.CommandContext(ctx, "docker", "image", "inspect", "--format", "{{.Id}} {{.Size}}", img.Tag).Output()
	if err == nil {
		id, size, _ := strings.Cut(strings.TrimSpace(string(out)), " ")
		if n, err := strconv.ParseInt(size, 10, 64); err == nil && id == img.ID {
			return n, "docker image inspect"
		}
	}
	return img.Size, "recorded at build (the tag is not in the engine)"
}
