// Command mkbench writes the images bench/run.sh measures diet on:
//
//	big.tar    ≥ 1 GB uncompressed in 6 layers of real files from this
//	           machine (/usr/share, /usr/bin, /usr/local/go, /usr/lib),
//	           with a layer that overwrites files and one that deletes
//	           the toolchain, as a classic docker-archive;
//	big.oci/   the same image as an OCI layout with gzip layers;
//	many.tar   500,000 small files in 3 layers, a docker-archive;
//	many2.tar  its next version: the first two layers shared, the third
//	           rebuilt with 1,000 files fewer (for diet diff);
//	small.tar  a few hundred files, for the fixed memory cost.
//
// Beside each image, NAME.paths holds the number of distinct paths in it.
// Existing outputs are kept unless -force is given. The output depends only
// on the flags and on the files of this machine.
//
//	go run ./bench/mkbench -o bench/out
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

func main() {
	var o options
	flag.StringVar(&o.dir, "o", "bench/out", "write the images to `dir`")
	flag.Int64Var(&o.bigSize, "big-size", 1_200_000_000, "file bytes of the big image")
	flag.IntVar(&o.manyFiles, "many-files", 500_000, "files in the many-files image")
	flag.IntVar(&o.smallFiles, "small-files", 300, "files in the small image")
	only := flag.String("only", "big,many,many2,small", "comma-separated images to make")
	flag.BoolVar(&o.force, "force", false, "remake images that exist")
	flag.Parse()
	o.only = strings.Split(*only, ",")
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, o, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "mkbench:", err)
		stop()
		os.Exit(1)
	}
}

// options are mkbench's flags.
type options struct {
	dir                   string
	bigSize               int64
	manyFiles, smallFiles int
	only                  []string
	force                 bool
}

// run makes each requested image that is missing and logs what it made.
func run(ctx context.Context, o options, log io.Writer) error {
	if err := os.MkdirAll(o.dir, 0o755); err != nil {
		return err
	}
	makers := map[string]func(context.Context, options) ([]string, error){
		"big": makeBig, "many": makeMany, "many2": makeMany2, "small": makeSmall,
	}
	for _, name := range o.only {
		mk, ok := makers[name]
		if !ok {
			return fmt.Errorf("unknown image %q in -only (want big, many, many2 or small)", name)
		}
		if _, err := os.Stat(filepath.Join(o.dir, name+".paths")); err == nil && !o.force {
			fmt.Fprintf(log, "mkbench: %s exists, kept (-force remakes it)\n", name)
			continue
		}
		start := time.Now()
		outs, err := mk(ctx, o)
		if err != nil {
			return fmt.Errorf("%s image: %w", name, err)
		}
		for _, out := range outs {
			fmt.Fprintf(log, "mkbench: %s: %d bytes\n", out, duSize(out))
		}
		fmt.Fprintf(log, "mkbench: %s made in %.1f s\n", name, time.Since(start).Seconds())
	}
	return nil
}

// duSize is the total size of the file or directory at p.
func duSize(p string) int64 {
	var n int64
	filepath.Walk(p, func(_ string, fi os.FileInfo, err error) error {
		if err == nil && fi.Mode().IsRegular() {
			n += fi.Size()
		}
		return nil
	})
	return n
}

// writePaths records the image's number of distinct paths for run.sh; it
// is written last, so its presence means the image is complete.
func writePaths(dir, name string, paths map[string]struct{}) error {
	return os.WriteFile(filepath.Join(dir, name+".paths"), fmt.Appendf(nil, "%d\n", len(paths)), 0o644)
}
