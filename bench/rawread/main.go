// Command rawread is the baseline bench/run.sh compares `diet analyze oci:`
// with: it decompresses every layer blob of an OCI image layout to
// io.Discard with klauspost/compress/gzip, the decompressor diet uses, on
// -jobs layers at a time, and prints the wall time in seconds on stdout.
// Analysis cannot be faster than reading its input once, so the ratio of
// the two times is the cost of everything diet does beyond decompression.
//
//	go run ./bench/rawread [-jobs N] DIR
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime"
	"time"

	"golang.org/x/sync/errgroup"
)

func main() {
	jobs := flag.Int("jobs", runtime.GOMAXPROCS(0), "decompress `n` layers at a time")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: rawread [-jobs n] OCI-LAYOUT-DIR\n\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 1 || *jobs < 1 {
		flag.Usage()
		os.Exit(2)
	}
	start := time.Now()
	n, layers, err := readLayout(context.Background(), flag.Arg(0), *jobs)
	if err != nil {
		fmt.Fprintln(os.Stderr, "rawread:", err)
		os.Exit(1)
	}
	secs := time.Since(start).Seconds()
	fmt.Fprintf(os.Stderr, "rawread: %s: %d layers, %d bytes uncompressed, %d jobs, %.3f s, %.0f MB/s\n",
		flag.Arg(0), layers, n, *jobs, secs, float64(n)/secs/1e6)
	fmt.Printf("%.3f\n", secs)
}

// readLayout decompresses every layer of every image in the layout at dir
// and returns the uncompressed bytes and the number of layers.
func readLayout(ctx context.Context, dir string, jobs int) (int64, int, error) {
	blobs, err := layerBlobs(dir)
	if err != nil {
		return 0, 0, err
	}
	sizes := make([]int64, len(blobs))
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(jobs)
	for i, b := range blobs {
		g.Go(func() error {
			n, err := gunzip(ctx, b)
			if err != nil {
				return fmt.Errorf("%s: layer %d (%s): %w", dir, i+1, b, err)
			}
			sizes[i] = n
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return 0, 0, err
	}
	var total int64
	for _, n := range sizes {
		total += n
	}
	return total, len(blobs), nil
}
