// Command rawgzip is the baseline bench/run.sh compares `diet analyze
// --compressed gzip` with: it gzips every layer tar of a classic docker
// save archive with Go's compress/gzip at its default level (what docker
// push sends) to a byte counter, on -jobs layers at a time, and prints the
// wall time in seconds on stdout and the compressed bytes on stderr.
//
//	go run ./bench/rawgzip [-jobs N] ARCHIVE.tar
package main

import (
	"archive/tar"
	"compress/gzip"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"time"

	"golang.org/x/sync/errgroup"
)

func main() {
	jobs := flag.Int("jobs", runtime.GOMAXPROCS(0), "compress `n` layers at a time")
	flag.Parse()
	if flag.NArg() != 1 || *jobs < 1 {
		fmt.Fprintln(os.Stderr, "usage: rawgzip [-jobs n] ARCHIVE.tar")
		os.Exit(2)
	}
	start := time.Now()
	in, out, err := gzipLayers(flag.Arg(0), *jobs)
	if err != nil {
		fmt.Fprintln(os.Stderr, "rawgzip:", err)
		os.Exit(1)
	}
	secs := time.Since(start).Seconds()
	fmt.Fprintf(os.Stderr, "rawgzip: %s: %d bytes of layer tars gzip to %d, %d jobs, %.3f s\n", flag.Arg(0), in, out, *jobs, secs)
	fmt.Printf("%.3f\n", secs)
}

type section struct{ off, size int64 }

// gzipLayers compresses the layers manifest.json lists, each once.
func gzipLayers(path string, jobs int) (in, out int64, err error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	members := map[string]section{}
	var manifest []struct{ Layers []string }
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return 0, 0, err
		}
		off, _ := f.Seek(0, io.SeekCurrent)
		members[h.Name] = section{off, h.Size}
		if h.Name == "manifest.json" {
			if err := json.NewDecoder(tr).Decode(&manifest); err != nil {
				return 0, 0, err
			}
		}
	}
	if len(manifest) != 1 {
		return 0, 0, fmt.Errorf("manifest.json lists %d images, want 1", len(manifest))
	}
	layers := manifest[0].Layers
	sizes := make([]int64, len(layers))
	g := errgroup.Group{}
	g.SetLimit(jobs)
	for i, name := range layers {
		s, ok := members[name]
		if !ok {
			return 0, 0, fmt.Errorf("%s: not in the archive", name)
		}
		in += s.size
		g.Go(func() error {
			var n counter
			zw := gzip.NewWriter(&n)
			if _, err := io.Copy(zw, io.NewSectionReader(f, s.off, s.size)); err != nil {
				return err
			}
			if err := zw.Close(); err != nil {
				return err
			}
			sizes[i] = int64(n)
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return 0, 0, err
	}
	for _, n := range sizes {
		out += n
	}
	return in, out, nil
}

type counter int64

func (c *counter) Write(p []byte) (int, error) { *c += counter(len(p)); return len(p), nil }
